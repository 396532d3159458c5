"""The supervision page: open warnings by agency and region, on-time rates."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onestop.supervision import selectors
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
    return render(
        request,
        "supervision/supervision.html",
        {
            "warnings": selectors.warnings_for(actor=request.user, level=level)[:500],
            "by_item": selectors.rates_for(actor=request.user, by="item", since=since),
            "by_agency": selectors.rates_for(actor=request.user, by="agency", since=since),
            "level": level,
            "since": since,
            "levels": Level.choices,
        },
    )
