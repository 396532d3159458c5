"""Employment and unemployment registration (SX-EMP-001): a person registered as unemployed,
with the end of the last employment as the platform recorded it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onestop.identity.fields import EncryptedTextField


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


class BenefitStatus(models.TextChoices):
    ACTIVE = "active", _("paid monthly")
    STOPPED = "stopped", _("stopped")


class StopReason(models.TextChoices):
    """Codes of ``onestop.rules.unemployment.StopReason`` (D10 art. 15, D11 arts. 49, 51)."""

    REEMPLOYED = "reemployed", _("re-employed")
    ENLISTED = "enlisted", _("enlisted for military service")
    SETTLED_ABROAD = "settled_abroad", _("settled abroad")
    PENSION = "pension", _("started drawing a basic pension")
    IMPRISONED = "imprisoned", _("imprisoned")
    REFUSED_JOB = "refused_job", _("refused suitable work or training without good reason")
    DIED = "died", _("died")


class UnemploymentBenefit(models.Model):
    """An approved unemployment benefit (SX-SI-009): paid from ``start_period`` to
    ``end_period`` (both YYYYMM, inclusive); a stop moves ``end_period`` back to the last
    month paid. The assessment the case worker approved is kept with its explanation."""

    person = models.ForeignKey(
        "identity.Person", on_delete=models.PROTECT, related_name="unemployment_benefits"
    )
    registration = models.OneToOneField(
        UnemploymentRegistration, on_delete=models.PROTECT, related_name="benefit"
    )
    case_number = models.CharField(max_length=24, unique=True)
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="+")
    start_period = models.PositiveIntegerField()
    months = models.PositiveSmallIntegerField()
    #: The last month payable: start + months - 1, or the event month after a stop.
    end_period = models.PositiveIntegerField()
    monthly_amount = models.DecimalField(max_digits=10, decimal_places=2)
    #: The account the claim named (SX-SI-009's form): encrypted at rest, masked on screens.
    bank_account = EncryptedTextField(blank=True, default="")
    #: Blind index of ``bank_account`` (HMAC, ``identity.crypto.blind_index``): finds an
    #: account already paid to someone else without storing the number in clear.
    bank_account_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    earned_months = models.PositiveSmallIntegerField(default=0)
    carried_in_months = models.PositiveSmallIntegerField(default=0)
    assessment = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=BenefitStatus.choices, default=BenefitStatus.ACTIVE
    )
    stop_reason = models.CharField(max_length=20, choices=StopReason.choices, blank=True)
    #: Unused months a later spell may add (only after re-employment, D10 art. 17).
    carried_out_months = models.PositiveSmallIntegerField(default=0)
    stopped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["start_period", "end_period"], name="unemployment_benefit_pay")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.start_period}+{self.months} {self.status}"


class BenefitPayrollRun(models.Model):
    """One month's unemployment benefit payroll (idempotent per month)."""

    period = models.PositiveIntegerField(unique=True)  # YYYYMM
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)
    count = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        ordering = ["-period"]

    def __str__(self) -> str:
        return str(self.period)


class BenefitPaymentKind(models.TextChoices):
    REGULAR = "regular", _("monthly unemployment benefit")
    RECOVERY = "recovery", _("overpayment to recover")


class BenefitPayment(models.Model):
    """One line of an unemployment payroll (or a recovery): never changed."""

    run = models.ForeignKey(
        BenefitPayrollRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    benefit = models.ForeignKey(
        UnemploymentBenefit, on_delete=models.PROTECT, related_name="payments"
    )
    period = models.PositiveIntegerField()  # YYYYMM
    kind = models.CharField(max_length=16, choices=BenefitPaymentKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    #: The account paid into: the benefit's at the time of the payroll (encrypted).
    bank_account = EncryptedTextField(blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["period", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["benefit", "period", "kind"], name="unemployment_payment_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.benefit_id} {self.period} {self.kind}"


class MedicalContribution(models.Model):
    """The basic medical insurance contribution the unemployment fund pays for a person in a
    month of their benefit (D10 art. 19, D11 art. 48): one line per person and month, made by
    the payroll that paid the month, sent to the medical insurance department in the run's
    batch (``exchange.OutboundMessage``, by id: its delivery state and acknowledgement)."""

    run = models.ForeignKey(
        BenefitPayrollRun, on_delete=models.PROTECT, related_name="medical_contributions"
    )
    benefit = models.ForeignKey(
        UnemploymentBenefit, on_delete=models.PROTECT, related_name="medical_contributions"
    )
    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="+")
    period = models.PositiveIntegerField()  # YYYYMM
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    #: The parameters the amount came from, e.g. ``610000/2026/v1``.
    parameters = models.CharField(max_length=32)
    outbox_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["period", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "period"], name="unemployment_medical_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.period} {self.amount}"


class ClaimAccount(models.Model):
    """The bank account an SX-SI-009 claim named, as a blind index (HMAC,
    ``identity.crypto.blind_index``), written when the claim is filed: finds another person's
    open claim with the same account in one indexed lookup, without decrypting any claim."""

    claim = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="+")
    account_index = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return f"{self.claim_id} {self.person_id}"
