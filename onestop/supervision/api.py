"""Supervision API: open warnings and on-time rates, in the supervisor's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from onestop.common.pagination import Mapped, bounded
from onestop.identity.api_auth import ANY_AUTH, scoped
from onestop.identity.models import Region
from onestop.supervision import indicators, selectors

router = Router(tags=["supervision"], auth=ANY_AUTH)


class WarningOut(Schema):
    number: str
    item_code: str
    region: str
    level: str
    task: str
    due: dt.date
    raised_at: dt.datetime
    escalated: bool


class RateOut(Schema):
    key: str
    label: str
    decided: int
    on_time: int
    open_yellow: int
    open_red: int


def _warning_out(w: Any) -> dict[str, Any]:
    return {
        "number": w.application.number,
        "item_code": w.application.item_code,
        "region": w.region.code,
        "level": w.level,
        "task": w.task,
        "due": w.due,
        "raised_at": w.raised_at,
        "escalated": w.escalated,
    }


@router.get("/supervision/warnings", response=list[WarningOut], auth=scoped("applications:read"))
@bounded
def warnings(request: HttpRequest, level: str = "") -> Any:
    """Open yellow and red warnings in the supervisor's region scope, a page at a time."""
    return Mapped(selectors.warnings_for(actor=request.user, level=level), _warning_out)


@router.get("/supervision/rates", response=list[RateOut], auth=scoped("applications:read"))
@bounded
def rates(request: HttpRequest, by: str = "item", since: dt.date | None = None) -> list[Any]:
    """On-time completion per ``item`` or ``agency``, with open warnings."""
    return list(selectors.rates_for(actor=request.user, by=by, since=since))


class IndicatorOut(Schema):
    code: str
    name_zh: str
    name_en: str
    formula: str
    numerator: int
    denominator: int
    value: str | None


@router.get(
    "/supervision/indicators", response=list[IndicatorOut], auth=scoped("applications:read")
)
def scoped_indicators(
    request: HttpRequest,
    region: str = "",
    item: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Self-evaluation indicators in the supervisor's scope, narrowed to a region (inside
    the scope), a service item and a period."""
    scope = selectors.scope_prefix(request.user)
    prefix = scope
    found = Region.objects.filter(code=region).first() if region else None
    if found is not None and found.scope_prefix.startswith(scope):
        prefix = found.scope_prefix
    filters = indicators.Filters(prefix=prefix, item_code=item, since=since, until=until)
    return [indicators.as_dict(i) for i in indicators.indicators(filters)]


@router.get("/indicators", response=list[IndicatorOut], auth=None)
def public_indicators(
    request: HttpRequest, since: dt.date | None = None, until: dt.date | None = None
) -> list[dict[str, Any]]:
    """The public summary of the province's indicators for a period. No sign-in."""
    filters = indicators.Filters(since=since, until=until)
    return [indicators.as_dict(i) for i in indicators.indicators(filters)]
