"""Dashboards API: the decision makers' monthly figures and the county table, region scope
applied (the same numbers as the page and its exports)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from onestop.dashboards import selectors
from onestop.identity.api_auth import ANY_AUTH, scoped

router = Router(tags=["dashboards"], auth=ANY_AUTH)


class DashboardMonthOut(Schema):
    month: str
    figures: dict[str, Decimal | None]


class DashboardRegionOut(Schema):
    code: str
    name: str
    figures: dict[str, Decimal | None]


class DashboardOpenMonthOut(Schema):
    """The month in progress, read live from the bills: ``declared`` what was billed (paid
    or not), ``collected`` what was paid of it so far (principal). Due next month: no
    arrears are stated."""

    month: str
    declared: Decimal
    collected: Decimal


class DashboardOut(Schema):
    since: str
    until: str
    months: list[DashboardMonthOut]
    #: The month in progress, when shown (its row in ``months`` has ``arrears`` null).
    open_month: DashboardOpenMonthOut | None
    regions_month: str | None
    regions: list[DashboardRegionOut]


def _label(period: int) -> str:
    return f"{period // 100}-{period % 100:02d}"


@router.get("/dashboards", response=DashboardOut, auth=scoped("dashboards:read"))
def dashboards(request: HttpRequest, since: str = "", until: str = "") -> dict[str, Any]:
    """Monthly figures (``since``..``until`` as YYYY-MM, by default the last twelve months)
    for the supervisor's scope, and per county for the last month with figures."""
    prefix = selectors.scope_of(request.user)
    first, last = selectors.month_range(since, until)
    board = selectors.dashboard(prefix=prefix, since=first, until=last)
    return {
        "since": _label(first),
        "until": _label(last),
        "months": [
            {
                "month": _label(period),
                "figures": {c: values.get(c) for c in selectors.MONTHLY_COLUMNS},
            }
            for period, values in board.months
        ],
        "open_month": (
            {
                "month": _label(board.open_month),
                "declared": board.open_collection.declared,
                "collected": board.open_collection.collected,
            }
            if board.open_month and board.open_collection
            else None
        ),
        "regions_month": _label(board.month) if board.month else None,
        "regions": [
            {
                "code": region.code,
                "name": region.name,
                "figures": {c: values.get(c) for c in selectors.REGION_COLUMNS},
            }
            for region, values in board.regions
        ],
    }
