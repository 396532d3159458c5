"""Pensioners, monthly payroll runs and their payments, entitlement checks.

Months are kept as an integer index (``year * 12 + month - 1``) next to their ``YYYY-MM``
label, so payroll arithmetic over months is plain SQL on both databases.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.identity.fields import EncryptedJSONField, EncryptedTextField


class PensionerStatus(models.TextChoices):
    ACTIVE = "active", _("paid monthly")
    SUSPENDED = "suspended", _("suspended")
    STOPPED = "stopped", _("stopped")


class Pensioner(models.Model):
    person = models.OneToOneField(
        "identity.Person", on_delete=models.PROTECT, related_name="pensioner"
    )
    case_number = models.CharField(max_length=24)
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="+")
    retirement_month = models.CharField(max_length=7)
    start_index = models.PositiveIntegerField()  # the first month paid
    monthly_amount = models.DecimalField(max_digits=10, decimal_places=2)
    award = models.JSONField()  # amounts, inputs and the line-by-line explanation
    bank_account = EncryptedTextField(blank=True, default="")
    status = models.CharField(
        max_length=16, choices=PensionerStatus.choices, default=PensionerStatus.ACTIVE
    )
    # Months before this one that are owed and not yet paid (a late award, a resumption).
    owed_from_index = models.PositiveIntegerField(null=True, blank=True)
    stopped_from_index = models.PositiveIntegerField(null=True, blank=True)
    status_reason = models.CharField(max_length=200, blank=True)
    last_confirmed = models.DateField(null=True, blank=True)
    confirmation_requested_on = models.DateField(null=True, blank=True)
    suspended_from_index = models.PositiveIntegerField(null=True, blank=True)
    # Why it is suspended: "confirmation" (not confirmed in time) or "imprisonment".
    suspended_by = models.CharField(max_length=16, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "start_index"], name="pensioner_payroll")]
        verbose_name = _("pensioner")
        verbose_name_plural = _("pensioners")

    def __str__(self) -> str:
        return f"Pensioner {self.pk}"

    def get_reason_display(self) -> str:
        """Why the pension is held or stopped, in the reader's language (``status_reason``
        keeps the journal's note: dates and the source that reported it)."""
        if self.status == PensionerStatus.STOPPED:
            return str(_("death"))
        if self.status == PensionerStatus.SUSPENDED:
            if self.suspended_by == "imprisonment":
                return str(_("serving a prison term"))
            return str(_("entitlement not confirmed in time"))
        return ""


class PayrollRun(models.Model):
    period = models.CharField(max_length=7, unique=True)
    period_index = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)
    count = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    report = models.JSONField(default=dict)

    class Meta:
        ordering = ["-period_index"]

    def __str__(self) -> str:
        return self.period


class PaymentKind(models.TextChoices):
    REGULAR = "regular", _("monthly pension")
    ARREARS = "arrears", _("arrears")
    RECOVERY = "recovery", _("overpayment to recover")


class Payment(models.Model):
    """One line of a payroll (or a recovery): never changed; a correction is a new line."""

    run = models.ForeignKey(
        PayrollRun, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    pensioner = models.ForeignKey(Pensioner, on_delete=models.PROTECT, related_name="payments")
    period_index = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=PaymentKind.choices)
    months = models.PositiveSmallIntegerField(default=1)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["period_index", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pensioner", "period_index", "kind"], name="payment_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pensioner_id} {self.period_index} {self.kind}"


class EntitlementCheck(models.Model):
    """One comparison of a pensioner with a registry, and what followed."""

    pensioner = models.ForeignKey(Pensioner, on_delete=models.PROTECT, related_name="checks")
    at = models.DateTimeField()
    source = models.CharField(max_length=64)
    outcome = models.CharField(max_length=200)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.pensioner_id} {self.source} {self.outcome}"


class RetirementNotice(models.Model):
    """A person told ahead that they reach their statutory retirement month (once)."""

    person = models.ForeignKey("identity.Person", on_delete=models.CASCADE, related_name="+")
    retirement_month = models.CharField(max_length=7)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "retirement_month"], name="notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.retirement_month}"


class AdjustmentStatus(models.TextChoices):
    PREPARED = "prepared", _("prepared, for review")
    APPLIED = "applied", _("applied")
    REVERSED = "reversed", _("reversed")


class Adjustment(models.Model):
    """A year's pension adjustment as one batch: prepared (every new amount computed and
    reviewable), applied, and reversible until a payroll has paid the new amounts."""

    year = models.PositiveSmallIntegerField(unique=True)
    percentage = models.DecimalField(max_digits=6, decimal_places=4)
    fixed_amount = models.DecimalField(max_digits=10, decimal_places=2)
    effective_index = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=AdjustmentStatus.choices, default=AdjustmentStatus.PREPARED
    )
    count = models.PositiveIntegerField(default=0)
    increase = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    prepared_by = models.CharField(max_length=150)
    prepared_at = models.DateTimeField()
    applied_at = models.DateTimeField(null=True, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"adjustment {self.year}"

    @property
    def effective_month(self) -> str:
        return f"{self.effective_index // 12:04d}-{self.effective_index % 12 + 1:02d}"


class AdjustmentLine(models.Model):
    adjustment = models.ForeignKey(Adjustment, on_delete=models.CASCADE, related_name="lines")
    pensioner = models.ForeignKey(Pensioner, on_delete=models.PROTECT, related_name="+")
    before = models.DecimalField(max_digits=10, decimal_places=2)
    after = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["adjustment", "pensioner"], name="adjustment_line_once")
        ]

    def __str__(self) -> str:
        return f"{self.adjustment_id} {self.pensioner_id}"


class TransferDirection(models.TextChoices):
    IN = "in", _("transfer in from another province")
    OUT = "out", _("transfer out to another province")
    INTERNAL = "internal", _("move between regions of the province")


class Transfer(models.Model):
    """A pension relation moved (D6): in from or out to another province through the exchange,
    or between the province's own regions. ``temporary``: the relation stayed at the old place
    (age limits) and a temporary account holds the contributions meanwhile."""

    number = models.CharField(max_length=24, unique=True)
    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=8, choices=TransferDirection.choices)
    counterpart = models.CharField(max_length=12)  # province code, or region code if internal
    counterpart_name = models.CharField(max_length=120)
    counterpart_name_en = models.CharField(max_length=160, blank=True)
    temporary = models.BooleanField(default=False)
    account_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    pooled_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    months_count = models.PositiveIntegerField(default=0)
    # [[YYYY-MM, base, that place's average wage], ...]: for the award's average index.
    months = models.JSONField(default=list)
    case_number = models.CharField(max_length=24, blank=True)
    at = models.DateTimeField()
    by = models.CharField(max_length=150)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["person", "direction"], name="transfer_person")]

    def __str__(self) -> str:
        return self.number


class SurvivorStatus(models.TextChoices):
    OPEN = "open", _("open, awaiting the survivors")
    CLAIMED = "claimed", _("claimed")


class SurvivorBenefit(models.Model):
    """Opened by a confirmed death of an insured person or a pensioner: the funeral grant, the
    survivor benefit and the inheritable account, computed when the death is confirmed and put
    in front of the survivors and the county agency; claimed once through SX-SI-008."""

    person = models.OneToOneField(
        "identity.Person", on_delete=models.PROTECT, related_name="survivor_benefit"
    )
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="+")
    died_on = models.DateField()
    source = models.CharField(max_length=64)
    opened_at = models.DateTimeField()
    # Amounts and explanation lines, or {"error": ...} when they cannot be computed yet.
    facts = EncryptedJSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=SurvivorStatus.choices, default=SurvivorStatus.OPEN
    )
    # Who registered the death (from the registry's record), told when it is opened.
    declarant = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_number = models.CharField(max_length=24, blank=True)
    claimant = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("survivors' benefits")
        verbose_name_plural = _("survivors' benefits")

    def __str__(self) -> str:
        return f"Survivors of {self.person_id}"
