"""Months paid twice for pension: as an employee and as an individual payer.

A person's basic pension has one payer a month (SIL arts. 10, 12; ``PensionMonth``, claimed
by the first accepted declaration). An individual payer (flexible employment) who paid a
month that an employer's declaration also covers, whichever came first (the employer
declared late, or the person paid a period before the employment was on record), paid it
twice: the employer's month stands and the individual payment for that month becomes a
refund (``IndividualRefund``). The daily data comparison (``refunds_find``, in
``individual.payers_daily``) finds them set-based: one ``INSERT ... SELECT ... ON CONFLICT
DO NOTHING`` of every posted individual month whose person and month hold a
``PensionMonth``, one more of the entries that reverse the month's individual account and
pooled parts in the ledger for every refund (never changed: a correction is a new entry;
a reversal already there is left alone), then each new refund journaled and its person
told. Idempotent: a month is refunded once.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from onestop.audit.services import record
from onestop.contributions.models import EntryKind, IndividualRefund, RefundReason
from onestop.contributions.periods import month_of
from onestop.notifications.services import notify

#: The ledger's source of a refund's reversing entries.
REFUND_SOURCE = "flexible_refund"  # source_type holds 16 characters
#: The individual bills' ledger source (``individual.SOURCE``).
BILL_SOURCE = "individual_bill"


def refunds_find() -> int:
    """The daily comparison (see the module docstring); how many refunds are new."""
    now = timezone.now()
    with transaction.atomic():
        last = (
            IndividualRefund.objects.filter(reason=RefundReason.PAID_TWICE).aggregate(
                last=Max("pk")
            )["last"]
            or 0
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO contributions_individualrefund (person_id, payer_id, bill_id, "
                "period, reason, employer_id, amount, to_account, pooled, created_at) "
                "SELECT b.person_id, b.payer_id, b.id, l.period, %s, m.employer_id, "
                "b.monthly_amount, b.monthly_to_account, b.monthly_amount - b.monthly_to_account, "
                "%s FROM contributions_ledgerentry l "
                "JOIN contributions_individualbill b ON b.id = l.source_id "
                "JOIN contributions_pensionmonth m ON m.person_id = l.person_id "
                "AND m.period = l.period "
                "WHERE l.source_type = %s AND l.kind = %s "
                # The partial unique index: one paid-twice refund per person and month.
                "ON CONFLICT (person_id, period) WHERE reason = 'paid_twice' DO NOTHING",
                [RefundReason.PAID_TWICE, now, BILL_SOURCE, EntryKind.FLEXIBLE_ACCOUNT],
            )
            # The month's individual parts, reversed (account first, then the pool).
            for kind, column, account in (
                (EntryKind.FLEXIBLE_ACCOUNT, "to_account", True),
                (EntryKind.FLEXIBLE_POOLED, "pooled", False),
            ):
                cursor.execute(
                    "INSERT INTO contributions_ledgerrecord (person_id, employer_id, period, "  # noqa: S608
                    "insurance, kind, account, amount, base, source_type, source_id, created_at) "
                    f"SELECT r.person_id, NULL, r.period, 'pension', %s, %s, -r.{column}, b.base, "
                    "%s, r.id, %s FROM contributions_individualrefund r "
                    "JOIN contributions_individualbill b ON b.id = r.bill_id "
                    # Money paid above a bill never reached the ledger: nothing to reverse.
                    "WHERE r.reason = 'paid_twice' "
                    "ON CONFLICT (source_type, source_id, person_id, period, insurance, kind) "
                    "DO NOTHING",
                    [kind, account, REFUND_SOURCE, now],
                )
        new = list(
            IndividualRefund.objects.filter(pk__gt=last, reason=RefundReason.PAID_TWICE)
            .select_related("person__user", "employer")
            .order_by("person_id", "period")
        )
        by_person: dict[int, list[IndividualRefund]] = defaultdict(list)
        for refund in new:
            by_person[refund.person_id].append(refund)
        for refunds in by_person.values():
            months = ", ".join(str(month_of(r.period)) for r in refunds)
            total = sum((r.amount for r in refunds), Decimal(0))
            for refund in refunds:
                record(
                    actor=None,
                    action="contributions.individual_refund.found",
                    target=refund,
                    changes={
                        "period": refund.period,
                        "employer": refund.employer_id,
                        "amount": f"{refund.amount:.2f}",
                        "bill": refund.bill_id,
                    },
                )
            notify(
                recipients=[refunds[0].person.user],
                event="contributions.individual_refund",
                context={
                    "months": months,
                    "amount": f"{total:.2f}",
                    "employer": refunds[0].employer.name if refunds[0].employer else "",
                },
                link="/me/flexible/",
            )
    return len(new)


def refunds_of(*, person: Any) -> QuerySet[IndividualRefund]:
    """A person's refunds, oldest month first (callers check who may see them)."""
    return IndividualRefund.objects.filter(person=person).select_related("employer", "bill")
