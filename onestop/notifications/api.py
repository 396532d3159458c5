"""Inbox API: a user's notifications, and marking one read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from onestop.common.pagination import bounded
from onestop.identity.api_auth import ANY_AUTH, scoped
from onestop.notifications import selectors, services
from onestop.notifications.models import Notification

router = Router(tags=["notifications"], auth=ANY_AUTH)


class NotificationOut(Schema):
    id: int
    event: str
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None


@router.get("/inbox", response=list[NotificationOut], auth=scoped("notifications:read"))
@bounded
def inbox(request: HttpRequest, unread: bool = False) -> Any:
    """The signed-in user's notifications, newest first, a page at a time."""
    return selectors.inbox_of(actor=request.user, unread_only=unread)


@router.post(
    "/inbox/{notification_id}/read", response=NotificationOut, auth=scoped("notifications:write")
)
def read(request: HttpRequest, notification_id: int) -> Notification:
    """Mark one of one's own notifications read; another user's is not found."""
    return services.notification_read(actor=request.user, notification_id=notification_id)
