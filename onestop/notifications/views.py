"""The inbox page: every signed-in user's notifications, newest first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from onestop.notifications import selectors, services


@login_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "notifications/inbox.html",
        {"notifications": selectors.inbox_of(actor=request.user)[:200]},
    )


@require_POST
@login_required
def read_view(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark read, then follow the notification's link (a local path only)."""
    found = services.notification_read(actor=request.user, notification_id=notification_id)
    if found.link and url_has_allowed_host_and_scheme(found.link, allowed_hosts=None):
        return redirect(found.link)
    return redirect("notifications:inbox")


@require_POST
@login_required
def read_all_view(request: HttpRequest) -> HttpResponse:
    services.notifications_read_all(actor=request.user)
    return redirect("notifications:inbox")
