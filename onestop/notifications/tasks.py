"""Background entry points (Celery in production, in-process in the embedded default)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="notifications.deliver", ignore_result=True)  # type: ignore[untyped-decorator]
def deliver_task(ids: list[int]) -> None:
    """E-mail and SMS copies of new notifications; safe to run twice."""
    from onestop.notifications.services import notifications_deliver

    notifications_deliver(ids=ids)
