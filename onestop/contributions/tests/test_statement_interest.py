"""The statement's accrued interest, computed from the rows the statement has read, equals
the interest the earlier implementation computed by reading the ledger again (kept here as
the reference, ``reference_accrued_to``), on random ledgers: paid and unpaid declarations,
interest already credited, transfers, corrections, any month asked for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import World
from onestop.contributions.credit import credited_account_entries
from onestop.contributions.interest import (
    Accrued,
    AccruedYear,
    _method,
    accrued_from,
    accrued_to,
)
from onestop.contributions.models import (
    AccountYear,
    Bill,
    Declaration,
    EntryKind,
    LedgerRecord,
    Payment,
)
from onestop.contributions.selectors import statement_of
from onestop.parameters import selectors as parameters
from onestop.parameters.contracts import Rate
from onestop.rules.interest import Method, credit_year
from onestop.rules.values import YearMonth

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
PROVINCE = "610000"


def reference_accrued_to(*, person_id: int, month: YearMonth, province: str) -> Accrued:
    """The implementation before the statement computed interest from its own rows: a
    query for each figure (credited year, total, first month, opening, monthly credits)."""
    credited = AccountYear.objects.filter(person_id=person_id).order_by("-year").first()
    entries = credited_account_entries(person_id=person_id)
    total = Decimal(str(entries.aggregate(s=Sum("amount"))["s"] or 0)).quantize(CENT)
    first_period = entries.exclude(kind=EntryKind.INTEREST).order_by("period").first()
    if first_period is None:
        return Accrued(total, [])
    start = credited.year + 1 if credited else first_period.period // 100
    cutoff = month.year * 100 + month.month
    opening = Decimal(
        str(entries.filter(period__lt=start * 100 + 1).aggregate(s=Sum("amount"))["s"] or 0)
    ).quantize(CENT)
    monthly: dict[int, Decimal] = {}
    for period, amount in (
        entries.filter(period__gte=start * 100 + 1, period__lt=cutoff)
        .exclude(kind=EntryKind.INTEREST)
        .values_list("period")
        .annotate(s=Sum("amount"))
    ):
        monthly[period] = Decimal(str(amount)).quantize(CENT)
    rates = parameters.book_rates()
    methods = parameters.interest_methods(province=province)
    latest: Rate | None = None
    years = []
    for year in range(start, month.year + 1):
        months = 12 if year < month.year else month.month - 1
        if months == 0:
            continue
        credits = [monthly.get(year * 100 + m, Decimal(0)) for m in range(1, months + 1)]
        if year in rates:
            rate = rates[year]
        else:
            latest = latest or parameters.latest_book_rate()
            if latest is None:
                rate = parameters.book_rate(year=year)
            else:
                rate = parameters.provisional_rate(year=year, rate=latest.rate)
        method = _method(province, year, methods)
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


def outcome(compute: Any) -> Any:
    """The result, or the class and reasons of the refusal (both must refuse alike)."""
    try:
        return compute()
    except Exception as error:  # compared, not swallowed
        return (type(error), str(error))


ENTRY = st.tuples(
    st.integers(2018, 2026),  # year
    st.integers(1, 12),  # month
    st.sampled_from(["individual_account", "individual_account", "interest", "transfer_in"]),
    st.integers(0, 400_000),  # cents
    st.integers(0, 3),  # which declaration (individual_account entries)
)


def build(world: World, entries: list[Any], paid: list[bool], credited: int | None) -> None:
    declarations = []
    for i, is_paid in enumerate(paid):
        declaration = Declaration.objects.create(
            employer=world.acme,
            period=202001 + i,
            kind="supplementary",
            payload_hash=f"{i}",
            rows=1,
            total_wage=Decimal("1000.00"),
            parameters="610000/2020",
        )
        bill = Bill.objects.create(
            employer=world.acme,
            declaration=declaration,
            period=declaration.period,
            insurance="pension",
            employer_amount=Decimal("160.00"),
            individual_amount=Decimal("80.00"),
            amount_due=Decimal("240.00"),
            due_date=dt.date(2020, 2, 15),
        )
        if is_paid:
            Payment.objects.create(
                external_id=f"p{bill.pk}",
                bill=bill,
                amount=Decimal("240.00"),
                paid_on=dt.date(2020, 2, 1),
            )
        declarations.append(declaration)
    rows = []
    for n, (year, month, kind, cents, which) in enumerate(entries):
        declared = kind == "individual_account"
        rows.append(
            LedgerRecord(
                person=world.alice,
                employer=world.acme if declared else None,
                period=year * 100 + month,
                insurance="pension",
                kind=kind,
                account=True,
                amount=Decimal(cents) / 100,
                base=Decimal("5000.00") if declared else None,
                source_type="declaration"
                if declared
                else ("interest" if kind == "interest" else "transfer_acct"),
                source_id=declarations[which].pk if declared else 10_000 + n,
            )
        )
    LedgerRecord.objects.bulk_create(rows, ignore_conflicts=True)
    if credited is not None:
        AccountYear.objects.create(
            person=world.alice,
            year=credited,
            opening=Decimal("0.00"),
            contributions=Decimal("0.00"),
            interest=Decimal("0.00"),
            closing=Decimal("0.00"),
            rate=Decimal("0.0262"),
            method="annual",
        )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    entries=st.lists(ENTRY, max_size=14),
    paid=st.lists(st.booleans(), min_size=4, max_size=4),
    credited=st.one_of(st.none(), st.integers(2018, 2025)),
    asked=st.tuples(st.integers(2017, 2028), st.integers(1, 12)),
)
def test_accrued_from_the_statement_equals_the_old_reads(
    world: World, entries: list[Any], paid: list[bool], credited: int | None, asked: Any
) -> None:
    """Same balance, same years, same interest to the cent as the query-per-figure reads;
    the same refusal when those refuse; the statement's balance is the credited part."""
    sid = transaction.savepoint()
    try:
        build(world, entries, paid, credited)
        month = YearMonth(*asked)
        old = outcome(
            lambda: reference_accrued_to(person_id=world.alice.pk, month=month, province=PROVINCE)
        )
        statement = statement_of(person=world.alice)
        new = outcome(
            lambda: accrued_from(
                entries=statement.credited_entries,
                credited_year=statement.credited_year,
                month=month,
                province=PROVINCE,
            )
        )
        assert new == old
        assert (
            outcome(lambda: accrued_to(person_id=world.alice.pk, month=month, province=PROVINCE))
            == old
        )
        if isinstance(old, Accrued):
            assert old.balance - old.interest == statement.account_balance
    finally:
        transaction.savepoint_rollback(sid)


def test_the_statement_and_its_interest_read_the_ledger_once(world: World) -> None:
    """The statement with its accrued interest: the ledger, the unpaid declarations, the
    credited years and the rates (book rates, crediting methods): five queries, whatever
    the number of years."""
    build(
        world,
        [(y, m, "individual_account", 50_000, m % 4) for y in range(2018, 2026) for m in (1, 6)],
        [True, True, False, True],
        2020,
    )
    with CaptureQueriesContext(connection) as queries:
        statement = statement_of(person=world.alice)
        accrued = accrued_from(
            entries=statement.credited_entries,
            credited_year=statement.credited_year,
            month=YearMonth(2026, 11),
            province=PROVINCE,
        )
    assert len(queries) == 5, [q["sql"] for q in queries]
    assert [y.year for y in accrued.years] == [2021, 2022, 2023, 2024, 2025, 2026]
    assert accrued == reference_accrued_to(
        person_id=world.alice.pk, month=YearMonth(2026, 11), province=PROVINCE
    )
