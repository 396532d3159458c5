"""What the dashboards read: the rolled-up figures of a region scope, by month and by
county, with the derived ratios (arrears, contributors per pensioner, shares)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from onestop.common.errors import NotPermitted
from onestop.contributions import selectors as contributions
from onestop.contributions.selectors import MonthCollection
from onestop.dashboards.models import Figure
from onestop.dashboards.rollup import month_of
from onestop.identity import policy
from onestop.identity.models import Region
from onestop.rules.values import RuleError, YearMonth

MONTHLY_COLUMNS = (
    "insured",
    "employers",
    "contributions_posted",
    "due",
    "paid",
    "arrears",
    "pensioners",
    "pension_paid",
    "contributors_per_pensioner",
    "cases_online",
    "cases_counter",
    "cases_api",
    "decided",
    "on_time_share",
    "reviews",
    "satisfied_share",
)
REGION_COLUMNS = (
    "insured",
    "employers",
    "due",
    "paid",
    "arrears",
    "pensioners",
    "pension_paid",
    "contributors_per_pensioner",
)


def _month(value: str, default: int) -> int:
    try:
        parsed = YearMonth.parse(value)
    except (ValueError, TypeError, RuleError):
        return default
    return parsed.year * 100 + parsed.month


def month_range(since: str, until: str) -> tuple[int, int]:
    """The months asked for as YYYY-MM (YYYYMM), by default the last twelve; a range given
    backwards is turned round, an unreadable month falls back to the default."""
    this_month = month_of(timezone.localdate())
    year_ago = (this_month // 100 - 1) * 100 + this_month % 100
    last = _month(until, this_month)
    first = _month(since, year_ago)
    return (first, last) if first <= last else (last, first)


def scope_of(actor: Any) -> str:
    """Decision makers are the supervisors; their region scope applies."""
    profile = policy.staff_profile(actor)
    if profile is None or not policy.allows(actor, policy.SUPERVISE):
        raise NotPermitted()
    return str(profile.region.scope_prefix)


def _ratio(a: Decimal, b: Decimal, places: str = "0.01") -> Decimal | None:
    return (a / b).quantize(Decimal(places)) if b else None


def _derived(values: dict[str, Decimal]) -> dict[str, Any]:
    def get(key: str) -> Decimal:
        return values.get(key, Decimal(0))

    cent = Decimal("0.01")
    return {
        **{
            k: get(k).quantize(cent) if k in MONEY else int(get(k))
            for k in MONTHLY_COLUMNS
            if k in _STORED
        },
        "arrears": (get("due") - get("paid")).quantize(cent),
        "contributors_per_pensioner": _ratio(get("insured"), get("pensioners")),
        "on_time_share": _ratio(get("decided_on_time"), get("decided"), "0.001"),
        "satisfied_share": _ratio(get("reviews_satisfied"), get("reviews"), "0.001"),
    }


MONEY = {"contributions_posted", "due", "paid", "pension_paid"}
_STORED = {
    "insured",
    "employers",
    "contributions_posted",
    "due",
    "paid",
    "pensioners",
    "pension_paid",
    "cases_online",
    "cases_counter",
    "cases_api",
    "decided",
    "reviews",
}


@dataclass(frozen=True)
class Dashboard:
    months: list[tuple[int, dict[str, Any]]]  # (YYYYMM, figures) oldest first
    regions: list[tuple[Region, dict[str, Any]]]  # counties of the scope, for ``month``
    month: int | None  # the latest closed month shown (the last one if none is closed)
    #: The month in progress (this month): not closed, so its ratio is not stated and the
    #: counties show a closed month.
    open_month: int | None = None
    #: The month in progress read live from the bills: declared (billed, paid or not) and
    #: collected so far, shown apart; none of it is due yet, so no arrears are stated.
    open_collection: MonthCollection | None = None


def dashboard(*, prefix: str, since: int, until: int) -> Dashboard:
    """One query for the months, one for the counties of the last month."""
    rows = (
        Figure.objects.filter(region__code__startswith=prefix, period__gte=since, period__lte=until)
        .values("period", "metric")
        .annotate(total=Sum("value"))
    )
    by_month: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        by_month[row["period"]][row["metric"]] = Decimal(row["total"])
    open_month = month_of(timezone.localdate())
    months = [(period, _derived(values)) for period, values in sorted(by_month.items())]
    for period, values in months:
        if period >= open_month:
            values["contributors_per_pensioner"] = None
    closed = [period for period, _values in months if period < open_month]
    month = closed[-1] if closed else (months[-1][0] if months else None)
    regions: list[tuple[Region, dict[str, Any]]] = []
    if month is not None:
        per_region: dict[int, dict[str, Decimal]] = defaultdict(dict)
        for region_id, metric, value in Figure.objects.filter(
            region__code__startswith=prefix, period=month
        ).values_list("region_id", "metric", "value"):
            per_region[region_id][metric] = Decimal(value)
        names = Region.objects.in_bulk(list(per_region))
        regions = [
            (names[region_id], _derived(values))
            for region_id, values in sorted(per_region.items(), key=lambda r: names[r[0]].code)
        ]
    collection = None
    if since <= open_month <= until:
        collection = contributions.month_collection(region_prefix=prefix, period=open_month)
        if open_month not in by_month and (collection.declared or collection.collected):
            months.append((open_month, _derived({})))
        for period, values in months:
            if period == open_month:
                # Live, not the last rollup: a declaration of today counts at once.
                values["due"] = collection.declared.quantize(Decimal("0.01"))
                values["paid"] = collection.collected.quantize(Decimal("0.01"))
                values["arrears"] = None  # billed this month, due next month: not arrears
                values["contributors_per_pensioner"] = None
    shown_open = open_month if any(p == open_month for p, _v in months) else None
    return Dashboard(months, regions, month, shown_open, collection if shown_open else None)
