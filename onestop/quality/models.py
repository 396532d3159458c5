"""Data-quality findings: what a rule found wrong with one record, the staff's work on it, and
each scan's record counts per region and table (the denominators of the scores)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FindingStatus(models.TextChoices):
    OPEN = "open", _("open")
    RESOLVED = "resolved", _("resolved")
    DISMISSED = "dismissed", _("not an error")
    CLEARED = "cleared", _("no longer found")


class Finding(models.Model):
    """One rule's finding about one subject; found again, it is the same finding."""

    rule = models.CharField(max_length=40)
    table = models.CharField(max_length=16)
    key = models.CharField(max_length=64)
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="+")
    subject_type = models.CharField(max_length=16)  # person, employer, pensioner
    subject_id = models.BigIntegerField()
    detail = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["rule", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "key"], name="finding_once_per_subject")
        ]
        indexes = [models.Index(fields=["status", "region"], name="finding_status_region")]

    def __str__(self) -> str:
        return f"{self.rule} {self.key} {self.status}"


class Scan(models.Model):
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    by = models.CharField(max_length=150, blank=True)
    registries = models.CharField(max_length=16)  # checked, unavailable, off
    found = models.PositiveIntegerField(default=0)
    opened = models.PositiveIntegerField(default=0)
    cleared = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"scan {self.started_at:%Y-%m-%d %H:%M}"


class Tally(models.Model):
    """How many records a table held in a county at a scan."""

    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="tallies")
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="+")
    table = models.CharField(max_length=16)
    records = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scan", "region", "table"], name="tally_once")
        ]

    def __str__(self) -> str:
        return f"{self.scan_id} {self.region_id} {self.table} {self.records}"
