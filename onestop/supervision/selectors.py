"""What supervisors see: open warnings, and on-time rates per item and per agency."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from onestop.applications.models import Application, Status
from onestop.catalogue import selectors as catalogue
from onestop.common.errors import NotPermitted
from onestop.identity import policy
from onestop.identity import selectors as identity
from onestop.supervision.models import Warning

#: Cases that reached a decision (withdrawn cases are the applicant's choice, not counted).
DECIDED = [Status.APPROVED, Status.REJECTED, Status.NOT_ACCEPTED]


def _prefix(actor: Any) -> str:
    profile = policy.staff_profile(actor)
    if profile is None or not policy.allows(actor, policy.SUPERVISE):
        raise NotPermitted()
    return profile.region.scope_prefix


def scope_prefix(actor: Any) -> str:
    """The supervisor's region scope prefix (refused for anyone else)."""
    return _prefix(actor)


def warnings_for(*, actor: Any, level: str = "", open_only: bool = True) -> QuerySet[Warning]:
    found = (
        Warning.objects.filter(region__code__startswith=_prefix(actor))
        .select_related("application__escalated_to", "region")
        .prefetch_related("application__open_steps__assignee")
    )
    if level:
        found = found.filter(level=level)
    return found.filter(resolved_at__isnull=True) if open_only else found


@dataclass(frozen=True)
class Rate:
    key: str
    label: str
    decided: int
    on_time: int
    open_yellow: int
    open_red: int

    @property
    def percent(self) -> str:
        return f"{100 * self.on_time / self.decided:.1f}%" if self.decided else "—"


def _decided(prefix: str, since: dt.date | None) -> QuerySet[Application]:
    cases = Application.objects.filter(
        region__code__startswith=prefix, status__in=DECIDED, completed_at__isnull=False
    )
    return cases.filter(completed_at__date__gte=since) if since else cases


def rates_for(*, actor: Any, by: str, since: dt.date | None = None) -> list[Rate]:
    """On-time completion per ``item`` or per ``agency`` (the region's handling agency):
    decided cases, those decided by their deadline, and open warnings, in the actor's scope."""
    prefix = _prefix(actor)
    field = "item_code" if by == "item" else "region_id"
    rows = (
        _decided(prefix, since)
        .values(field)
        .annotate(
            decided=Count("pk"),
            on_time=Count("pk", filter=Q(completed_at__date__lte=F("deadline"))),
        )
    )
    warn_field = "application__item_code" if by == "item" else "region_id"
    warnings = {
        (w[warn_field], w["level"]): w["n"]
        for w in Warning.objects.filter(region__code__startswith=prefix, resolved_at__isnull=True)
        .values(warn_field, "level")
        .annotate(n=Count("pk"))
    }
    keys = {r[field] for r in rows} | {k for k, _ in warnings}
    counts = {r[field]: r for r in rows}
    names: dict[Any, str]
    if by == "item":
        names = {code: catalogue.item_name(code=code) for code in keys}
    else:
        names = identity.agency_names_by_region()
    result = [
        Rate(
            key=str(key),
            label=str(names.get(key, key)),
            decided=counts.get(key, {}).get("decided", 0),
            on_time=counts.get(key, {}).get("on_time", 0),
            open_yellow=warnings.get((key, "yellow"), 0),
            open_red=warnings.get((key, "red"), 0),
        )
        for key in keys
    ]
    return sorted(result, key=lambda r: r.label)
