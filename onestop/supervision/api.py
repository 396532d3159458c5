"""Supervision API: open warnings and on-time rates, in the supervisor's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from onestop.identity.api_auth import ANY_AUTH, require_scope
from onestop.supervision import selectors

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


@router.get("/supervision/warnings", response=list[WarningOut])
def warnings(request: HttpRequest, level: str = "") -> list[dict[str, Any]]:
    """Open yellow and red warnings in the supervisor's region scope."""
    require_scope(request, "applications:read")
    return [
        {
            "number": w.application.number,
            "item_code": w.application.item_code,
            "region": w.region.code,
            "level": w.level,
            "task": w.task,
            "due": w.due,
            "raised_at": w.raised_at,
            "escalated": w.escalated,
        }
        for w in selectors.warnings_for(actor=request.user, level=level)[:500]
    ]


@router.get("/supervision/rates", response=list[RateOut])
def rates(request: HttpRequest, by: str = "item", since: dt.date | None = None) -> list[Any]:
    """On-time completion per ``item`` or ``agency``, with open warnings."""
    require_scope(request, "applications:read")
    return list(selectors.rates_for(actor=request.user, by=by, since=since))
