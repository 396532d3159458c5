"""Online applications filled in page by page: a draft per person and item, pre-filled,
validated one question group at a time, checked as a whole when filed."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from onestop.applications.models import Draft
from onestop.applications.prefill import prefill
from onestop.applications.services.cases import (
    Filed,
    answers_normalized,
    application_submit,
    validate_answers,
)
from onestop.catalogue.models import ServiceItem
from onestop.catalogue.selectors import form_fields
from onestop.common.errors import NotPermitted, ServiceError, pick_message
from onestop.identity.models import Person


def form_groups(schema: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The form's pages: the schema's ``x-groups`` ([{"title", "title_en", "fields"}], each
    title in the active language), or one page with every field. Fields a group leaves out
    get a last page of their own. Fields come in the form's declared order (``x-order``),
    whatever order the database keeps them in."""
    properties = form_fields(schema)
    groups = [
        (
            pick_message(str(g.get("title") or ""), str(g.get("title_en") or g.get("title") or "")),
            [f for f in g.get("fields", []) if f in properties],
        )
        for g in schema.get("x-groups", [])
    ]
    groups = [(title, fields) for title, fields in groups if fields]
    placed = {f for _, fields in groups for f in fields}
    rest = [f for f in properties if f not in placed]
    if rest or not groups:
        groups.append(("", rest))
    return groups


def _person(actor: Any) -> Person:
    person = getattr(actor, "person", None) if actor.is_authenticated else None
    if person is None:
        raise NotPermitted("仅参保人本人可在线申请。", "Only the person can apply online.")
    return person  # type: ignore[no-any-return]


def draft_open(*, actor: Any, item: ServiceItem) -> Draft:
    """The actor's draft of ``item``; a new one starts pre-filled from the record."""
    person = _person(actor)
    draft, _created = Draft.objects.get_or_create(
        applicant=person,
        item_code=item.code,
        defaults={"answers": prefill(person=person, item=item)},
    )
    return draft


def draft_peek(*, actor: Any, item: ServiceItem) -> Draft:
    """The actor's draft of ``item`` to read, else an unsaved one pre-filled from the record:
    looking at a form writes nothing; the draft is kept on the first page saved
    (``draft_save``)."""
    person = _person(actor)
    found = Draft.objects.filter(applicant=person, item_code=item.code).first()
    if found is not None:
        return found
    return Draft(applicant=person, item_code=item.code, answers=prefill(person=person, item=item))


def _check(schema: dict[str, Any], answers: dict[str, Any], fields: list[str]) -> None:
    properties = schema.get("properties", {})
    part = {
        "type": "object",
        "properties": {f: properties[f] for f in fields if f in properties},
        "x-order": [f for f in fields if f in properties],
        "required": [f for f in schema.get("required", []) if f in fields],
    }
    validate_answers(part, {k: v for k, v in answers.items() if k in fields})


def draft_save(*, actor: Any, item: ServiceItem, page: int, answers: dict[str, Any]) -> Draft:
    """Keep one page's answers (validated against that page's part of the schema)."""
    groups = form_groups(item.form_schema)
    if not 0 <= page < len(groups):
        raise ServiceError("没有这一页。", "No such page.", code="page")
    fields = groups[page][1]
    answers = answers_normalized(item.form_schema, answers)
    _check(item.form_schema, answers, fields)
    with transaction.atomic():
        draft = draft_open(actor=actor, item=item)
        draft = Draft.objects.select_for_update().get(pk=draft.pk)
        kept = {k: v for k, v in draft.answers.items() if k not in fields}
        kept.update({k: v for k, v in answers.items() if k in fields and v not in ("", None)})
        draft.answers, draft.page = kept, min(page + 1, len(groups))
        draft.save(update_fields=["answers", "page", "updated_at"])
    return draft


def draft_exists(*, actor: Any, item: ServiceItem) -> bool:
    return Draft.objects.filter(applicant=_person(actor), item_code=item.code).exists()


class AlreadyFiled(ServiceError):
    status = 409
    code = "already_filed"


def draft_submit(*, actor: Any, item: ServiceItem) -> Filed:
    """File the draft as a case (checked whole against the schema), then drop it. The draft
    is locked while it is filed: a second submit of it (a double click, another tab) finds
    none and is refused with AlreadyFiled (409), never filed from a fresh pre-fill."""
    with transaction.atomic():
        draft = (
            Draft.objects.select_for_update()
            .filter(applicant=_person(actor), item_code=item.code)
            .first()
        )
        if draft is None:
            raise AlreadyFiled(
                "这份申请已经提交（或已放弃），不会重复提交；请在“我的办件”中查看。",
                "This application was already filed (or discarded) and is not filed "
                "again; see My cases.",
            )
        filed = application_submit(
            actor=actor, item_code=item.code, applicant=draft.applicant, answers=draft.answers
        )
        draft.delete()
    return filed


def draft_discard(*, actor: Any, item_code: str) -> None:
    Draft.objects.filter(applicant=_person(actor), item_code=item_code).delete()
