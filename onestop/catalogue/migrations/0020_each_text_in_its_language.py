"""Each catalogue text in its own language: the fee and the legal basis get their English
fields, a form field its ``x-title-en`` and a choice its ``x-enum-labels-en``, where the
latest version held one text "中文 English" (or the Chinese alone, as a fresh database's
seed left it before these fields). Version n+1 of each item that changes; an
administrator's own wording is split, never replaced."""

from __future__ import annotations

import re
from typing import Any

from django.db import migrations

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef\U00020000-\U0003134f]")


def _split(text: str) -> tuple[str, str]:
    """Chinese up to the last Chinese character (and the closing quotation marks after it),
    then English; a frozen copy of the splitter of the time."""
    last = None
    for match in _CJK.finditer(text):
        last = match
    if last is None:
        return "", text.strip()
    end = last.end()
    while end < len(text) and text[end] in "”’":
        end += 1
    return text[:end].strip(), text[end:].strip()


def _apart(text: str, seed_zh: str | None, seed_en: str | None) -> tuple[str, str] | None:
    """(Chinese, English) of a stored text, or None when it is not one text of both: the
    seed's English when the text is the seed's Chinese, else the text split."""
    if seed_en and text == seed_zh:
        return text, seed_en
    zh, en = _split(text)
    return (zh, en) if zh and en else None


def _schema(schema: dict[str, Any], seed: dict[str, Any]) -> dict[str, Any]:
    properties = dict(schema.get("properties") or {})
    wanted = (seed.get("properties") or {}) if seed else {}
    for name, spec in list(properties.items()):
        if not isinstance(spec, dict):
            continue
        spec = dict(spec)
        own = wanted.get(name) or {}
        title = spec.get("title")
        if isinstance(title, str) and not spec.get("x-title-en"):
            found = _apart(title, own.get("title"), own.get("x-title-en"))
            if found:
                spec["title"], spec["x-title-en"] = found
        labels = spec.get("x-enum-labels")
        if isinstance(labels, dict) and not spec.get("x-enum-labels-en"):
            chinese, english = {}, {}
            seed_zh = own.get("x-enum-labels") or {}
            seed_en = own.get("x-enum-labels-en") or {}
            for value, label in labels.items():
                found = _apart(str(label), seed_zh.get(value), seed_en.get(value))
                chinese[value], english[value] = found or (label, label)
            spec["x-enum-labels"], spec["x-enum-labels-en"] = chinese, english
        properties[name] = spec
    return {**schema, "properties": properties} if properties else schema


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from onestop.catalogue.seed import ITEMS

    seeds = {item["code"]: item for item in ITEMS}
    model = apps.get_model("catalogue", "ServiceItem")
    carried = [
        f.name
        for f in model._meta.fields
        if f.name not in {"id", "version", "note", "created_by", "created_at"}
    ]
    for code in model.objects.values_list("code", flat=True).distinct().order_by("code"):
        latest = model.objects.filter(code=code).order_by("-version").first()
        seed = seeds.get(code, {})
        values = {name: getattr(latest, name) for name in carried}
        if not latest.legal_basis_en:
            found = _apart(latest.legal_basis, seed.get("legal_basis"), seed.get("legal_basis_en"))
            if found:
                values["legal_basis"], values["legal_basis_en"] = found
        found = _apart(latest.fee, None, None)
        if found:
            values["fee"], values["fee_en"] = found
        values["form_schema"] = _schema(latest.form_schema or {}, seed.get("form_schema") or {})
        if all(values[name] == getattr(latest, name) for name in carried):
            continue
        model.objects.create(
            **values,
            version=latest.version + 1,
            created_by="system",
            note="each text in its own language",
        )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0019_fee_legal_basis_en")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
