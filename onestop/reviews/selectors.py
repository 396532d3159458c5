"""Reads: the rectifications staff work on, and the public disclosure of ratings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q
from django.utils import timezone

from onestop.applications.services.cases import HRSS_AGENCIES
from onestop.catalogue import selectors as catalogue
from onestop.common.errors import NotFound, NotPermitted
from onestop.identity import policy
from onestop.identity import selectors as identity
from onestop.identity.models import Region
from onestop.reviews.models import Rectification, RectificationStatus, Review, Visit

OPEN_STATES = (RectificationStatus.OPEN, RectificationStatus.CALLED_BACK)


def _profile(actor: Any) -> Any:
    profile = policy.staff_profile(actor)
    if (
        profile is None
        or profile.role not in ("case_worker", "reviewer", "supervisor")
        or profile.agency.kind not in HRSS_AGENCIES
    ):
        raise NotPermitted()
    return profile


def rectifications_for(*, actor: Any, status: str = "") -> list[Rectification]:
    """Rectifications of bad reviews in the staff member's scope, the most urgent first."""
    profile = _profile(actor)
    rows = Rectification.objects.filter(
        review__region__code__startswith=profile.region.scope_prefix
    ).select_related("review__application", "review__visit", "review__region", "handled_by")
    if status:
        rows = rows.filter(status=status)
    return list(rows.order_by("callback_due", "pk")[:500])


def rectification_for(*, actor: Any, pk: int) -> Rectification:
    """One rectification in scope; anything else reads as unknown."""
    profile = _profile(actor)
    rect = (
        Rectification.objects.select_related(
            "review__application", "review__visit", "review__region"
        )
        .filter(pk=pk, review__region__code__startswith=profile.region.scope_prefix)
        .first()
    )
    if rect is None:
        raise NotFound()
    return rect


def overdue(rect: Rectification) -> str:
    """ "callback" or "rectify" when that time limit has passed with the step not done."""
    today = timezone.localdate()
    if rect.status == RectificationStatus.OPEN and today > rect.callback_due:
        return "callback"
    if rect.status in OPEN_STATES and today > rect.rectify_due:
        return "rectify"
    return ""


@dataclass(frozen=True)
class RatingRow:
    key: str
    label: str
    reviews: int
    average: Decimal
    satisfied_share: Decimal  # levels 4 and 5
    bad: int
    rectified: int
    rectification_rate: Decimal | None


def ratings(*, by: str = "item") -> list[RatingRow]:
    """Public disclosure: first ratings of completed cases (those a supervisor found
    malicious left out), per ``item``, ``agency`` (the county agency that handled the case)
    or ``region`` (city), with the rectification rate of the bad ones."""
    if by not in ("item", "agency", "region"):
        raise NotFound("没有这种统计口径。", "No such breakdown.")
    reviews = Review.objects.filter(round=1, excluded=False)
    if by == "item":
        key = "item_code"
        grouped = reviews.values(key)
    elif by == "agency":
        key = "region_id"
        grouped = reviews.values(key)
    else:
        key = "region__parent_id"
        grouped = reviews.values(key)
    done = Q(rectification__status__in=(RectificationStatus.RECTIFIED, RectificationStatus.CLOSED))
    rows = grouped.annotate(
        n=Count("pk"),
        avg=Avg("level"),
        good=Count("pk", filter=Q(level__gte=4)),
        bad=Count("pk", filter=Q(level__lte=2)),
        fixed=Count("pk", filter=Q(level__lte=2) & done),
    ).order_by(key)
    names = _labels(by)
    out = []
    for row in rows:
        n, bad = row["n"], row["bad"]
        out.append(
            RatingRow(
                key=str(row[key]),
                label=names.get(row[key], str(row[key])),
                reviews=n,
                average=Decimal(str(row["avg"] or 0)).quantize(Decimal("0.01")),
                satisfied_share=(Decimal(row["good"]) / n).quantize(Decimal("0.001")),
                bad=bad,
                rectified=row["fixed"],
                rectification_rate=(Decimal(row["fixed"]) / bad).quantize(Decimal("0.001"))
                if bad
                else None,
            )
        )
    return out


def _labels(by: str) -> dict[Any, str]:
    """Names in the current language (the Chinese one where no English is recorded)."""
    from django.utils.translation import get_language

    english = not (get_language() or "zh").startswith("zh")
    if by == "item":
        return {
            i.code: (i.name_en or i.name) if english else i.name for i in catalogue.items_current()
        }
    if by == "agency":
        return dict(identity.agency_names_by_region().items())
    rows = Region.objects.filter(level="city").values_list("pk", "name", "name_en")
    return {pk: (name_en or name) if english else name for pk, name, name_en in rows}


def visits_for(*, actor: Any) -> list[Visit]:
    """The counter visits of the last 30 days at the actor's agency, newest first."""
    profile = _profile(actor)
    since = timezone.now() - dt.timedelta(days=30)
    return list(
        Visit.objects.filter(agency=profile.agency, ended_at__gte=since)
        .prefetch_related("reviews")
        .order_by("-ended_at")[:200]
    )


def visit_for(*, actor: Any, number: str) -> Visit:
    """A visit in the staff member's region scope; anything else reads as unknown."""
    profile = _profile(actor)
    visit = (
        Visit.objects.select_related("region")
        .filter(number=number, region__code__startswith=profile.region.scope_prefix)
        .first()
    )
    if visit is None:
        raise NotFound()
    return visit
