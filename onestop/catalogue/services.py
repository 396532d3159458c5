"""Publishing service items: every change is a new version, journaled."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from onestop.audit.services import record
from onestop.catalogue.models import Channel, ServiceItem
from onestop.common.errors import NotPermitted, ServiceError

PUBLISH = "catalogue.add_serviceitem"
FIELDS = [
    f.name
    for f in ServiceItem._meta.fields
    if f.editable and f.name not in {"id", "code", "version", "note"}
]


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
    return item
