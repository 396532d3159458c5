"""Employment and unemployment registration (SX-EMP-001): a person registered as unemployed,
with the end of the last employment as the platform recorded it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Separation(models.TextChoices):
    """How the last employment ended (codes of ``onestop.rules.unemployment.Separation``);
    blank when the employer's reason names none of them and a case worker has to decide."""

    UNDETERMINED = "", _("to be determined")
    CONTRACT_EXPIRED = "contract_expired", _("contract expired")
    ENDED_BY_EMPLOYER = "ended_by_employer", _("contract ended by the employer")
    DISMISSED = "dismissed", _("dismissed by the employer")
    EMPLOYER_BREACH = "employer_breach", _("ended for the employer's breach")
    OTHER_BY_LAW = "other_by_law", _("another case set by law")
    RESIGNED = "resigned", _("resigned")
    OTHER = "other", _("another reason of the person's own will")


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    COUNTER = "counter", _("counter")
    API = "api", _("app or kiosk (API)")


class Status(models.TextChoices):
    REGISTERED = "registered", _("registered as unemployed")
    ENDED = "ended", _("ended")


class EndReason(models.TextChoices):
    REEMPLOYED = "reemployed", _("re-employed")
    WITHDRAWN = "withdrawn", _("withdrawn by the person")


class UnemploymentRegistration(models.Model):
    person = models.ForeignKey(
        "identity.Person", on_delete=models.PROTECT, related_name="unemployment_registrations"
    )
    #: The month registered (YYYYMM), the first month of unemployment on record.
    period = models.PositiveIntegerField()
    # The last employment, from the platform's own record (contributions.Employment, by id:
    # another context's row is referred to, never joined).
    employment_id = models.PositiveBigIntegerField(null=True, blank=True)
    employer = models.ForeignKey(
        "identity.Employer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    employment_end_period = models.PositiveIntegerField(null=True, blank=True)
    employer_reason = models.CharField(max_length=200, blank=True)
    separation = models.CharField(max_length=20, choices=Separation.choices, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REGISTERED)
    end_period = models.PositiveIntegerField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="registered"),
                name="unemployment_one_open_registration",
            ),
        ]
        indexes = [models.Index(fields=["status", "period"], name="unemployment_reg_status")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.period} {self.status}"
