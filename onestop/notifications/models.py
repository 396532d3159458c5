"""Notifications: the in-app inbox, and each e-mail or SMS delivery attempt."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.identity.fields import EncryptedTextField


class Notification(models.Model):
    """One message to one user, in both languages; read in the inbox, copied by e-mail/SMS."""

    recipient = models.ForeignKey(
        "identity.User", on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(max_length=64)
    # Titles and bodies name people (a deceased insured person, an employee): encrypted.
    title_zh = EncryptedTextField()
    title_en = EncryptedTextField()
    body_zh = EncryptedTextField()
    body_en = EncryptedTextField()
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="inbox_unread")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.event}"


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")


class DeliveryStatus(models.TextChoices):
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    NO_ADDRESS = "no_address", _("no address on file")


class Delivery(models.Model):
    """One attempt to copy a notification out of the platform (address kept masked)."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=8, choices=DeliveryChannel.choices)
    address = models.CharField(max_length=64, blank=True)  # masked
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.status}"
