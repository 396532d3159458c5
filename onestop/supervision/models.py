"""Time-limit warnings (黄牌/红牌) raised by the clock, one per level and open step."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    YELLOW = "yellow", _("yellow: close to the limit")
    RED = "red", _("red: overdue")


class Warning(models.Model):
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="warnings"
    )
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=8, choices=Level.choices)
    # The open steps' ids when raised: a new step starts with a clean sheet.
    step_key = models.CharField(max_length=200)
    task = models.CharField(max_length=120)
    due = models.DateField()
    raised_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    escalated = models.BooleanField(default=False)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "step_key", "level"], name="warning_once_per_step"
            )
        ]
        indexes = [models.Index(fields=["resolved_at", "level"], name="warning_open")]
        verbose_name = _("time-limit warning")
        verbose_name_plural = _("time-limit warnings")

    def __str__(self) -> str:
        return f"{self.application_id} {self.level}"
