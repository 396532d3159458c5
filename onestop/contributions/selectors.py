"""Reads: statements, bills and arrears, and the ledger's invariants."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from onestop.common.errors import NotFound
from onestop.contributions import netting
from onestop.contributions.contracts import EmploymentFacts
from onestop.contributions.credit import unpaid_declarations
from onestop.contributions.models import (
    AccountYear,
    Bill,
    ContributionDetail,
    Employment,
    Insurance,
    InsuranceRegistration,
    LedgerEntry,
    MonthCredit,
    Payment,
    PensionMonth,
)
from onestop.contributions.periods import month_of
from onestop.contributions.verify import Violation, ledger_verify

__all__ = ["Violation", "ledger_verify"]  # the verifier lives in verify.py; read from here
from onestop.identity.models import Employer, Person
from onestop.parameters import selectors as parameters
from onestop.rules.contributions import late_fee_accrued

VIEW = "contributions.view"
#: The key of a statement month paid as an individual (flexible employment), in place of an
#: employer's name; shown as ``StatementMonth.label`` in the reader's language. No employer
#: name starts with a NUL.
FLEXIBLE_KEY = "\x00flexible"
CENT = Decimal("0.01")


def _dec(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def employer_checked(*, actor: Any, employer_id: int) -> Employer:
    employer = Employer.objects.select_related("region").filter(pk=employer_id).first()
    if employer is None or not actor.has_perm(VIEW, employer):
        raise NotFound()
    return employer


def person_checked(*, actor: Any, person_id: int) -> Person:
    person = Person.objects.select_related("region").filter(pk=person_id).first()
    if person is None or not actor.has_perm(VIEW, person):
        raise NotFound()
    return person


def person_own(*, actor: Any) -> Person:
    """The signed-in user's own person, as the session loaded it with the user (region
    included), when they may see it: the ``/me/`` pages need no second read of it."""
    person = getattr(actor, "person", None)
    if person is None or not actor.has_perm(VIEW, person):
        raise NotFound()
    return person  # type: ignore[no-any-return]


def employments_of(*, employer: Employer) -> QuerySet[Employment]:
    return (
        Employment.objects.filter(employer=employer)
        .select_related("person")
        .order_by("-end_period", "person_id")  # names are encrypted: no order by name
    )


def employments_in(*, employer: Employer, period: int) -> QuerySet[Employment]:
    """Employees of ``employer`` in the month ``period``: started by it and not ended before
    it. An employment's end month is its last month, so it is still in (inclusive)."""
    return (
        employments_of(employer=employer)
        .filter(start_period__lte=period)
        .filter(Q(end_period__isnull=True) | Q(end_period__gte=period))
    )


def _pension_elsewhere(*, employer: Employer, period: int) -> Exists:
    return Exists(
        PensionMonth.objects.filter(person=OuterRef("person"), period=period).exclude(
            employer=employer
        )
    )


def employments_to_declare(*, employer: Employer, period: int) -> QuerySet[Employment]:
    """The employees ``employer`` declares for ``period`` (``employments_in``), less those whose
    basic pension that month another employer already pays (``PensionMonth``: one pension
    payer a month, SIL arts. 10, 12): a declaration refuses their rows
    (``pension_elsewhere``), so no grid or template offers them."""
    return employments_in(employer=employer, period=period).exclude(
        _pension_elsewhere(employer=employer, period=period)
    )


def employments_declared_elsewhere(
    *, employer: Employer, period: int
) -> list[tuple[Employment, str]]:
    """The employees of ``period`` left out of ``employments_to_declare``, each with the name
    of the employer that pays their pension that month, by person."""
    left_out = list(
        employments_in(employer=employer, period=period)
        .filter(_pension_elsewhere(employer=employer, period=period))
        .select_related("person")
        .order_by("person_id")
    )
    holders = dict(
        PensionMonth.objects.filter(
            period=period, person_id__in=[e.person_id for e in left_out]
        ).values_list("person_id", "employer_id")
    )
    names = dict(Employer.objects.filter(pk__in=set(holders.values())).values_list("pk", "name"))
    return [(e, names.get(holders.get(e.person_id, 0), "")) for e in left_out]


def with_last_wage(employments: QuerySet[Employment], *, period: int) -> QuerySet[Employment]:
    """Each employment annotated with ``last_wage``: the pension wage that counts for
    ``period``, that of the newest declaration of its employer listing the person for that
    month; for a month not declared for the person, that of the newest month before it; else
    the wage given when added. A later month's wage never stands for an earlier one."""
    declared = ContributionDetail.objects.filter(
        employer=OuterRef("employer"), person=OuterRef("person"), pension_employer__isnull=False
    )
    of_month = declared.filter(period=period).order_by("-declaration_id").values("wage")[:1]
    before = (
        declared.filter(period__lt=period).order_by("-period", "-declaration_id").values("wage")[:1]
    )
    return employments.annotate(
        last_wage=Coalesce(
            Subquery(of_month),
            Subquery(before),
            F("wage"),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        )
    )


def registrations_of(*, employer: Employer) -> QuerySet[InsuranceRegistration]:
    return InsuranceRegistration.objects.filter(employer=employer).order_by("insurance")


@dataclass(frozen=True)
class BillRow:
    bill: Bill
    paid: Decimal
    #: Unpaid on this bill after the month's refunds are set against it, due or not (the
    #: part past the due date is ``overdue``).
    arrears: Decimal
    days_late: int
    surcharge: Decimal
    collect: Decimal = Decimal("0.00")  # the bill less the refunds set against it
    #: What payments paid of the surcharge (``Payment.late_fee``: principal first).
    late_fee_paid: Decimal = Decimal("0.00")
    #: The due date has passed (``bills_of``'s today): what is unpaid is late.
    due_passed: bool = False

    @property
    def late_fee_owed(self) -> Decimal:
        """The surcharge earned and not paid yet."""
        return max(Decimal("0.00"), self.surcharge - self.late_fee_paid)

    @property
    def overdue(self) -> Decimal:
        """What is unpaid after the due date: arrears proper (欠费). A bill not yet due owes
        its amount (``arrears``, unpaid) but is not in arrears."""
        return self.arrears if self.due_passed else Decimal("0.00")

    @property
    def in_arrears(self) -> bool:
        """The bill is in arrears: principal unpaid after its due date, or the late
        surcharge it earned, which is kept once the principal is paid (``late_fee_accrued``,
        by ``Payment.paid_on``) and owed until it is paid (``late_fee_owed``). A bill not
        yet due is not. Every list of bills in arrears (page, API) asks this."""
        return self.overdue > 0 or self.late_fee_owed > 0

    @property
    def status(self) -> str:
        if self.bill.amount_due <= 0:
            return "refund"
        if self.arrears <= 0:
            return "paid"
        return "partly_paid" if self.paid > 0 else "unpaid"


@dataclass(frozen=True)
class CreditRow:
    """A month's credit: what was paid above its net declared total, a refund due."""

    period: int
    insurance: str
    amount: Decimal

    @property
    def insurance_label(self) -> str:
        return str(Insurance(self.insurance).label)


def bills_of(*, employer: Employer, today: dt.date) -> list[BillRow]:
    """Every bill with what was paid, what is owed and the surcharge accrued by ``today``.

    What is owed is the month's net (``netting.py``): a refund bill lowers what the month's
    unpaid bills ask (``collect``). The surcharge (``late_fee_accrued``) is earned on each
    payment for the days it came late, by the authority's paid date, and on what is left for
    the days late today: paying late does not wipe the surcharge already earned; what
    payments paid of it (``Payment.late_fee``) is ``late_fee_paid``. The
    surcharge's daily rate is the one the employer's province published for the bill's month
    (``parameters.month_rates``), as the declaration's amounts are."""
    province = employer.region.province_code
    bills = list(
        netting.with_paid(Bill.objects.filter(employer=employer)).order_by("-period", "insurance")
    )
    groups: dict[tuple[int, str], list[Bill]] = {}
    for bill in bills:
        groups.setdefault((bill.period, bill.insurance), []).append(bill)
    nets = {key: netting.net_month(netting.figures(group)) for key, group in groups.items()}
    paid_on: dict[int, list[tuple[dt.date, Decimal]]] = {}
    fee_paid: dict[int, Decimal] = {}
    for bill_id, day, amount, late in Payment.objects.filter(bill__employer=employer).values_list(
        "bill_id", "paid_on", "amount", "late_fee"
    ):
        paid_on.setdefault(bill_id, []).append((day, amount))
        fee_paid[bill_id] = fee_paid.get(bill_id, Decimal("0.00")) + late
    rows = []
    for bill in bills:
        net = nets[(bill.period, bill.insurance)]
        arrears = net.arrears[bill.pk]
        collect = net.collect.get(bill.pk, Decimal("0.00"))
        fee = late_fee_accrued(
            owed=collect,
            due_date=bill.due_date,
            payments=paid_on.get(bill.pk, []),
            today=today,
            rates=parameters.month_rates(province=province, period=bill.period),
        )
        rows.append(
            BillRow(
                bill,
                _dec(bill.paid),
                arrears,
                fee.days_late,
                fee.surcharge,
                collect,
                fee_paid.get(bill.pk, Decimal("0.00")),
                due_passed=bill.due_date < today,
            )
        )
    return rows


@dataclass(frozen=True)
class MonthCollection:
    """A month's bills and what was collected on them, for the employers of a region
    scope, read live: ``declared`` (what the declarations billed, refunds included),
    ``collected`` (payments' principal) and ``late_fee`` (payments' surcharge part)."""

    declared: Decimal
    collected: Decimal
    late_fee: Decimal


def month_collection(*, region_prefix: str, period: int) -> MonthCollection:
    """What the employers whose region code starts with ``region_prefix`` were billed for
    ``period`` (YYYYMM), paid or not, and what was collected on those bills so far."""
    bills = Bill.objects.filter(employer__region__code__startswith=region_prefix, period=period)
    declared = bills.aggregate(t=Sum("amount_due"))["t"]
    paid = Payment.objects.filter(bill__in=bills).aggregate(p=Sum("amount"), f=Sum("late_fee"))
    return MonthCollection(_dec(declared), _dec(paid["p"]), _dec(paid["f"]))


def credits_of(*, employer: Employer) -> list[CreditRow]:
    """The employer's months with a credit (refund due), as recorded, newest first."""
    return [
        CreditRow(r["period"], r["insurance"], _dec(r["total"]))
        for r in MonthCredit.objects.filter(employer=employer)
        .values("period", "insurance")
        .annotate(total=Sum("amount"))
        .filter(total__gt=0)
        .order_by("-period", "insurance")
    ]


@dataclass(frozen=True)
class StatementMonth:
    period: str
    employer: str  # the employer's name; "" for a month paid as an individual or brought in
    base: Decimal
    employer_amount: Decimal
    individual_amount: Decimal
    to_account: Decimal
    #: The month counts (its first declaration listing the person, normally the regular
    #: one, is paid; see ``statement_of``).
    paid: bool
    transferred: bool = False  # brought in from another province (D6)
    #: The account part of the month's declarations that do not count yet (a raising
    #: supplementary not paid: its difference; a month not paid: all of it).
    owed: Decimal = Decimal("0.00")
    source: str = "employer"  # employer, flexible (an individual payer) or transfer
    #: A declaration of the month does not count yet (raising or lowering): the amounts
    #: shown are the credited figure until it is paid.
    pending: bool = False

    @property
    def label(self) -> str:
        """Who paid the month, in the active language: the employer's name, else what the
        month is (paid as an individual, brought in from another province)."""
        if self.source == "flexible":
            return str(_("Individual payer (flexible employment)"))
        if self.source == "transfer":
            return str(_("Transferred in from another province"))
        return self.employer


@dataclass(frozen=True)
class StatementYear:
    """One calendar year of the account: what was declared, what is paid and credited, what
    is still owed, and the yearly job's figures once it has credited the year."""

    year: int
    months: int  # months declared (or brought in) that year
    paid_months: int
    credited: Decimal  # to the account from paid months (and transfers), interest apart
    owed: Decimal  # the account part of months declared but not yet paid
    interest: Decimal  # interest entries of that year
    account_year: AccountYear | None  # the yearly job's row, once the year is credited


@dataclass(frozen=True)
class Statement:
    """``paid_months`` and ``account_balance`` count paid months only (the law counts actual
    contributions; see ``credit.py``): awards and interest use them. ``contribution_months``
    counts every month declared, paid or not, and ``owed`` the account part not yet paid."""

    months: list[StatementMonth]
    contribution_months: int  # every month declared (distinct), paid or not
    paid_months: int  # months paid in full: the months the law counts
    account_balance: Decimal  # credited: paid months, interest, transfers
    years: list[StatementYear]
    owed: Decimal = Decimal("0.00")  # account part of the unpaid months
    #: The credited (paid) account entries read, (period, kind, amount): the accrued
    #: interest is computed from them (``interest.accrued_from``), not from a second read.
    credited_entries: tuple[tuple[int, str, Decimal], ...] = ()
    credited_year: int | None = None  # the last year the yearly interest job credited


#: The kinds a statement month shows (the others are interest, corrections, transfers out).
MONTH_KINDS = frozenset(
    ("employer_pooled", "individual_account", "transfer_in", "flexible_account", "flexible_pooled")
)


def statement_of(*, person: Person) -> Statement:
    """Every month ever contributed to basic pension, the account actually credited and
    what is still owed, and every year with months or account entries.

    A month counts once however many employers or corrections it has. It is a paid
    (contribution) month when its first declaration listing the person counts: the regular
    one, or a supplementary that adds someone the regular one left out (《社会保险法》 art. 10
    and 16: months actually contributed; 国发〔2005〕38号: the account holds the individual
    part paid). A later supplementary does not make a paid month owed: until its bill is
    paid only its difference is owed (``StatementMonth.owed``, the year's ``owed``), and a
    lowering one is credited once the bills it is set against are paid (``credit.py``).
    A month's base is the latest posted that counts (the award's index reads it).

    Amounts in yuan (Decimal, 0.01). Three queries: the person's pension ledger, which of
    its declarations are unpaid, the credited years; the statement keeps the credited
    account entries so that the accrued interest (``interest.accrued_from``) needs no
    second read of the ledger.
    """
    # In time order within a month (the base shown is the latest that counts), not by id.
    entries = list(
        LedgerEntry.objects.filter(person=person, insurance="pension")
        .order_by("period", "created_at", "source_id")
        .values_list(
            "period",
            "employer__name",
            "kind",
            "source_type",
            "source_id",
            "account",
            "amount",
            "base",
        )
    )
    by_month: dict[tuple[int, str], dict[str, Any]] = {}
    declared = {e[4] for e in entries if e[3] == "declaration"}
    unpaid = unpaid_declarations(declaration_ids=declared)
    account_rows: list[tuple[int, str, str, int, Decimal]] = []
    #: per month, the bases posted in time order, with their source: the one shown is the
    #: latest that counts (a raise not paid yet does not change the base of a paid month).
    bases: dict[tuple[int, str], list[tuple[str, int, Any]]] = {}
    for period, employer_name, kind, source_type, source_id, account, amount, base in entries:
        if account:
            account_rows.append((period, kind, source_type, source_id, _dec(amount)))
        if (
            (kind == "individual_account" and source_type == "declaration")
            or (kind == "transfer_in" and source_type == "transfer")
            or kind == "flexible_account"
        ):
            label = FLEXIBLE_KEY if kind == "flexible_account" else (employer_name or "")
            bases.setdefault((period, label), []).append((source_type, source_id, base))
        if kind not in MONTH_KINDS:
            continue
        flexible = kind in ("flexible_account", "flexible_pooled")
        key = (period, FLEXIBLE_KEY if flexible else (employer_name or ""))
        month = by_month.setdefault(
            key,
            {
                "employer_pooled": Decimal(0),
                "individual_account": Decimal(0),
                "base": None,
                "transferred": False,
                "flexible": Decimal(0),
                "pending": Decimal(0),
                "pending_account": Decimal(0),
            },
        )
        if source_type == "declaration" and source_id in unpaid:
            # Declared, not counting yet: the month shows it only while none of it counts.
            month["pending"] += _dec(amount)
            if kind == "individual_account":
                month["pending_account"] += _dec(amount)
            month.setdefault("pending_kinds", {}).setdefault(kind, Decimal(0))
            month["pending_kinds"][kind] += _dec(amount)
        elif kind in month:
            month[kind] += _dec(amount)
        elif flexible:
            # An individual payer pays the whole contribution; 8 points go to the account.
            month["flexible"] += _dec(amount)
            if kind == "flexible_account":
                month["individual_account"] += _dec(amount)
        if kind == "transfer_in" and source_type == "transfer":
            month["transferred"] = True  # a month brought in from another province
        if source_type == "declaration":
            first = month.get("first")
            month["first"] = source_id if first is None else min(first, source_id)
    months = []
    owed: dict[int, Decimal] = {}
    for (period, employer), month in sorted(by_month.items()):
        paid = month.get("first") not in unpaid
        if not paid:
            # Nothing of the month counts: it shows what was declared, all of it owed.
            for kind, amount in month.get("pending_kinds", {}).items():
                month[kind] += amount
        if (
            not month["transferred"]
            and month["individual_account"] == 0
            and month["employer_pooled"] == 0
            and month["pending"] == 0
        ):
            continue
        # A paid month shows what is credited; a later declaration not counting yet owes
        # its difference when it raises, nothing when it lowers (credited when it counts).
        month_owed = max(Decimal(0), month["pending_account"])
        owed[period // 100] = owed.get(period // 100, Decimal(0)) + month_owed
        months.append(
            StatementMonth(
                period=str(month_of(period)),
                employer="" if employer == FLEXIBLE_KEY else employer,
                source=(
                    "flexible"
                    if employer == FLEXIBLE_KEY
                    else "transfer"
                    if not employer and month["transferred"]
                    else "employer"
                ),
                base=_dec(_base_shown(bases.get((period, employer), []), unpaid)),
                employer_amount=month["employer_pooled"],
                individual_amount=month["flexible"] or month["individual_account"],
                to_account=month["individual_account"],
                paid=paid,
                transferred=month["transferred"],
                owed=_dec(month_owed),
                pending=paid and month["pending"] != 0,
            )
        )
    periods = {m.period for m in months}
    paid_periods = {m.period for m in months if m.paid}
    # The account: entries of unpaid declarations are owed, every other entry is credited.
    credited: dict[int, Decimal] = {}
    interest: dict[int, Decimal] = {}
    credited_entries: list[tuple[int, str, Decimal]] = []
    for period, kind, source_type, source_id, total in account_rows:
        year = period // 100
        if source_type == "declaration" and source_id in unpaid:
            continue
        credited_entries.append((period, kind, total))
        if kind == "interest":
            interest[year] = interest.get(year, Decimal(0)) + total
        else:
            credited[year] = credited.get(year, Decimal(0)) + total
    balance = _dec(sum(credited.values(), Decimal(0)) + sum(interest.values(), Decimal(0)))
    credited_years = {a.year: a for a in AccountYear.objects.filter(person=person)}
    all_years = ({int(p[:4]) for p in periods} | set(credited) | set(owed) | set(interest)) | set(
        credited_years
    )
    years = [
        StatementYear(
            year=year,
            months=sum(1 for p in periods if int(p[:4]) == year),
            paid_months=sum(1 for p in paid_periods if int(p[:4]) == year),
            credited=_dec(credited.get(year)),
            owed=_dec(owed.get(year)),
            interest=_dec(interest.get(year)),
            account_year=credited_years.get(year),
        )
        for year in sorted(all_years)
    ]
    return Statement(
        months=months,
        contribution_months=len(periods),
        paid_months=len(paid_periods),
        account_balance=balance,
        years=years,
        owed=_dec(sum(owed.values(), Decimal(0))),
        credited_entries=tuple(credited_entries),
        credited_year=max(credited_years) if credited_years else None,
    )


def _base_shown(posted: list[tuple[str, int, Any]], unpaid: set[int]) -> Any:
    """The month's base: the latest posted that counts, else the latest posted (a month
    owed shows what was declared)."""
    counted = [
        base for kind, source, base in posted if not (kind == "declaration" and source in unpaid)
    ]
    if counted:
        return counted[-1]
    return posted[-1][2] if posted else None


def latest_post_category(*, person: Person) -> str | None:
    """The post category of the person's most recent employment, if any."""
    return (
        Employment.objects.filter(person=person)
        .order_by("-start_period", "-pk")
        .values_list("post_category", flat=True)
        .first()
    )


def current_employer_id(*, person: Person) -> int | None:
    """The employer of the person's open employment, if any."""
    return (
        Employment.objects.filter(person=person, end_period__isnull=True)
        .order_by("-start_period", "-pk")
        .values_list("employer_id", flat=True)
        .first()
    )


def _facts(row: Employment) -> EmploymentFacts:
    return EmploymentFacts(
        employment_id=row.pk,
        employer_id=row.employer_id,
        start_period=row.start_period,
        end_period=row.end_period,
        end_reason=row.end_reason,
    )


def open_employment_of(*, person: Person) -> EmploymentFacts | None:
    """The person's open employment (the latest started, if several), or ``None``."""
    row = (
        Employment.objects.filter(person=person, end_period__isnull=True)
        .order_by("-start_period", "-pk")
        .first()
    )
    return _facts(row) if row is not None else None


def last_ended_employment_of(*, person: Person) -> EmploymentFacts | None:
    """The person's employment that ended last, with the employer's removal reason."""
    row = (
        Employment.objects.filter(person=person, end_period__isnull=False)
        .order_by("-end_period", "-pk")
        .first()
    )
    return _facts(row) if row is not None else None


def employment_starts(*, person_ids: list[int], since_period: int) -> dict[int, list[int]]:
    """For each of ``person_ids``, the first months of work started in or after
    ``since_period``, in order: employments, and registrations as an individual payer
    (flexible employment is employment: it ends unemployment, D10 art. 15 (1)). Two
    queries."""
    from onestop.contributions.models import IndividualPayer

    starts: dict[int, list[int]] = {}
    rows = list(
        Employment.objects.filter(
            person_id__in=person_ids, start_period__gte=since_period
        ).values_list("person_id", "start_period")
    ) + list(
        IndividualPayer.objects.filter(
            person_id__in=person_ids, start_period__gte=since_period
        ).values_list("person_id", "start_period")
    )
    for person_id, start in sorted(rows, key=lambda r: r[1]):
        starts.setdefault(person_id, []).append(start)
    return starts


def unemployment_months_of(*, person: Person, since_period: int = 0) -> int:
    """Months (from ``since_period`` on) in which the employer and the person both paid
    unemployment insurance for ``person`` (D10 art. 14 (1), art. 17): a month counts once
    however many employers it has, when both parts are posted and the first declaration
    listing the person that month (the regular one) counts (``credit.py``: paid in full,
    with every earlier bill of the month). A later supplementary not yet paid leaves the
    month counted (only its difference is owed)."""
    rows = (
        LedgerEntry.objects.filter(
            person=person,
            insurance="unemployment",
            period__gte=since_period,
            source_type="declaration",
            kind__in=("employer_pooled", "individual_pooled"),
        )
        .values("period", "employer_id", "kind", "source_id")
        .annotate(total=Sum("amount"))
    )
    parts: dict[int, dict[str, Decimal]] = {}
    first: dict[tuple[int, int], int] = {}
    for row in rows:
        month = parts.setdefault(row["period"], {})
        month[row["kind"]] = month.get(row["kind"], Decimal(0)) + _dec(row["total"])
        key = (row["period"], row["employer_id"])
        first[key] = min(first.get(key, row["source_id"]), row["source_id"])
    unpaid = unpaid_declarations(declaration_ids=set(first.values()), insurance="unemployment")
    counted = {period for (period, _), source in first.items() if source not in unpaid}
    return sum(
        1
        for period, month in parts.items()
        if month.get("employer_pooled", 0) > 0
        and month.get("individual_pooled", 0) > 0
        and period in counted
    )
