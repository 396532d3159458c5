"""The yearly interest job: credit each account's year with the book rate, once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.expressions import RawSQL

from onestop.audit.services import record
from onestop.common.context import memo
from onestop.contributions import locks
from onestop.contributions.credit import UNPAID_DECLARATIONS_SQL, credited_account_entries
from onestop.contributions.models import AccountYear, EntryKind, LedgerEntry, LedgerRecord
from onestop.parameters import selectors as parameters
from onestop.parameters.contracts import Rate
from onestop.parameters.selectors import ParametersMissing
from onestop.rules.interest import Method, credit_year
from onestop.rules.values import YearMonth

CENT = Decimal("0.01")


def account_interest_credit(*, actor: Any, year: int, province: str) -> int:
    """Credit ``year``'s interest to every account with entries up to that year.

    Idempotent: people whose year is already credited are skipped. Returns how many accounts
    were credited. Only paid months count (``credit.py``: a declaration once its bill and the
    month's earlier bills are paid, a lowering one never before): a month paid after its year was
    credited enters the opening balance of the next year the job credits. Interest is an
    account ledger entry of December (source: the job's year).
    """
    rate = parameters.book_rate(year=year)
    method = parameters.province_year(province=province, year=year).interest_method
    with transaction.atomic():
        # Two runs of the job for one year must not both find a person "not yet credited".
        locks.interest_year_lock(year=year)
        return _credit(actor=actor, year=year, rate=rate, method=method)


def _credit(*, actor: Any, year: int, rate: Rate, method: Method) -> int:
    done = set(AccountYear.objects.filter(year=year).values_list("person_id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT person_id, "  # noqa: S608 - a constant subquery; values are parameters
            " SUM(CASE WHEN period < %s THEN amount ELSE 0 END), "
            " SUM(CASE WHEN period >= %s AND period <= %s AND kind <> %s THEN amount ELSE 0 END)"
            " FROM contributions_ledgerentry WHERE account = %s AND period <= %s "
            # Months declared but not paid are owed, not credited: they earn nothing yet.
            " AND NOT (source_type = 'declaration' AND source_id IN ("
            + UNPAID_DECLARATIONS_SQL
            + ")) GROUP BY person_id",
            [
                year * 100 + 1,
                year * 100 + 1,
                year * 100 + 12,
                EntryKind.INTEREST,
                True,
                year * 100 + 12,
            ],
        )
        totals = cursor.fetchall()
    monthly: dict[int, list[Decimal]] = {}
    if method is Method.MONTH_PRODUCT:
        for person_id, period, amount in (
            LedgerEntry.objects.filter(
                account=True, period__gte=year * 100 + 1, period__lte=year * 100 + 12
            )
            .exclude(kind=EntryKind.INTEREST)
            .exclude(
                source_type="declaration",
                source_id__in=RawSQL(UNPAID_DECLARATIONS_SQL, []),  # noqa: S611 - a constant
            )
            .values_list("person_id", "period")
            .annotate(s=Sum("amount"))
        ):
            monthly.setdefault(person_id, [Decimal(0)] * 12)[period % 100 - 1] += Decimal(
                str(amount)
            )
    rows, entries = [], []
    for person_id, opening_raw, added_raw in totals:
        if person_id in done:
            continue
        opening = Decimal(str(opening_raw)).quantize(CENT)
        added = Decimal(str(added_raw)).quantize(CENT)
        contributions: Decimal | list[Decimal] = (
            monthly.get(person_id, [Decimal(0)] * 12) if method is Method.MONTH_PRODUCT else added
        )
        result = credit_year(
            opening_balance=opening, contributions=contributions, rate=rate.rate, method=method
        )
        rows.append(
            AccountYear(
                person_id=person_id,
                year=year,
                opening=opening,
                contributions=added,
                interest=result.interest,
                closing=result.closing_balance,
                rate=rate.rate,
                method=method.value,
            )
        )
        if result.interest:
            entries.append(
                LedgerRecord(
                    person_id=person_id,
                    period=year * 100 + 12,
                    insurance="pension",
                    kind=EntryKind.INTEREST,
                    account=True,
                    amount=result.interest,
                    source_type="interest",
                    source_id=year,
                )
            )
    AccountYear.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    LedgerRecord.objects.bulk_create(entries, batch_size=2000, ignore_conflicts=True)
    record(
        actor=actor,
        action="contributions.interest.credited",
        target_type="contributions.accountyear",
        target_id=str(year),
        changes={
            "year": year,
            "accounts": len(rows),
            "rate": rate.rate,
            "method": method.value,
        },
    )
    return len(rows)


@dataclass(frozen=True)
class AccruedYear:
    """Interest a year not yet credited earns up to the retirement (or transfer) month."""

    year: int
    months: int
    opening: Decimal
    contributions: Decimal
    rate: Decimal
    provisional: bool  # the year's rate is not published: the latest published one is used
    interest: Decimal
    method: Method = Method.ANNUAL


@dataclass(frozen=True)
class Accrued:
    balance: Decimal  # the account with the accrued interest
    years: list[AccruedYear]

    @property
    def interest(self) -> Decimal:
        return sum((y.interest for y in self.years), Decimal(0))


@dataclass(frozen=True)
class RateTable:
    """Every year's book rate, the latest published one and the province's crediting
    methods: what accruing interest reads, in two queries, once for any number of years."""

    rates: dict[int, Rate]
    latest: Rate | None
    methods: dict[int, str]


def rate_table(*, province: str) -> RateTable:
    """The book rates and ``province``'s crediting methods (kept by the process while the
    parameters stand, ``parameters.interest_table``; once a request)."""

    def read() -> RateTable:
        return RateTable(*parameters.interest_table(province=province))

    return memo(f"contributions.rate_table:{province}", read)


def accrued_to(*, person_id: int, month: YearMonth, province: str) -> Accrued:
    """The individual account as of ``month`` (a retirement, say): the credited balance (paid
    months, ``credit.py``) plus the interest of each year the yearly job has not credited
    yet, up to the month before ``month`` (see ``accrued_from``)."""
    credited = (
        AccountYear.objects.filter(person_id=person_id)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    entries = credited_account_entries(person_id=person_id)  # paid months only
    return accrued_from(
        entries=entries.values_list("period", "kind", "amount"),
        credited_year=credited,
        month=month,
        province=province,
    )


def accrued_from(
    *,
    entries: Iterable[tuple[int, str, Decimal]],
    credited_year: int | None,
    month: YearMonth,
    province: str,
    table: RateTable | None = None,
) -> Accrued:
    """The account as of ``month`` from its credited entries, already read: ``entries`` are
    the person's account entries of paid months (period, kind, amount; ``credit.py``),
    ``credited_year`` the last year the yearly job credited (None: none yet).

    The credited balance plus the interest of each year after ``credited_year`` up to the
    month before ``month`` (pension rules section 2: a part year credits up to that month).
    A year whose rate is not published yet uses the latest published rate, marked
    provisional. Amounts brought in from ``month`` on (a transfer arriving after retirement)
    carry their own interest from the old place and earn none here. No query but the rates
    (``rate_table``, once a request)."""
    rows = [(period, kind, Decimal(str(amount))) for period, kind, amount in entries]
    total = sum((a for _, _, a in rows), Decimal(0)).quantize(CENT)
    periods = [p for p, kind, _ in rows if kind != EntryKind.INTEREST]
    if not periods:
        return Accrued(total, [])
    start = credited_year + 1 if credited_year is not None else min(periods) // 100
    cutoff = month.year * 100 + month.month  # entries from this period on earn nothing here
    opening = sum((a for p, _, a in rows if p < start * 100 + 1), Decimal(0)).quantize(CENT)
    monthly: dict[int, Decimal] = {}
    for period, kind, amount in rows:
        if kind != EntryKind.INTEREST and start * 100 + 1 <= period < cutoff:
            monthly[period] = monthly.get(period, Decimal(0)) + amount
    if month.year < start or (month.year == start and month.month == 1):
        return Accrued(total, [])  # no month to accrue: the rates are not read
    table = table or rate_table(province=province)
    years = []
    for year in range(start, month.year + 1):
        months = 12 if year < month.year else month.month - 1
        if months == 0:
            continue
        credits = [
            monthly.get(year * 100 + m, Decimal(0)).quantize(CENT) for m in range(1, months + 1)
        ]
        if year in table.rates:
            rate = table.rates[year]
        elif table.latest is None:  # none published at all: raises
            rate = parameters.book_rate(year=year)
        else:  # not published yet: the latest published rate, provisionally
            rate = parameters.provisional_rate(year=year, rate=table.latest.rate)
        method = _method(province, year, table.methods)
        result = credit_year(
            opening_balance=max(opening, Decimal(0)),
            contributions=credits if method is Method.MONTH_PRODUCT else sum(credits, Decimal(0)),
            rate=rate.rate,
            method=method,
            months=months,
        )
        years.append(
            AccruedYear(
                year=year,
                months=months,
                opening=opening,
                contributions=sum(credits, Decimal(0)),
                rate=rate.rate,
                provisional=rate.provisional,
                interest=result.interest,
                method=method,
            )
        )
        opening = result.closing_balance
    return Accrued((total + sum((y.interest for y in years), Decimal(0))).quantize(CENT), years)


def _method(province: str, year: int, methods: dict[int, str] | None = None) -> Method:
    """The province's crediting method that year, or of its latest year with parameters;
    ``methods``: the province's ``parameters.interest_methods``, already read."""
    if methods is not None:
        if year in methods:
            return Method(methods[year])
        if methods and max(methods) <= year:
            return Method(methods[max(methods)])
    try:
        return parameters.province_year(province=province, year=year).interest_method
    except ParametersMissing:
        latest = parameters.latest_year(province=province)
        if latest is None or latest > year:
            raise
        return parameters.province_year(province=province, year=latest).interest_method
