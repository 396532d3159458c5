"""Property: whatever sequence of regular and supplementary declarations (raising, lowering,
leaving a person out) and payments (in full, in part, of any bill, before or after the
bills before it), the account each statement shows credited equals the sum of the paid
declarations' individual parts, each person's account is the figure of the newest counted
declaration listing them, and ``ledger verify`` holds.

The oracle is computed apart from the platform's code: "counted" from the bills and
payments as read from the tables (a declaration counts once its pension bill and every
earlier bill of the month are paid in full, a refund bill needing no payment), each
person's figure from the rules' amounts for the wage the test declared. Each example uses a
month of its own, so the examples need no clean-up and verify checks all of them together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import example as explicit
from hypothesis import strategies as st

from conftest import World
from onestop.contributions import services
from onestop.contributions.models import Bill, Payment
from onestop.contributions.selectors import ledger_verify, statement_of
from onestop.parameters import selectors as parameters
from onestop.rules.contributions import pension_contribution

CENT = Decimal("0.01")
WAGES = st.sampled_from(["0", "3000", "5555.55", "7950", "12000", "40000"])


@dataclass(frozen=True)
class Op:
    kind: str  # "supplementary", "pay" (what the authority asks), "pay_due" (the bill's own
    #: amount, ignoring refunds: overpays into a credit), "pay_part" (half of what is asked),
    #: "pay_over" (100.00 above the bill's own amount: the excess is the employer's credit)
    wages: tuple[str, str] = ("", "")  # alice, bob; "" leaves the person out
    pick: int = 0  # which open bill is paid


def ops() -> st.SearchStrategy[list[Op]]:
    supplementary = st.builds(
        Op,
        kind=st.just("supplementary"),
        wages=st.tuples(st.one_of(st.just(""), WAGES), st.one_of(st.just(""), WAGES)).filter(any),
    )
    pay = st.builds(
        Op,
        kind=st.sampled_from(["pay", "pay_due", "pay_part", "pay_over"]),
        pick=st.integers(0, 5),
    )
    return st.lists(st.one_of(supplementary, supplementary, pay, pay), min_size=1, max_size=7)


def individual(period: int, wage: str) -> Decimal:
    data = parameters.province_year(province="610000", year=period // 100)
    return pension_contribution(
        wage=Decimal(wage), average_wage=data.average_wage, rates=data.rates
    ).individual


def paid(bill: Bill) -> Decimal:
    return Decimal(Payment.objects.filter(bill=bill).aggregate(s=Sum("amount"))["s"] or 0)


def pay(op: Op, *, period: int, step: int) -> None:
    """Report one payment of one of the month's positive bills (any insurance) not paid in
    full on its own figure; nothing when there is none."""
    bills = [
        b
        for b in Bill.objects.filter(period=period, amount_due__gt=0).order_by("pk")
        if paid(b) < b.amount_due
    ]
    if not bills:
        return
    bill = bills[op.pick % len(bills)]
    asked = bill.collect_amount if bill.collect_amount is not None else bill.amount_due
    left_asked, left_due = asked - paid(bill), bill.amount_due - paid(bill)
    if op.kind == "pay_over":
        amount = left_due + Decimal("100.00")  # the authority received more than the bill
    elif op.kind == "pay_due":
        amount = left_due
    elif op.kind == "pay_part":
        amount = max(CENT, (left_asked / 2).quantize(CENT)) if left_asked > 0 else left_due
    else:
        amount = left_asked if left_asked > 0 else left_due
    services.payment_record(
        actor=None,
        external_id=f"P-{period}-{step}",
        bill=bill,
        amount=amount if op.kind == "pay_over" else min(amount, left_due),
        paid_on=dt.date(2026, 11, 20),
    )


def counted(period: int) -> list[int]:
    """The oracle: the month's declarations (pension bills in billing order) that count.
    A bill is settled once paid what it is asked (a refund needs nothing); a declaration
    counts once every bill up to it is settled and, when one of them was asked less than its
    amount (a refund or overpayment set against it), every bill up to the month's last
    refund."""
    bills = list(Bill.objects.filter(period=period, insurance="pension").order_by("pk"))
    asked = [b.collect_amount if b.collect_amount is not None else b.amount_due for b in bills]
    settled = [b.amount_due <= 0 or paid(b) >= a for b, a in zip(bills, asked, strict=True)]
    refunds = [i for i, b in enumerate(bills) if b.amount_due <= 0]
    out = []
    for i, bill in enumerate(bills):
        upto = i
        if refunds and any(b.amount_due > a for b, a in zip(bills[: i + 1], asked, strict=False)):
            upto = max(i, refunds[-1])
        if all(settled[: upto + 1]):
            out.append(bill.declaration_id)
    return out


@pytest.mark.django_db
def test_the_credited_account_is_the_paid_declarations_individual_parts(world: World) -> None:
    services.insurance_register(
        actor=None, employer=world.acme, insurances=["pension", "unemployment"], since_period=202401
    )
    people = (world.alice, world.bob)
    for person in people:
        services.employment_start(
            actor=None,
            employer=world.acme,
            resident_id=person.resident_id,
            start_period=202401,
            wage=Decimal("8000"),
        )
    periods = iter([y * 100 + m for y in (2024, 2025, 2026) for m in range(1, 13)][:34])
    #: per month: declaration id -> the wages it listed (alice, bob)
    declared: dict[int, dict[int, tuple[str, str]]] = {}

    @settings(
        max_examples=25,
        # No shrinking: each replay needs a month of its own; a failing example is short.
        phases=[Phase.explicit, Phase.generate],
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    # The reported shape: the regular bill unpaid, a raise unpaid, a lowering whose refund
    # lowers what the regular bill is asked; the regular bill paid what it is asked only.
    @explicit(
        ("7950", "12000"),
        [
            Op("supplementary", ("12000", "12000")),
            Op("supplementary", ("3000", "12000")),
            Op("pay", pick=0),
        ],
    )
    @given(st.tuples(WAGES, WAGES), ops())
    def example(first: tuple[str, str], batch: list[Op]) -> None:
        period = next(periods)
        month = declared.setdefault(period, {})
        for step, op in enumerate([Op("regular", first), *batch]):
            if op.kind in ("regular", "supplementary"):
                result = services.declaration_submit(
                    actor=world.bob.user,
                    employer=world.acme,
                    period=period,
                    rows=[
                        services.DeclaredRow(i + 2, person.resident_id, wage)
                        for i, (person, wage) in enumerate(zip(people, op.wages, strict=True))
                        if wage != ""
                    ],
                    kind=op.kind,
                )
                if not result.accepted and op.kind == "supplementary":
                    # A supplementary that changes nothing is refused whole (rows: no change).
                    assert [e["field"] for e in result.reply["errors"]] == ["rows"], result.reply
                    continue
                assert result.accepted, result.reply
                assert result.declaration is not None
                month[result.declaration.pk] = op.wages
            else:
                pay(op, period=period, step=step)
            check(period)
        assert ledger_verify() == []

    def check(period: int) -> None:
        # Each person: the figure of the newest counted declaration listing them, per month.
        expected: dict[int, Decimal] = {p.pk: Decimal(0) for p in people}
        parts = Decimal(0)
        for month_period, month in declared.items():
            ids = counted(month_period)
            parts += sum(
                (
                    b.individual_amount
                    for b in Bill.objects.filter(declaration_id__in=ids, insurance="pension")
                ),
                Decimal(0),
            )
            for i, person in enumerate(people):
                listed = [month[d][i] for d in sorted(ids) if d in month and month[d][i] != ""]
                if listed:
                    expected[person.pk] += individual(month_period, listed[-1])
        shown = {p.pk: statement_of(person=p).account_balance for p in people}
        assert shown == expected, (period, declared[period])
        assert sum(shown.values(), Decimal(0)) == parts
        assert all(balance >= 0 for balance in shown.values())
        # Sound: what counts was paid for. The counted bills (refunds counted included) add
        # up to no more than the money the month's pension bills received.
        counted_bills = Bill.objects.filter(
            period=period, insurance="pension", declaration_id__in=counted(period)
        )
        received = Payment.objects.filter(bill__period=period, bill__insurance="pension")
        assert sum((b.amount_due for b in counted_bills), Decimal(0)) <= Decimal(
            received.aggregate(s=Sum("amount"))["s"] or 0
        ), (period, declared[period])

    example()
