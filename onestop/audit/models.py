"""Journal entries and the chain head. Entries are never updated or deleted."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.common.models import AppendOnly, AppendOnlyError

__all__ = ["AppendOnlyError", "ChainHead", "Entry", "Outcome"]


class Outcome(models.TextChoices):
    SUCCESS = "success", _("success")
    DENIED = "denied", _("denied")
    FAILED = "failed", _("failed")


class Entry(AppendOnly):
    append_only_noun = "A journal entry"

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    changes = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    client_address = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=16, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["actor_id", "at"], name="audit_actor_idx"),
        ]
        permissions = [
            ("search_journal", "Can search the audit journal"),
            ("export_journal", "Can export the audit journal"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_type}:{self.target_id}"


class ChainHead(models.Model):
    """The last entry's sequence number and hash; one row, locked while appending."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"
