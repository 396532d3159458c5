"""Publishing service items: every change is a new version, journaled."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from onestop.audit.services import record
from onestop.catalogue.models import Channel, ServiceItem
from onestop.catalogue.selectors import GENERATION, ORDER_KEY
from onestop.common import answers
from onestop.common.errors import NotPermitted, ServiceError

PUBLISH = "catalogue.add_serviceitem"
FIELDS = [
    f.name
    for f in ServiceItem._meta.fields
    if f.editable and f.name not in {"id", "code", "version", "note"}
]


#: What a material entry may say, and its default when left out.
MATERIAL_DEFAULTS: dict[str, Any] = {
    "name_en": "",
    "required": True,
    "copies": 1,
    "replaceable_by": "",
    "licence_type": "",
}
REPLACEABLE_BY = {"", "shared_data", "elicence"}

#: A choice's label holds both languages: Chinese characters and a Latin word.
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{2,}")


def materials_problems(materials: Any) -> list[str]:
    """What is wrong with a materials list (empty when nothing)."""
    if not isinstance(materials, list):
        return ["materials: a list of {name, ...}"]
    problems = []
    for number, material in enumerate(materials, 1):
        if not isinstance(material, dict) or not str(material.get("name", "")).strip():
            problems.append(f"materials[{number}]: a name is required")
            continue
        if material.get("replaceable_by", "") not in REPLACEABLE_BY:
            problems.append(f"materials[{number}].replaceable_by: '', shared_data or elicence")
        if not isinstance(material.get("required", True), bool):
            problems.append(f"materials[{number}].required: true or false")
        copies = material.get("copies", 1)
        if not isinstance(copies, int) or isinstance(copies, bool) or not 0 <= copies <= 20:
            problems.append(f"materials[{number}].copies: a number 0 to 20")
    return problems


def form_problems(schema: Any) -> list[str]:
    """A form must be a JSON Schema of an object (its fields under ``properties``)."""
    if not schema:
        return []
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return ['form_schema: {"type": "object", "properties": {...}}']
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        return [f"form_schema: {exc.message}"]
    return _order_problems(schema) + _option_label_problems(schema)


def form_ordered(schema: Any) -> Any:
    """The form with its field order written out (``x-order``): the order its ``properties``
    were given in, when the form does not list one (a store may not keep key order)."""
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return schema
    if ORDER_KEY in schema:
        return schema
    return {**schema, ORDER_KEY: list(schema["properties"])}


def _order_problems(schema: dict[str, Any]) -> list[str]:
    """``x-order``, when given, names every field once and nothing else."""
    if ORDER_KEY not in schema:
        return []
    order = schema[ORDER_KEY]
    fields = set((schema.get("properties") or {}).keys())
    if (
        not isinstance(order, list)
        or not all(isinstance(f, str) for f in order)
        or len(order) != len(set(order))
        or set(order) != fields
    ):
        return [f"form_schema.{ORDER_KEY}: every field of properties, each once, in order"]
    return []


def _option_label_problems(schema: dict[str, Any]) -> list[str]:
    """Each option of a choice reads as words in each language ("配偶" under
    ``x-enum-labels``, "Spouse" under ``x-enum-labels-en``), never as its stored code
    (``spouse``); the English one without Chinese."""
    problems = []
    for name, spec in (schema.get("properties") or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("enum"), list):
            continue
        chinese = spec.get("x-enum-labels") or {}
        english = spec.get("x-enum-labels-en") or {}
        for value in spec["enum"]:
            zh = chinese.get(value) if isinstance(chinese, dict) else None
            en = english.get(value) if isinstance(english, dict) else None
            if not (isinstance(zh, str) and CJK.search(zh)):
                problems.append(
                    f"form_schema.properties.{name}.x-enum-labels.{value}: a Chinese label"
                )
            if not (isinstance(en, str) and LATIN.search(en) and not CJK.search(en)):
                problems.append(
                    f"form_schema.properties.{name}.x-enum-labels-en.{value}: an English label"
                )
    return problems


def item_publish(*, actor: Any, code: str, values: dict[str, Any], note: str = "") -> ServiceItem:
    """Publish version n+1 of an item; fields not given carry over from version n."""
    if actor is not None and not actor.has_perm(PUBLISH):
        raise NotPermitted()
    with transaction.atomic():
        latest = (
            ServiceItem.objects.select_for_update().filter(code=code).order_by("-version").first()
        )
        carried = {f: getattr(latest, f) for f in FIELDS} if latest else {}
        item = ServiceItem(code=code, note=note, **{**carried, **values})
        item.version = latest.version + 1 if latest else 1
        item.created_by = actor.get_username() if actor is not None else "system"
        unknown = set(item.channels) - set(Channel.values)
        try:
            if unknown:
                raise ValidationError({"channels": [f"unknown: {', '.join(sorted(unknown))}"]})
            item.form_schema = form_ordered(item.form_schema)
            problems = materials_problems(item.materials) + form_problems(item.form_schema)
            if problems:
                raise ValidationError({"item": problems})
            item.materials = [{**MATERIAL_DEFAULTS, **m} for m in item.materials]
            item.full_clean(exclude=["version"])
        except ValidationError as exc:
            details = "; ".join(
                f"{k}: {', '.join(str(m) for m in v)}" for k, v in exc.message_dict.items()
            )
            raise ServiceError(
                f"事项信息无效：{details}", f"Invalid service item: {details}", code="invalid"
            ) from exc
        try:
            item.save()
        except IntegrityError as exc:
            raise ServiceError(
                "版本冲突或承诺时限超过法定时限。",
                "Version conflict, or the promise exceeds the legal limit.",
                code="conflict",
            ) from exc
        record(
            actor=actor,
            action="catalogue.item.published",
            target=item,
            changes={
                "code": code,
                "version": item.version,
                "note": note,
                "changed": sorted(values),
            },
        )
        answers.generation_bump(GENERATION)  # after the commit: the item API's cached answers
    return item
