"""Publishing parameters: every change is a new version, journaled."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from onestop.audit.services import record
from onestop.common import answers
from onestop.common.errors import NotPermitted, ServiceError
from onestop.parameters.models import BookRate, ProvinceParameters
from onestop.parameters.selectors import GENERATION

PUBLISH = "parameters.add_provinceparameters"
PUBLISH_RATE = "parameters.add_bookrate"


def _actor_label(actor: Any) -> str:
    return actor.get_username() if actor is not None else "system"


def _validated(row: Any) -> None:
    try:
        row.full_clean(exclude=["version"])
    except ValidationError as exc:
        details = "; ".join(
            f"{k}: {', '.join(str(m) for m in v)}" for k, v in exc.message_dict.items()
        )
        raise ServiceError(
            f"参数无效：{details}", f"Invalid parameters: {details}", code="invalid"
        ) from exc


def province_parameters_publish(
    *, actor: Any, province: str, year: int, values: dict[str, Any], sources: str, note: str = ""
) -> ProvinceParameters:
    """Publish a new version of a province's parameters for a year (system administrator).

    Fields not given are carried over from the latest version of that year, if any.
    """
    if actor is not None and not actor.has_perm(PUBLISH):
        raise NotPermitted()
    with transaction.atomic():
        latest = (
            ProvinceParameters.objects.select_for_update()
            .filter(province=province, year=year)
            .order_by("-version")
            .first()
        )
        carried: dict[str, Any] = {}
        if latest is not None:
            carried = {
                f.name: getattr(latest, f.name)
                for f in ProvinceParameters._meta.fields
                if f.editable and f.name not in {"id", "province", "year", "sources", "note"}
            }
        row = ProvinceParameters(
            province=province,
            year=year,
            sources=sources,
            note=note,
            created_by=_actor_label(actor),
            **{**carried, **values},
        )
        row.version = (latest.version + 1) if latest else 1
        _validated(row)
        try:
            row.save()
        except IntegrityError as exc:  # a concurrent publisher took the number
            raise ServiceError(
                "版本冲突，请重试。", "Version conflict; try again.", code="conflict"
            ) from exc
        record(
            actor=actor,
            action="parameters.province.published",
            target=row,
            changes={
                "province": province,
                "year": year,
                "version": row.version,
                "values": values,
                "note": note,
            },
        )
        answers.generation_bump(GENERATION)  # the interest tables processes keep
    return row


def book_rate_publish(
    *, actor: Any, year: int, rate: Decimal, provisional: bool, source: str
) -> BookRate:
    if actor is not None and not actor.has_perm(PUBLISH_RATE):
        raise NotPermitted()
    with transaction.atomic():
        current = BookRate.objects.filter(year=year).aggregate(v=Max("version"))["v"] or 0
        row = BookRate(
            year=year,
            rate=rate,
            provisional=provisional,
            source=source,
            version=current + 1,
            created_by=_actor_label(actor),
        )
        _validated(row)
        row.save()
        record(
            actor=actor,
            action="parameters.book_rate.published",
            target=row,
            changes={"year": year, "rate": rate, "provisional": provisional},
        )
        answers.generation_bump(GENERATION)  # the interest tables processes keep
    return row
