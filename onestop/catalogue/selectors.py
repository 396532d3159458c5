"""Reading the catalogue: current versions, guides, bundles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q

from onestop.catalogue.models import Bundle, ServiceItem
from onestop.common import answers
from onestop.common.errors import NotFound
from onestop.common.workdays import Deadline, add_working_days

#: The generation of the catalogue's cached answers (``onestop.common.answers``): publishing
#: an item bumps it.
GENERATION = "catalogue"


def items_current(*, query: str = "", channel: str = "") -> list[ServiceItem]:
    """The latest published version of every item, optionally filtered."""
    latest = ServiceItem.objects.filter(published=True).values("code").annotate(v=Max("version"))
    wanted = Q()
    for row in latest:
        wanted |= Q(code=row["code"], version=row["v"])
    if not latest:
        return []
    items = ServiceItem.objects.filter(wanted).order_by("code")
    query = (query or "").strip()
    if query:
        items = items.filter(
            Q(name__icontains=query) | Q(name_en__icontains=query) | Q(code__icontains=query)
        )
    result = list(items)
    if channel:
        result = [i for i in result if channel in i.channels]
    return result


#: The schema key listing a form's fields in the order they are asked and shown. A JSON
#: object's key order is not kept by every store (PostgreSQL's ``jsonb`` sorts the keys of
#: ``properties``), so the order is this list, never the order of ``properties``.
ORDER_KEY = "x-order"


def field_titles(spec: dict[str, Any], name: str) -> tuple[str, str]:
    """A form field's title in each language: ``title`` (Chinese) and ``x-title-en``; a
    missing one falls back to the other, then to the field's name."""
    zh = str(spec.get("title") or "")
    en = str(spec.get("x-title-en") or "")
    return zh or en or name, en or zh or name


def field_title(spec: dict[str, Any], name: str) -> str:
    """A form field's title in the active language."""
    from onestop.common.errors import pick_message

    return pick_message(*field_titles(spec, name))


def option_label(spec: dict[str, Any], value: Any) -> str | None:
    """What a choice's stored value reads as in the active language (``x-enum-labels``,
    Chinese; ``x-enum-labels-en``, English), None when the form gives it no label."""
    from onestop.common.errors import pick_message

    if not isinstance(value, str):
        return None
    zh = (spec.get("x-enum-labels") or {}).get(value)
    en = (spec.get("x-enum-labels-en") or {}).get(value)
    if not zh and not en:
        return None
    return pick_message(str(zh or en), str(en or zh))


def form_fields(schema: dict[str, Any] | None) -> list[str]:
    """The form's field names in their declared order (``x-order``); a field the list leaves
    out (a form published before the list) comes after, by name, so every store and every
    page shows one order."""
    properties = (schema or {}).get("properties") or {}
    listed = [f for f in (schema or {}).get(ORDER_KEY) or [] if f in properties]
    placed = set(listed)
    return list(dict.fromkeys(listed)) + sorted(f for f in properties if f not in placed)


#: How long a process keeps the item names and choices at most (``answers.kept``): a publish
#: retires them at once through the generation; this bounds a per-process cache's (the
#: embedded default's) or a data migration's leftovers.
KEPT_SECONDS = 60


def processed_item_choices() -> list[tuple[str, str]]:
    """(code, Chinese name) of the latest published version of every item, those with a
    process (filed online and handled in the queue), by code: ``items_current``'s items in
    one light query (a filter list on every queue page, no schemas loaded), kept by the
    process while the catalogue's generation stands."""
    return list(
        answers.kept(
            key="catalogue.processed_item_choices",
            generation_of=GENERATION,
            seconds=KEPT_SECONDS,
            compute=_processed_item_choices,
        )
    )


def _processed_item_choices() -> list[tuple[str, str]]:
    latest: dict[str, tuple[str, str]] = {}
    for code, name, process in (
        ServiceItem.objects.filter(published=True)
        .order_by("code", "-version")
        .values_list("code", "name", "process")
    ):
        if code not in latest:  # the first row of a code is its latest version
            latest[code] = (name, process)
    return [(code, name) for code, (name, process) in latest.items() if process]


def item_get(*, code: str, version: int | None = None) -> ServiceItem:
    """The latest published version of ``code``, or the version asked for."""
    qs = ServiceItem.objects.filter(code=code)
    qs = qs.filter(version=version) if version is not None else qs.filter(published=True)
    item = qs.order_by("-version").first()
    if item is None:
        raise NotFound("未找到该服务事项。", "No such service item.")
    return item


@dataclass(frozen=True)
class Guide:
    item: ServiceItem
    to_upload: list[dict[str, Any]]
    replaced: list[dict[str, Any]]
    deadline_if_filed_today: Deadline
    compression: int  # how much shorter the promise is than the law, in percent


def item_name(*, code: str) -> str:
    """The latest version's name of the item ``code`` in the current language (the code
    itself for an unknown item)."""
    from django.utils.translation import get_language

    row = answers.kept(
        key="catalogue.item_names",
        generation_of=GENERATION,
        seconds=KEPT_SECONDS,
        compute=_item_names,
    ).get(code)
    if row is None:
        return code
    english = not (get_language() or "zh").startswith("zh")
    return (row[1] or row[0]) if english else row[0]


def _item_names() -> dict[str, tuple[str, str]]:
    """The latest version's names of every item, by code: one query (a page lists many),
    kept by the process (``item_name``)."""
    names: dict[str, tuple[str, str]] = {}
    for code, name, name_en in ServiceItem.objects.order_by("code", "version").values_list(
        "code", "name", "name_en"
    ):
        names[code] = (name, name_en)  # a later version replaces an earlier one
    return names


def guide_of(*, item: ServiceItem, today: dt.date) -> Guide:
    """The service guide: what to bring, what the platform fetches itself, when it is done."""
    to_upload = [m for m in item.materials if not m.get("replaceable_by")]
    replaced = [m for m in item.materials if m.get("replaceable_by")]
    compression = (
        round(100 * (item.legal_limit_days - item.promised_limit_days) / item.legal_limit_days)
        if item.legal_limit_days
        else 0
    )
    return Guide(
        item, to_upload, replaced, add_working_days(today, item.promised_limit_days), compression
    )


def bundles() -> list[Bundle]:
    return list(Bundle.objects.order_by("code"))


def bundle_get(*, code: str) -> tuple[Bundle, list[ServiceItem]]:
    bundle = Bundle.objects.filter(code=code).first()
    if bundle is None:
        raise NotFound("未找到该“一件事”。", "No such bundle.")
    current = {i.code: i for i in items_current()}
    return bundle, [current[c] for c in bundle.item_codes if c in current]
