"""What an employer owes for one month and insurance: the net of its bills minus payments.

A supplementary declaration that lowers wages gets a bill of its own with a negative amount
(a refund). The month's refunds, and whatever a bill was paid beyond its amount, are set
against the month's unpaid bills, the earliest due first (that lowers the late surcharge
most); what is left after every bill is settled is a credit, a refund due to the employer.
So for every (employer, month, insurance):

    sum(arrears of its bills) - credit = sum(amount_due) - sum(payments)

with at most one of the two sides non-zero. ``net_month`` is the arithmetic (no database);
``settle_month`` keeps what follows from it in the database, under the month's lock
(``locks.employer_period_lock``), in the transaction of the declaration or payment that
changed it: each bill's ``collect_amount`` (what the collecting authority is asked for, sent
again when it changes) and the month's credit (``MonthCredit`` rows, append-only, one
journal entry each). ``ledger verify`` checks the credit (invariant ``credit``).

What is set against a bill is not money received: a refund lowers what the employer is
asked for, it pays nothing into an account. So a refund bill counts as paid (its negative
entries credited, ``credit.py``) only once the month's bills it is set against, those not
paid in full when it is billed, are paid; with none, at once (a refund owed to the
employer). Likewise a bill whose ``collect`` a refund lowered counts only once that refund
does. Until then the month's account keeps its credited figure, never lowered while the
month is owed. A payment above what its bill is asked for (``collect``) is money the
authority already received: it is recorded and its excess set against the month's other
bills, the rest a credit. What a refund was set against stays set against that bill, so an
overpayment never raises the bill's ``collect`` (nor the late surcharge earned on it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce

from onestop.audit.services import record
from onestop.contributions.models import Bill, MonthCredit, Payment
from onestop.rules.contributions import Rates, late_fee_accrued

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class BillFigures:
    id: int
    amount_due: Decimal
    due_date: dt.date
    paid: Decimal
    #: what the authority was last asked for (``collect_amount``), None before any netting
    collect: Decimal | None = None


@dataclass(frozen=True)
class MonthNet:
    #: per bill: what is still owed on it after the month's refunds are set against it
    arrears: dict[int, Decimal] = field(default_factory=dict)
    #: per positive bill: what the collecting authority is asked for in all
    collect: dict[int, Decimal] = field(default_factory=dict)
    #: refund due to the employer: payments above the month's net declared total
    credit: Decimal = ZERO


def net_month(bills: Sequence[BillFigures]) -> MonthNet:
    """Set the month's refunds and overpayments against its unpaid bills, earliest due
    first. A payment up to a bill's ``collect`` leaves every other bill's figures as they
    were, so what was sent to the authority stays right until a refund or an overpayment.

    What was once set against a bill stays set against it (``collect`` never goes back up
    while the month's refunds cover it): a payment above a bill's ``collect`` is an
    overpayment, added to the pool for the month's other bills and else a credit, never
    taken as paying the bill's own amount back up (which would raise ``collect`` and earn
    a late surcharge on money the authority did not ask for)."""
    pool = ZERO
    for b in bills:
        if b.amount_due <= 0:
            pool += b.paid - b.amount_due  # a refund (and anything paid on it)
        elif b.paid > b.amount_due:
            pool += b.paid - b.amount_due  # paid beyond the bill
    arrears: dict[int, Decimal] = {}
    collect: dict[int, Decimal] = {}
    ordered = sorted(bills, key=lambda x: (x.due_date, x.id))
    for b in ordered:
        if b.amount_due <= 0:
            arrears[b.id] = ZERO
            continue
        unpaid = max(ZERO, b.amount_due - b.paid)
        granted = ZERO if b.collect is None else max(ZERO, b.amount_due - b.collect)
        offset = min(pool, max(unpaid, granted))
        pool -= offset
        collect[b.id] = b.amount_due - offset
        arrears[b.id] = max(ZERO, collect[b.id] - b.paid)
        # Paid above what it was asked for, up to its amount (above it is in the pool).
        pool += max(ZERO, min(b.paid, b.amount_due) - collect[b.id])
    # An overpayment of a later bill goes to an earlier one still owed.
    for b in ordered:
        if pool <= 0:
            break
        if arrears.get(b.id, ZERO) > 0:
            offset = min(pool, arrears[b.id])
            pool -= offset
            collect[b.id] -= offset
            arrears[b.id] -= offset
    return MonthNet(
        {k: v.quantize(CENT) for k, v in arrears.items()},
        {k: v.quantize(CENT) for k, v in collect.items()},
        pool.quantize(CENT),
    )


def figures(bills: Sequence[Bill]) -> list[BillFigures]:
    """``bills`` annotated with ``paid`` (the sum of their payments) as figures."""
    return [
        BillFigures(
            b.pk,
            b.amount_due,
            b.due_date,
            Decimal(getattr(b, "paid", None) or 0),
            b.collect_amount,
        )
        for b in bills
    ]


def with_paid(queryset: Any) -> Any:
    return queryset.annotate(
        paid=Coalesce(
            Sum("payments__amount"),
            Value(ZERO),
            output_field=DecimalField(max_digits=16, decimal_places=2),
        )
    )


def late_fee_part(*, bill: Bill, received: Decimal, paid_on: dt.date, rates: Rates) -> Decimal:
    """The part of ``received`` (paid on ``paid_on`` for ``bill``) that pays its late
    surcharge (滞纳金, SIL art. 86). The law and the handling rules say nothing of the order
    a payment is applied in, so the platform's rule is principal first, then the surcharge:
    what the month's bills of the insurance still ask after its refunds (``net_month``) is
    paid first, then the bill's surcharge earned by ``paid_on`` (the principal part of
    this payment included, as ``late_fee_accrued`` counts it) less what earlier payments
    paid of it; anything beyond stays principal (paid above the bill: the month's credit).
    The caller holds the month's lock."""
    group = list(
        with_paid(
            Bill.objects.filter(
                employer_id=bill.employer_id, period=bill.period, insurance=bill.insurance
            )
        )
    )
    net = net_month(figures(group))
    # The month's principal first: what this bill receives beyond its own arrears is set
    # against the month's other unpaid bills (``net_month``) before it pays a surcharge.
    owed = sum((max(a, ZERO) for a in net.arrears.values()), ZERO)
    principal = min(received, owed)
    rest = received - principal
    if rest <= 0:
        return ZERO
    earlier = list(Payment.objects.filter(bill_id=bill.pk).values_list("paid_on", "amount"))
    fee_paid = Payment.objects.filter(bill_id=bill.pk).aggregate(t=Sum("late_fee"))["t"] or ZERO
    earned = late_fee_accrued(
        owed=net.collect.get(bill.pk, ZERO),
        due_date=bill.due_date,
        payments=[*earlier, (paid_on, principal)],
        today=paid_on,
        rates=rates,
    ).surcharge
    return min(rest, max(ZERO, earned - fee_paid)).quantize(CENT)


def credit_of(*, employer_id: int, period: int, insurance: str) -> Decimal:
    total = MonthCredit.objects.filter(
        employer_id=employer_id, period=period, insurance=insurance
    ).aggregate(total=Sum("amount"))["total"]
    return Decimal(total or 0).quantize(CENT)


def settle_month(
    *, actor: Any, employer_id: int, period: int, source_type: str, source_id: int
) -> dict[str, Decimal]:
    """Bring the month's ``collect_amount`` and credit in line with its bills and payments.

    The caller holds ``locks.employer_period_lock`` for the month, inside its transaction.
    Returns each insurance's credit after the change."""
    bills = list(with_paid(Bill.objects.filter(employer_id=employer_id, period=period)))
    by_insurance: dict[str, list[Bill]] = {}
    for b in bills:
        by_insurance.setdefault(b.insurance, []).append(b)
    credits: dict[str, Decimal] = {}
    for insurance, group in sorted(by_insurance.items()):
        net = net_month(figures(group))
        for b in group:
            wanted = net.collect.get(b.pk)
            current = b.collect_amount if b.collect_amount is not None else b.amount_due
            if wanted is not None and wanted != current:
                # Told again: the authority's figure for the bill has changed.
                Bill.objects.filter(pk=b.pk).update(collect_amount=wanted, sent_at=None)
        held = credit_of(employer_id=employer_id, period=period, insurance=insurance)
        if net.credit != held:
            row = MonthCredit.objects.create(
                employer_id=employer_id,
                period=period,
                insurance=insurance,
                amount=net.credit - held,
                source_type=source_type,
                source_id=source_id,
            )
            record(
                actor=actor,
                action="contributions.credit.changed",
                target=row,
                changes={
                    "employer": employer_id,
                    "period": period,
                    "insurance": insurance,
                    "credit": net.credit,
                    "was": held,
                    "source": f"{source_type} {source_id}",
                },
            )
        credits[insurance] = net.credit
    return credits
