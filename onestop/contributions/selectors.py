"""Reads: statements, bills and arrears, and the ledger's invariants."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet, Sum

from onestop.common.errors import NotFound
from onestop.contributions.models import (
    AccountYear,
    Bill,
    Employment,
    InsuranceRegistration,
    LedgerEntry,
)
from onestop.contributions.periods import month_of
from onestop.identity.models import Employer, Person
from onestop.rules.contributions import Rates, late_surcharge

VIEW = "contributions.view"
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


def employments_of(*, employer: Employer) -> QuerySet[Employment]:
    return (
        Employment.objects.filter(employer=employer)
        .select_related("person")
        .order_by("-end_period", "person_id")  # names are encrypted: no order by name
    )


def registrations_of(*, employer: Employer) -> QuerySet[InsuranceRegistration]:
    return InsuranceRegistration.objects.filter(employer=employer).order_by("insurance")


@dataclass(frozen=True)
class BillRow:
    bill: Bill
    paid: Decimal
    arrears: Decimal
    days_late: int
    surcharge: Decimal

    @property
    def status(self) -> str:
        if self.arrears <= 0:
            return "paid"
        return "partly_paid" if self.paid > 0 else "unpaid"


def bills_of(*, employer: Employer, today: dt.date, rates: Rates | None = None) -> list[BillRow]:
    """Every bill with what was paid, what is owed and the surcharge accrued by ``today``."""
    rates = rates or Rates()
    rows = []
    for bill in (
        Bill.objects.filter(employer=employer)
        .annotate(paid=Sum("payments__amount"))
        .order_by("-period", "insurance")
    ):
        paid = _dec(bill.paid)
        arrears = _dec(bill.amount_due - paid) if bill.amount_due > paid else Decimal("0.00")
        days = max(0, (today - bill.due_date).days) if arrears > 0 else 0
        rows.append(
            BillRow(
                bill, paid, arrears, days, late_surcharge(overdue=arrears, days=days, rates=rates)
            )
        )
    return rows


@dataclass(frozen=True)
class StatementMonth:
    period: str
    employer: str
    base: Decimal
    employer_amount: Decimal
    individual_amount: Decimal
    to_account: Decimal
    paid: bool
    transferred: bool = False  # brought in from another province (D6)


@dataclass(frozen=True)
class Statement:
    months: list[StatementMonth]
    contribution_months: int
    paid_months: int
    account_balance: Decimal
    years: list[AccountYear]


def statement_of(*, person: Person) -> Statement:
    """Every month ever contributed to basic pension, with the account balance.

    A month counts once however many employers or corrections it has; it is paid when every
    bill behind it is paid in full.
    """
    entries = (
        LedgerEntry.objects.filter(person=person, insurance="pension")
        .values("period", "employer__name", "kind", "source_type", "source_id")
        .annotate(total=Sum("amount"))
        .order_by("period")
    )
    by_month: dict[tuple[int, str], dict[str, Any]] = {}
    declarations: dict[int, set[int]] = {}
    for row in entries:
        key = (row["period"], row["employer__name"] or "")
        month = by_month.setdefault(
            key,
            {
                "employer_pooled": Decimal(0),
                "individual_account": Decimal(0),
                "base": None,
                "transferred": False,
            },
        )
        if row["kind"] in month:
            month[row["kind"]] += _dec(row["total"])
        if row["kind"] == "transfer_in" and row["source_type"] == "transfer":
            month["transferred"] = True  # a month brought in from another province
        if row["source_type"] == "declaration":
            declarations.setdefault(row["period"], set()).add(row["source_id"])
    bases = {
        (p, e or ""): b
        for p, e, b in LedgerEntry.objects.filter(
            Q(kind="individual_account", source_type="declaration")
            | Q(kind="transfer_in", source_type="transfer"),
            person=person,
            insurance="pension",
        )
        .order_by("pk")
        .values_list("period", "employer__name", "base")
    }
    unpaid = _unpaid_declarations({d for ids in declarations.values() for d in ids})
    months = []
    for (period, employer), month in sorted(by_month.items()):
        if (
            not month["transferred"]
            and month["individual_account"] == 0
            and month["employer_pooled"] == 0
        ):
            continue
        months.append(
            StatementMonth(
                period=str(month_of(period)),
                employer=employer or ("转入 transferred in" if month["transferred"] else ""),
                base=_dec(bases.get((period, employer))),
                employer_amount=month["employer_pooled"],
                individual_amount=month["individual_account"],
                to_account=month["individual_account"],
                paid=not (declarations.get(period, set()) & unpaid),
                transferred=month["transferred"],
            )
        )
    periods = {m.period for m in months}
    paid_periods = {m.period for m in months if m.paid}
    balance = _dec(
        LedgerEntry.objects.filter(person=person, account=True).aggregate(s=Sum("amount"))["s"]
    )
    years = list(AccountYear.objects.filter(person=person).order_by("year"))
    return Statement(months, len(periods), len(paid_periods), balance, years)


def _unpaid_declarations(declaration_ids: set[int]) -> set[int]:
    if not declaration_ids:
        return set()
    unpaid = set()
    for bill in Bill.objects.filter(
        declaration_id__in=declaration_ids, insurance="pension"
    ).annotate(paid=Sum("payments__amount")):
        if _dec(bill.paid) < bill.amount_due:
            unpaid.add(bill.declaration_id)
    return unpaid


@dataclass(frozen=True)
class Violation:
    rule: str
    detail: str


def ledger_verify() -> list[Violation]:
    """The ledger's invariants; an empty list means all hold.

    1. No two entries share source, person, month, insurance and kind.
    2. Each bill equals the ledger entries of its declaration and insurance.
    3. No bill is paid more than it asks (payments + arrears = bill, arrears >= 0).
    4. Each credited account year closes at the sum of the person's account entries up to
       that year.
    """
    violations: list[Violation] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT source_type, source_id, person_id, period, insurance, kind, COUNT(*) "
            "FROM contributions_ledgerentry GROUP BY source_type, source_id, person_id, "
            "period, insurance, kind HAVING COUNT(*) > 1"
        )
        violations += [Violation("duplicate", f"{row}") for row in cursor.fetchall()]
        cursor.execute(
            "SELECT b.id, b.amount_due, COALESCE(SUM(l.amount), 0) FROM contributions_bill b "
            "LEFT JOIN contributions_ledgerentry l ON l.source_type = 'declaration' "
            " AND l.source_id = b.declaration_id AND l.insurance = b.insurance "
            "GROUP BY b.id, b.amount_due"
        )
        violations += [
            Violation("bill", f"bill {bid}: due {_dec(due)}, ledger {_dec(total)}")
            for bid, due, total in cursor.fetchall()
            if _dec(due) != _dec(total)
        ]
        cursor.execute(
            "SELECT b.id, b.amount_due, SUM(p.amount) FROM contributions_bill b "
            "JOIN contributions_payment p ON p.bill_id = b.id GROUP BY b.id, b.amount_due"
        )
        violations += [
            Violation("overpaid", f"bill {bid}: due {_dec(due)}, paid {_dec(paid)}")
            for bid, due, paid in cursor.fetchall()
            if _dec(due) >= 0 and _dec(paid) > _dec(due)
        ]
        cursor.execute(
            "SELECT a.person_id, a.year, a.closing, COALESCE(SUM(l.amount), 0) "
            "FROM contributions_accountyear a LEFT JOIN contributions_ledgerentry l "
            " ON l.person_id = a.person_id AND l.account = %s AND l.period <= a.year * 100 + 12 "
            "GROUP BY a.person_id, a.year, a.closing",
            [True],
        )
        violations += [
            Violation(
                "account", f"person {pid} {year}: closing {_dec(closing)}, entries {_dec(total)}"
            )
            for pid, year, closing, total in cursor.fetchall()
            if _dec(closing) != _dec(total)
        ]
    return violations


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
