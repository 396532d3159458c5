"""Employments, declarations, the append-only ledger, bills and payments.

Periods are integers YYYYMM: portable, indexable and compared in SQL without date functions.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onestop.common.models import AppendOnly, AppendOnlyError


class Insurance(models.TextChoices):
    PENSION = "pension", _("basic pension")
    UNEMPLOYMENT = "unemployment", _("unemployment")
    WORK_INJURY = "work_injury", _("work injury")


class PostCategory(models.TextChoices):
    """The post held; decides a woman's retirement category (D1)."""

    GENERAL = "general", _("general")
    CADRE = "cadre", _("management or technical post")
    WORKER = "worker", _("production or operating post")


class InsuranceRegistration(models.Model):
    """An employer's registration for one insurance ("several insurances, one declaration")."""

    employer = models.ForeignKey(
        "identity.Employer", on_delete=models.PROTECT, related_name="insurance_registrations"
    )
    insurance = models.CharField(max_length=16, choices=Insurance.choices)
    since_period = models.PositiveIntegerField()
    risk_class = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["employer", "insurance"], name="registration_unique")
        ]

    def __str__(self) -> str:
        return f"{self.employer_id}:{self.insurance}"


class Employment(models.Model):
    """A person employed by an employer from a month, until a month (inclusive) or open."""

    person = models.ForeignKey(
        "identity.Person", on_delete=models.PROTECT, related_name="employments"
    )
    employer = models.ForeignKey(
        "identity.Employer", on_delete=models.PROTECT, related_name="employments"
    )
    start_period = models.PositiveIntegerField()
    end_period = models.PositiveIntegerField(null=True, blank=True)
    post_category = models.CharField(
        max_length=16, choices=PostCategory.choices, default=PostCategory.GENERAL
    )
    wage = models.DecimalField(max_digits=12, decimal_places=2)
    end_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "employer"],
                condition=Q(end_period__isnull=True),
                name="employment_one_open",
            ),
        ]
        indexes = [models.Index(fields=["employer", "start_period"], name="employment_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.employer_id} {self.start_period}-{self.end_period}"


class DeclarationKind(models.TextChoices):
    REGULAR = "regular", _("regular")
    SUPPLEMENTARY = "supplementary", _("supplementary")


class Declaration(models.Model):
    """An accepted monthly wage declaration. Rejected submissions are not stored: their
    row-level reasons go back to the submitter and nothing is posted."""

    employer = models.ForeignKey(
        "identity.Employer", on_delete=models.PROTECT, related_name="declarations"
    )
    period = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=DeclarationKind.choices)
    # A key is the submitter's own: unique per (employer, client), so that two employers, or
    # two users of one employer, may pick the same key without refusing each other.
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)  # noqa: DJ001
    idempotency_client = models.CharField(max_length=40, blank=True, default="")
    payload_hash = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    total_wage = models.DecimalField(max_digits=16, decimal_places=2)
    reply = models.JSONField(default=dict)
    parameters = models.CharField(max_length=40)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "period"],
                condition=Q(kind="regular"),
                name="declaration_one_regular_per_month",
            ),
            models.UniqueConstraint(
                fields=["employer", "idempotency_client", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="declaration_idempotency_key_scoped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.period} {self.kind}"


class ContributionDetail(AppendOnly):
    """One person's month in one declaration (缴费明细): the wage, the base and every part as a
    column, NULL where the employer does not insure that insurance. Every declaration, regular
    or supplementary, writes its declared figures here; a *regular* declaration's rows are
    also its ledger record: the ``LedgerEntry`` view unpivots them into entries, so that a
    month of a million employees writes a million rows and two B-trees, not nine rows and a
    dozen. The individual pension part goes wholly to the account (D3), so it is one column.

    No database foreign keys (``db_constraint=False``): the posting resolves the person and
    writes the declaration in the same transaction, and ``ledger verify`` (``references``)
    proves them. On PostgreSQL the table is partitioned by range of ``period`` (one partition
    a year, migration 0015 and ``partitions.py``); it has no primary key there (a unique
    index on a partitioned table must hold the partition key): ``id`` comes from its
    sequence and is unique all the same."""

    append_only_noun = "A contribution detail"

    declaration = models.ForeignKey(
        Declaration,
        on_delete=models.PROTECT,
        related_name="details",
        db_index=False,
        db_constraint=False,
    )
    person = models.ForeignKey(
        "identity.Person",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    employer = models.ForeignKey(
        "identity.Employer",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    period = models.PositiveIntegerField()
    wage = models.DecimalField(max_digits=12, decimal_places=2)
    base = models.DecimalField(max_digits=12, decimal_places=2)
    pension_employer = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    pension_individual = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    unemployment_employer = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    unemployment_individual = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    work_injury_employer = models.DecimalField(max_digits=12, decimal_places=2, null=True)

    class Meta:
        constraints = [
            # Idempotency: a declaration lists a person once. Led by the declaration: its
            # rows, written in person order, are appended to one range of the index.
            models.UniqueConstraint(
                fields=["declaration", "person", "period"], name="contribution_detail_once"
            )
        ]
        indexes = [
            models.Index(fields=["person", "period"], name="detail_person_period"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id}:{self.person_id} {self.period}"


class PensionMonth(models.Model):
    """The one employer that pays a person's basic pension for a month (SIL arts. 10, 12;
    人社部发〔2013〕34号: a concurrent employer may insure the person for work injury only).

    Written, set-based, by the first accepted declaration that posts the person's pension for
    the month; the unique (person, period) index makes two employers declaring the same
    person at once wait for each other, and the second is refused (``posting.claim_pension``).
    Never updated: a later declaration of the same employer finds it already there.
    Written in bulk with references the posting has just resolved: no database foreign
    keys, ``ledger verify`` (``references``) checks them."""

    person = models.ForeignKey(
        "identity.Person",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    period = models.PositiveIntegerField()
    employer = models.ForeignKey(
        "identity.Employer",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    declaration = models.ForeignKey(
        Declaration,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        constraints = [
            # Led by the month: a month's claims are appended at the index's right edge
            # instead of one page per person (twice as fast from the second month on);
            # every reader gives both columns.
            models.UniqueConstraint(
                fields=["period", "person"], name="pension_month_one_payer_by_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.period} pension by {self.employer_id}"


class EntryKind(models.TextChoices):
    EMPLOYER_POOLED = "employer_pooled", _("employer part to the pooled fund")
    INDIVIDUAL_ACCOUNT = "individual_account", _("individual part to the account")
    INDIVIDUAL_POOLED = "individual_pooled", _("individual part (not to an account)")
    INTEREST = "interest", _("interest")
    TRANSFER_IN = "transfer_in", _("transfer in")
    TRANSFER_OUT = "transfer_out", _("transfer out")
    CORRECTION = "correction", _("correction")
    INHERITED = "inherited", _("inherited by the heirs")
    #: An individual payer's (flexible employment) month, posted once its bill is paid.
    FLEXIBLE_ACCOUNT = "flexible_account", _("individual payer's part to the account")
    FLEXIBLE_POOLED = "flexible_pooled", _("individual payer's part to the pooled fund")


class _LedgerAmount(AppendOnly):
    """The columns a ledger entry has whether it is a row of its own (``LedgerRecord``) or a
    part of a declaration's detail seen through the view (``LedgerEntry``)."""

    append_only_noun = "A ledger entry"

    period = models.PositiveIntegerField()
    insurance = models.CharField(max_length=16, choices=Insurance.choices)
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    account = models.BooleanField(default=False)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    base = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    source_type = models.CharField(max_length=16)
    source_id = models.BigIntegerField()

    class Meta:
        abstract = True


class LedgerRecord(_LedgerAmount):
    """A ledger entry written as a row of its own: every entry but a regular declaration's
    (interest, transfers, corrections, inheritance, individual payers, a supplementary
    declaration's differences, reversals). One amount for one person, month, insurance and
    kind, from one source. Never updated. Read it through ``LedgerEntry``.

    ``account`` marks entries that count towards the individual account (a correction of an
    account entry is an account entry too).
    """

    # Indexed by the composites in Meta, not one index per foreign key. No database foreign
    # keys: every writer resolves the person and employer in the statement that writes the
    # entry, re-checking millions of them at commit doubled a bulk post's time; ``ledger
    # verify`` (``references``) proves them, and the ORM still protects what is referenced.
    person = models.ForeignKey(
        "identity.Person",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    employer = models.ForeignKey(
        "identity.Employer",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Led by the integer source id (a declaration's entries are one range of the
            # index, appended in person order), not by the text source type.
            models.UniqueConstraint(
                fields=["source_id", "person", "period", "insurance", "kind", "source_type"],
                name="ledger_entry_idempotent_by_source",
            ),
        ]
        # No index by employer: a supplementary declaration reads the month of the persons
        # it lists through (person, period), and every other reader goes by person or scans
        # a range of months; one B-tree less to maintain for each of a month's entries.
        indexes = [
            models.Index(fields=["person", "period"], name="ledger_person_period"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.period} {self.insurance} {self.kind} {self.amount}"


class LedgerEntry(_LedgerAmount):
    """The ledger as every reader sees it: one amount for one person, month, insurance and
    kind, from one source. Never updated.

    A database view (``contributions_ledgerentry``, migration 0015): the ``LedgerRecord``
    rows, and a regular declaration's ``ContributionDetail`` rows unpivoted into entries
    (employer part to the pool, individual part to the account or the pool, each nonzero
    part one entry, ``source_type`` "declaration", ``created_at`` the declaration's). Ids are
    unique across both: a record's is ``8 * id``, a detail's ``8 * id + k`` (k = 1..5, the
    part); they do not grow with time across the two tables. Write ``LedgerRecord``.

    ``account`` marks entries that count towards the individual account (a correction of an
    account entry is an account entry too).
    """

    person = models.ForeignKey(
        "identity.Person",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    employer = models.ForeignKey(
        "identity.Employer",
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "contributions_ledgerentry"

    def save(self, *args: object, **kwargs: object) -> None:
        raise AppendOnlyError("The ledger is a view: write a LedgerRecord.")

    def __str__(self) -> str:
        return f"{self.person_id} {self.period} {self.insurance} {self.kind} {self.amount}"


class Bill(models.Model):
    """What an employer owes for a declaration and insurance (employer part + withheld
    individual part). Adjusting declarations get bills of their own, positive or negative."""

    employer = models.ForeignKey(
        "identity.Employer", on_delete=models.PROTECT, related_name="bills"
    )
    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="bills")
    period = models.PositiveIntegerField()
    insurance = models.CharField(max_length=16, choices=Insurance.choices)
    employer_amount = models.DecimalField(max_digits=16, decimal_places=2)
    individual_amount = models.DecimalField(max_digits=16, decimal_places=2)
    amount_due = models.DecimalField(max_digits=16, decimal_places=2)
    #: What the collecting authority is asked for: ``amount_due`` less the refunds of the
    #: month set against it (``netting.py``). NULL: as ``amount_due`` (nothing set against).
    collect_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    due_date = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "insurance"], name="bill_per_declaration_insurance"
            )
        ]
        indexes = [
            models.Index(fields=["employer", "period", "insurance"], name="bill_employer_month"),
        ]

    def __str__(self) -> str:
        return f"bill {self.pk} {self.employer_id} {self.period} {self.insurance}"


class Payment(models.Model):
    """A payment reported by the collecting authority, matched to one bill. Idempotent by the
    authority's own payment id.

    What was received is ``amount + late_fee``, split when it is recorded (under the month's
    lock): first the principal still owed on the bill, then the late surcharge (滞纳金, SIL
    art. 86) earned and not yet paid, and anything beyond is principal again (paid above the
    bill: the month's credit, ``netting.py``). ``amount`` is what counts towards the bill
    (every sum of payments reads it); ``late_fee`` is what paid the surcharge."""

    external_id = models.CharField(max_length=64, unique=True)
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    late_fee = models.DecimalField(
        max_digits=16, decimal_places=2, default=Decimal("0.00"), db_default=Decimal("0.00")
    )
    paid_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"payment {self.external_id} {self.amount}"


class MonthCredit(AppendOnly):
    """A change of what the platform owes an employer back for one month and insurance (a
    refund due): payments above the month's net declared total. Never updated: the credit of
    a month is the sum of its rows, written in the transaction of the declaration or payment
    that changed it (``netting.settle_month``)."""

    append_only_noun = "A month's credit"

    employer = models.ForeignKey(
        "identity.Employer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    period = models.PositiveIntegerField()
    insurance = models.CharField(max_length=16, choices=Insurance.choices)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    source_type = models.CharField(max_length=16)  # declaration, payment, migration
    source_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["employer", "period", "insurance"], name="credit_employer_month"),
        ]

    def __str__(self) -> str:
        return f"credit {self.employer_id} {self.period} {self.insurance} {self.amount}"


class AccountYear(models.Model):
    """An individual account's year after interest crediting: the yearly job writes one row
    per person and year, once (idempotent)."""

    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    opening = models.DecimalField(max_digits=14, decimal_places=2)
    contributions = models.DecimalField(max_digits=14, decimal_places=2)
    interest = models.DecimalField(max_digits=14, decimal_places=2)
    closing = models.DecimalField(max_digits=14, decimal_places=2)
    rate = models.DecimalField(max_digits=6, decimal_places=4)
    method = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="account_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.year} {self.closing}"


class CollectionCursor(models.Model):
    """How far the collecting authority's payment reports have been read (one row)."""

    cursor = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"cursor {self.cursor}"


class UploadStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("being checked")
    TO_CONFIRM = "to_confirm", _("waiting for your confirmation")
    ACCEPTED = "accepted", _("accepted")
    REFUSED = "refused", _("refused")
    FAILED = "failed", _("failed")


class DeclarationUpload(models.Model):
    """A declaration file as received: checked and posted now when small, by a background
    job with its progress when large. The whole file is accepted or refused as one; the
    form's one-time token makes a double submit find the same upload."""

    employer = models.ForeignKey(
        "identity.Employer", on_delete=models.PROTECT, related_name="declaration_uploads"
    )
    created_by = models.ForeignKey(
        "identity.User", on_delete=models.PROTECT, related_name="declaration_uploads"
    )
    token = models.CharField(max_length=64)
    period = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=DeclarationKind.choices)
    file_name = models.CharField(max_length=200)
    file = models.FileField(upload_to="declarations/%Y/%m/")
    size = models.PositiveBigIntegerField()
    background = models.BooleanField(default=False)
    #: The employer confirmed the bases raised to the floor or lowered to the cap.
    confirmed = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=UploadStatus.choices, default=UploadStatus.QUEUED
    )
    phase = models.CharField(max_length=16, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    reply = models.JSONField(default=dict)
    errors = models.JSONField(default=list)
    declaration = models.ForeignKey(
        Declaration, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "created_by", "token"], name="declaration_upload_once"
            )
        ]

    def __str__(self) -> str:
        return f"upload {self.pk} {self.employer_id} {self.period} {self.status}"


class PayerStatus(models.TextChoices):
    ACTIVE = "active", _("paying")
    SUSPENDED = "suspended", _("payments suspended")
    ENDED = "ended", _("ended")


class IndividualPayer(models.Model):
    """A person paying pension contributions themselves (flexible employment, SX-SI-005):
    the frequency and the first month; the base in force is the newest ``IndividualPayerBase``
    whose first month is not after the month billed. One registration not ended per person."""

    person = models.ForeignKey(
        "identity.Person", on_delete=models.PROTECT, related_name="individual_payers"
    )
    frequency = models.CharField(max_length=16)
    start_period = models.PositiveIntegerField()
    #: Last month paid this way (inclusive), once ended.
    end_period = models.PositiveIntegerField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    #: The platform's reason in English (``end_reason`` its Chinese); empty for one a
    #: person wrote, shown as written.
    end_reason_en = models.CharField(max_length=240, blank=True)
    status = models.CharField(
        max_length=16, choices=PayerStatus.choices, default=PayerStatus.ACTIVE
    )
    #: Months not billed while suspended: from ``suspended_from`` on (inclusive); earlier
    #: suspensions as ``[first, last]`` months in ``pauses``.
    suspended_from = models.PositiveIntegerField(null=True, blank=True)
    pauses = models.JSONField(default=list, blank=True)
    #: Changes of the payment frequency, ``[from_period, frequency]`` in order: each applies
    #: from the first month of a period of both frequencies (``frequency`` before the first).
    frequency_changes = models.JSONField(default=list, blank=True)
    case_number = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=~Q(status="ended"),
                name="individual_payer_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"payer {self.pk} {self.person_id} {self.status}"


class IndividualPayerBase(AppendOnly):
    """The base an individual payer chose, from a month on; never changed (a change is a new
    row, from the next payment period). Records the bounds and their source when chosen."""

    append_only_noun = "An individual payer's base"

    payer = models.ForeignKey(IndividualPayer, on_delete=models.PROTECT, related_name="bases")
    from_period = models.PositiveIntegerField()
    base = models.DecimalField(max_digits=12, decimal_places=2)
    floor = models.DecimalField(max_digits=12, decimal_places=2)
    ceiling = models.DecimalField(max_digits=12, decimal_places=2)
    parameters = models.CharField(max_length=40)
    reason = models.CharField(max_length=40)  # enrolled, changed, annual_reset
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["payer", "from_period"], name="payer_base_from")]

    def __str__(self) -> str:
        return f"{self.payer_id} {self.from_period} {self.base}"


class IndividualBill(models.Model):
    """What an individual payer owes for one payment period (calendar-aligned by the
    frequency, months outside the registration or suspended left out), computed with
    ``rules.contributions.flexible_due``; one per payer and first month."""

    payer = models.ForeignKey(IndividualPayer, on_delete=models.PROTECT, related_name="bills")
    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="+")
    first_period = models.PositiveIntegerField()
    last_period = models.PositiveIntegerField()
    #: The months billed (YYYYMM), a subset of first..last.
    periods = models.JSONField(default=list)
    base = models.DecimalField(max_digits=12, decimal_places=2)
    monthly_amount = models.DecimalField(max_digits=12, decimal_places=2)
    monthly_to_account = models.DecimalField(max_digits=12, decimal_places=2)
    amount_due = models.DecimalField(max_digits=14, decimal_places=2)
    to_account = models.DecimalField(max_digits=14, decimal_places=2)
    pooled = models.DecimalField(max_digits=14, decimal_places=2)
    parameters = models.CharField(max_length=40)
    due_date = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    #: When it was paid in full and its months posted to the ledger.
    posted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["payer", "first_period"], name="individual_bill_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"individual bill {self.pk} {self.person_id} {self.first_period}"


class IndividualPayment(models.Model):
    """A payment of an individual bill reported by the collecting authority, idempotent by
    the authority's own payment id."""

    external_id = models.CharField(max_length=64, unique=True)
    bill = models.ForeignKey(IndividualBill, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    paid_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"individual payment {self.external_id} {self.amount}"


class RefundReason(models.TextChoices):
    PAID_TWICE = "paid_twice", "paid twice"
    CANCELLED = "cancelled", "paid on a cancelled bill"
    OVERPAID = "overpaid", "paid above the bill"


class IndividualRefund(models.Model):
    """Money an individual payer is owed back.

    ``paid_twice``: a month an individual payer paid for (flexible employment) that an
    employer's declaration also covers (SIL arts. 10, 12: one pension payer a month,
    ``PensionMonth``): the employer's month stands, the individual payment for it is refunded
    to the person. Found by the daily data comparison whichever came first; the month's
    individual ledger entries are reversed by entries of their own (the ledger is never
    changed). ``cancelled`` and ``overpaid``: money the collecting authority received on a
    bill beyond what the bill asks (all of it once the bill is cancelled), never posted to
    the ledger; ``period`` is the bill's first month, ``payment`` the payment that brought it
    (none when the bill was lowered after it was paid)."""

    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="+")
    payer = models.ForeignKey(IndividualPayer, on_delete=models.PROTECT, related_name="refunds")
    bill = models.ForeignKey(IndividualBill, on_delete=models.PROTECT, related_name="refunds")
    period = models.PositiveIntegerField()
    reason = models.CharField(
        max_length=16, choices=RefundReason.choices, default=RefundReason.PAID_TWICE
    )
    payment = models.ForeignKey(
        IndividualPayment, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    #: The employer whose declaration holds the month's pension (``paid_twice`` only).
    employer = models.ForeignKey(
        "identity.Employer", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    to_account = models.DecimalField(max_digits=12, decimal_places=2)
    pooled = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField()
    #: When the refund was paid out to the person (None: due).
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["period", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period"],
                condition=Q(reason="paid_twice"),
                name="individual_refund_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.period} {self.amount}"
