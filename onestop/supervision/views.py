"""The supervision page: open warnings by agency and region, on-time rates."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from onestop.applications import services as cases
from onestop.catalogue import selectors as catalogue
from onestop.identity.models import Region
from onestop.supervision import indicators, selectors
from onestop.supervision.models import Level


def _since(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def supervision_view(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level", "")
    level = level if level in Level.values else ""
    since = _since(request.GET.get("since", ""))
    today = timezone.localdate()
    return render(
        request,
        "supervision/supervision.html",
        {
            # A case waiting for the applicant's supplement has its clock paused: listed
            # last, as paused, not as a warning to act on.
            "warnings": sorted(
                (
                    (w, cases.clock_of(w.application, today))
                    for w in selectors.warnings_for(actor=request.user, level=level)[:500]
                ),
                key=lambda pair: pair[0].application.paused_since is not None,
            ),
            "by_item": selectors.rates_for(actor=request.user, by="item", since=since),
            "by_agency": selectors.rates_for(actor=request.user, by="agency", since=since),
            "level": level,
            "since": since,
            "levels": Level.choices,
        },
    )


def _filters(request: HttpRequest, scope: str) -> tuple[indicators.Filters, str]:
    """Filters from the query string; a region outside ``scope`` falls back to the scope."""
    region = request.GET.get("region", "")
    prefix = scope
    if region and Region.objects.filter(code=region).exists():
        candidate = Region.objects.get(code=region).scope_prefix
        if candidate.startswith(scope):
            prefix = candidate
        else:
            region = ""
    else:
        region = ""
    item = request.GET.get("item", "")
    item = item if any(i.code == item for i in catalogue.items_current()) else ""
    filters = indicators.Filters(
        prefix=prefix,
        item_code=item,
        since=_since(request.GET.get("since", "")),
        until=_since(request.GET.get("until", "")),
    )
    return filters, region


@login_required
def indicators_view(request: HttpRequest) -> HttpResponse:
    """Supervisors: the self-evaluation indicators of their scope, by region, item and
    period."""
    scope = selectors.scope_prefix(request.user)
    filters, region = _filters(request, scope)
    return render(
        request,
        "supervision/indicators.html",
        {
            "indicators": indicators.indicators(filters),
            "filters": filters,
            "region": region,
            "regions": [
                r for r in Region.objects.order_by("code") if r.scope_prefix.startswith(scope)
            ],
            "items": catalogue.items_current(),
            "public": False,
        },
    )


def public_indicators_view(request: HttpRequest) -> HttpResponse:
    """The public summary: the province's indicators for a period."""
    filters = indicators.Filters(
        since=_since(request.GET.get("since", "")), until=_since(request.GET.get("until", ""))
    )
    return render(
        request,
        "supervision/indicators.html",
        {"indicators": indicators.indicators(filters), "filters": filters, "public": True},
    )
