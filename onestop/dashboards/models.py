"""Monthly rollups for the decision makers' dashboards: one figure per county, month and
metric, rebuilt set-based from the records (never edited by hand)."""

from __future__ import annotations

from django.db import models


class Figure(models.Model):
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="+")
    period = models.PositiveIntegerField()  # YYYYMM
    metric = models.CharField(max_length=32)
    value = models.DecimalField(max_digits=18, decimal_places=2)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region", "period", "metric"], name="figure_once_per_month"
            )
        ]
        indexes = [models.Index(fields=["metric", "period"], name="figure_metric_period")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.period} {self.metric} {self.value}"
