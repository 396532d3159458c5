"""Writing notifications: ``notify`` puts a message in each recipient's inbox in the caller's
transaction; e-mail and SMS copies go out after commit (a task, idempotent per channel)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from onestop.common.errors import NotFound
from onestop.identity.masking import mask_phone
from onestop.identity.models import User
from onestop.notifications import sms
from onestop.notifications.models import Delivery, DeliveryChannel, DeliveryStatus, Notification
from onestop.notifications.templates import TEMPLATES


def notify(
    *, recipients: Iterable[User | None], event: str, context: dict[str, Any], link: str = ""
) -> list[Notification]:
    """Notify each distinct recipient of ``event``; returns the inbox rows created."""
    title_zh, title_en, body_zh, body_en = TEMPLATES[event]
    # Values may be lazy texts (a step's label, an item's name): each language's message is
    # filled with them as read in that language.
    with translation.override("zh-hans"):
        values_zh = {k: ("" if v is None else str(v)) for k, v in context.items()}
    with translation.override("en"):
        values_en = {k: ("" if v is None else str(v)) for k, v in context.items()}
    now = timezone.now()
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                recipient=user,
                event=event,
                title_zh=title_zh.format(**values_zh)[:200],
                title_en=title_en.format(**values_en)[:200],
                body_zh=body_zh.format(**values_zh),
                body_en=body_en.format(**values_en),
                link=link,
                created_at=now,
            )
        )
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created]  # SQLite and PostgreSQL return the new keys
    if ids:
        from onestop.notifications.tasks import deliver_task

        transaction.on_commit(lambda: deliver_task.delay(ids))
    return created


def _phone_of(user: User) -> str:
    person = getattr(user, "person", None)
    return str(person.phone) if person is not None and person.phone else ""


def _deliver_one(notification: Notification, channel: str) -> None:
    if Delivery.objects.filter(notification=notification, channel=channel).exists():
        return
    user = notification.recipient
    text = f"{notification.body_zh}\n\n{notification.body_en}"
    address, status, detail = "", DeliveryStatus.NO_ADDRESS, ""
    try:
        if channel == DeliveryChannel.EMAIL and user.email:
            local, _, domain = user.email.partition("@")
            address = f"{local[:1]}***@{domain}"
            send_mail(
                f"{notification.title_zh} / {notification.title_en}",
                text,
                None,
                [user.email],
            )
            status = DeliveryStatus.SENT
        elif channel == DeliveryChannel.SMS and (phone := _phone_of(user)):
            address = mask_phone(phone)
            detail = sms.gateway().send(phone=phone, text=f"【人社一网通办】{notification.body_zh}")
            status = DeliveryStatus.SENT
    except Exception as exc:
        status, detail = DeliveryStatus.FAILED, type(exc).__name__
    # Another worker may have delivered it first; the savepoint keeps the caller usable.
    with contextlib.suppress(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            notification=notification,
            channel=channel,
            address=address,
            status=status,
            detail=str(detail)[:200],
            at=timezone.now(),
        )


def notifications_deliver(*, ids: list[int]) -> None:
    """Send the e-mail and SMS copies of these notifications, once per channel."""
    for notification in Notification.objects.filter(pk__in=ids).select_related("recipient__person"):
        for channel in (DeliveryChannel.EMAIL, DeliveryChannel.SMS):
            _deliver_one(notification, channel)


def notification_read(*, actor: Any, notification_id: int) -> Notification:
    """Mark one of the actor's own notifications read (others' are not found)."""
    found = Notification.objects.filter(pk=notification_id, recipient_id=actor.pk).first()
    if found is None:
        raise NotFound()
    if found.read_at is None:
        found.read_at = timezone.now()
        found.save(update_fields=["read_at"])
    return found


def notifications_read_all(*, actor: Any) -> int:
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
