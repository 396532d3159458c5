"""Reading one's inbox."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from onestop.notifications.models import Notification


def inbox_of(*, actor: Any, unread_only: bool = False) -> QuerySet[Notification]:
    if not getattr(actor, "is_authenticated", False):
        return Notification.objects.none()
    found = Notification.objects.filter(recipient_id=actor.pk)
    return found.filter(read_at__isnull=True) if unread_only else found


def unread_count(*, actor: Any) -> int:
    return inbox_of(actor=actor, unread_only=True).count()
