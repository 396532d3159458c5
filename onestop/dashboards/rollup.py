"""Rebuilding the monthly figures: one GROUP BY per source over a range of months, then the
range's figures replaced in one transaction (idempotent: running it twice changes nothing).

The daily job rebuilds the last three months and the current one; ``onestop rollup --all``
rebuilds everything. Each metric is documented in ``METRICS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear, Mod
from django.utils import timezone

from onestop.applications.models import Application, Status
from onestop.audit.services import record
from onestop.contributions.models import Bill, Declaration, LedgerEntry
from onestop.contributions.models import Payment as ContributionPayment
from onestop.dashboards.models import Figure
from onestop.pensions.models import Payment as PensionPayment
from onestop.reviews.models import Review

#: metric: (Chinese, English, what it counts)
METRICS: dict[str, tuple[str, str, str]] = {
    "insured": ("参保人数", "Insured persons", "persons with a pension contribution that month"),
    "contributions_posted": (
        "养老保险缴费入账",
        "Pension contributions posted",
        "employer and individual pension amounts posted from declarations",
    ),
    "employers": ("参保单位数", "Employers", "employers with a declaration for the month"),
    "due": ("应缴", "Contributions due", "bills for the month, every insurance"),
    "paid": ("实缴", "Contributions paid", "payments matched to the month's bills"),
    "pensioners": ("领取待遇人数", "Pensioners paid", "pensioners with a monthly pension"),
    "pension_paid": ("养老金支出", "Pensions paid", "pensions, arrears and recoveries"),
    "cases_online": ("网上办件", "Cases filed online", "cases filed online that month"),
    "cases_counter": ("窗口办件", "Cases filed at a counter", "cases filed at a counter"),
    "cases_api": ("移动端办件", "Cases filed by app", "cases filed through the API"),
    "decided": ("办结", "Cases decided", "cases decided that month"),
    "decided_on_time": ("按时办结", "Decided on time", "cases decided by their deadline"),
    "reviews": ("评价数", "Ratings", "first ratings given that month"),
    "reviews_satisfied": ("满意评价", "Satisfied ratings", "first ratings at 4 or 5"),
}

DECIDED = [Status.APPROVED, Status.REJECTED, Status.NOT_ACCEPTED]


def month_of(day: dt.date) -> int:
    return day.year * 100 + day.month


def plus_months(period: int, months: int) -> int:
    index = (period // 100) * 12 + period % 100 - 1 + months
    return (index // 12) * 100 + index % 12 + 1


def _local_month(field: str) -> Any:
    return ExpressionWrapper(
        ExtractYear(field) * 100 + ExtractMonth(field), output_field=IntegerField()
    )


def _rows(lo: int, hi: int) -> Iterable[tuple[int, int, str, Any]]:
    """(region id, YYYYMM, metric, value) for every metric of the months ``lo``..``hi``."""
    ledger = _dicts(
        LedgerEntry.objects.filter(
            insurance="pension", source_type="declaration", period__gte=lo, period__lte=hi
        )
        .values("person__region_id", "period")
        .annotate(insured=Count("person_id", distinct=True), posted=Sum("amount"))
    )
    for row in ledger:
        yield row["person__region_id"], row["period"], "insured", row["insured"]
        yield row["person__region_id"], row["period"], "contributions_posted", row["posted"]
    for row in _dicts(
        Declaration.objects.filter(period__gte=lo, period__lte=hi)
        .values("employer__region_id", "period")
        .annotate(n=Count("employer_id", distinct=True))
    ):
        yield row["employer__region_id"], row["period"], "employers", row["n"]
    for row in _dicts(
        Bill.objects.filter(period__gte=lo, period__lte=hi)
        .values("employer__region_id", "period")
        .annotate(due=Sum("amount_due"))
    ):
        yield row["employer__region_id"], row["period"], "due", row["due"]
    for row in _dicts(
        ContributionPayment.objects.filter(bill__period__gte=lo, bill__period__lte=hi)
        .values("bill__employer__region_id", "bill__period")
        .annotate(paid=Sum("amount"))
    ):
        yield row["bill__employer__region_id"], row["bill__period"], "paid", row["paid"]
    month = ExpressionWrapper(
        (F("period_index") / 12) * 100 + Mod(F("period_index"), 12) + 1,
        output_field=IntegerField(),
    )
    first, last = _index(lo), _index(hi)
    for row in _dicts(
        PensionPayment.objects.filter(period_index__gte=first, period_index__lte=last)
        .annotate(month=month)
        .values("pensioner__region_id", "month")
        .annotate(
            n=Count("pensioner_id", distinct=True, filter=Q(kind="regular")),
            paid=Sum("amount"),
        )
    ):
        yield row["pensioner__region_id"], row["month"], "pensioners", row["n"]
        yield row["pensioner__region_id"], row["month"], "pension_paid", row["paid"]
    for row in _dicts(
        Application.objects.annotate(month=_local_month("submitted_at"))
        .filter(month__gte=lo, month__lte=hi)
        .values("region_id", "month", "channel")
        .annotate(n=Count("pk"))
    ):
        yield row["region_id"], row["month"], f"cases_{row['channel']}", row["n"]
    for row in _dicts(
        Application.objects.filter(status__in=DECIDED, completed_at__isnull=False)
        .annotate(month=_local_month("completed_at"))
        .filter(month__gte=lo, month__lte=hi)
        .values("region_id", "month")
        .annotate(
            n=Count("pk"), on_time=Count("pk", filter=Q(completed_at__date__lte=F("deadline")))
        )
    ):
        yield row["region_id"], row["month"], "decided", row["n"]
        yield row["region_id"], row["month"], "decided_on_time", row["on_time"]
    for row in _dicts(
        Review.objects.filter(round=1, excluded=False)
        .annotate(month=_local_month("created_at"))
        .filter(month__gte=lo, month__lte=hi)
        .values("region_id", "month")
        .annotate(n=Count("pk"), good=Count("pk", filter=Q(level__gte=4)))
    ):
        yield row["region_id"], row["month"], "reviews", row["n"]
        yield row["region_id"], row["month"], "reviews_satisfied", row["good"]


def _dicts(rows: Any) -> list[dict[str, Any]]:
    """Grouped rows as plain dictionaries (the ORM types each shape on its own)."""
    return list(rows)


def _index(period: int) -> int:
    return (period // 100) * 12 + period % 100 - 1


def rollup(*, since: int | None = None, until: int | None = None) -> int:
    """Rebuild the figures of the months ``since``..``until`` (YYYYMM; default the last three
    months and this one). Returns how many figures the range now holds."""
    this_month = month_of(timezone.localdate())
    hi = until or this_month
    lo = since or plus_months(this_month, -3)
    now = timezone.now()
    figures = [
        Figure(
            region_id=region,
            period=period,
            metric=metric,
            value=Decimal(str(value or 0)).quantize(Decimal("0.01")),
            updated_at=now,
        )
        for region, period, metric, value in _rows(lo, hi)
        if region is not None and value
    ]
    with transaction.atomic():
        Figure.objects.filter(period__gte=lo, period__lte=hi).delete()
        Figure.objects.bulk_create(figures, batch_size=5000)
        record(
            actor=None,
            action="dashboards.rollup",
            target_type="dashboards.figure",
            target_id=f"{lo}-{hi}",
            changes={"since": lo, "until": hi, "figures": len(figures)},
        )
    return len(figures)


def full_range() -> tuple[int, int]:
    """The first and last month anything was recorded (for ``onestop rollup --all``)."""
    this_month = month_of(timezone.localdate())
    first = LedgerEntry.objects.order_by("period").values_list("period", flat=True).first()
    filed = Application.objects.order_by("submitted_at").values_list("submitted_at", flat=True)
    earliest = filed.first()
    candidates = [this_month, first or this_month]
    if earliest is not None:
        candidates.append(month_of(timezone.localtime(earliest).date()))
    return min(candidates), this_month
