"""Public service guide pages: the catalogue, one item's guide, one bundle."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from onestop.catalogue import selectors
from onestop.catalogue.models import Channel


def catalogue_view(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:60]
    channel = request.GET.get("channel", "")
    channel = channel if channel in Channel.values else ""
    return render(
        request,
        "catalogue/list.html",
        {
            "items": selectors.items_current(query=query, channel=channel),
            "bundles": selectors.bundles(),
            "query": query,
            "channel": channel,
            "channels": Channel.choices,
        },
    )


def guide_view(request: HttpRequest, code: str) -> HttpResponse:
    version = request.GET.get("version", "")
    item = selectors.item_get(code=code, version=int(version) if version.isdigit() else None)
    return render(
        request,
        "catalogue/guide.html",
        {"guide": selectors.guide_of(item=item, today=timezone.localdate())},
    )


def bundle_view(request: HttpRequest, code: str) -> HttpResponse:
    bundle, items = selectors.bundle_get(code=code)
    return render(request, "catalogue/bundle.html", {"bundle": bundle, "items": items})
