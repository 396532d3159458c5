"""What counts as actually contributed: the months whose bills are paid.

The law counts actual contributions (《社会保险法》 art. 10, 16; 国发〔2005〕38号): a month
declared but not paid is owed, not credited. It adds to the individual account, to the
interest base and to the contribution months only once the employer's pension bill for it
(every declaration of that month: regular and supplementary) is paid in full. A credit (a
bill of zero or less, from a supplementary declaration that lowers wages) needs no payment,
and is set against the month's unpaid bills: a bill is paid in full once it has received
its ``collect_amount``, what is left after those refunds (``netting.py``).
Entries from other sources (interest, transfers, inheritance, corrections) count as posted.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import DecimalField, F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from onestop.contributions.models import Bill, LedgerEntry

#: Declarations with a pension bill not paid in full, as SQL for set-based jobs.
UNPAID_DECLARATIONS_SQL = (
    "SELECT b.declaration_id FROM contributions_bill b LEFT JOIN ("
    "SELECT bill_id, SUM(amount) AS paid FROM contributions_payment GROUP BY bill_id) p "
    "ON p.bill_id = b.id WHERE b.insurance = 'pension' "
    "AND COALESCE(p.paid, 0) < COALESCE(b.collect_amount, b.amount_due)"
)


def unpaid_declarations(*, declaration_ids: Iterable[int], insurance: str = "pension") -> set[int]:
    """Of ``declaration_ids``, those whose bill for ``insurance`` is not paid in full."""
    ids = set(declaration_ids)
    if not ids:
        return set()
    return set(
        Bill.objects.filter(declaration_id__in=ids, insurance=insurance)
        .annotate(
            paid=Coalesce(
                Sum("payments__amount"),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=16, decimal_places=2),
            )
        )
        .filter(paid__lt=Coalesce(F("collect_amount"), F("amount_due")))
        .values_list("declaration_id", flat=True)
    )


def credited_account_entries(*, person_id: int) -> QuerySet[LedgerEntry]:
    """The person's individual-account entries that are actually paid: those of unpaid
    declarations are left out (they are owed)."""
    entries = LedgerEntry.objects.filter(person_id=person_id, account=True)
    declared = entries.filter(source_type="declaration").values_list("source_id", flat=True)
    unpaid = unpaid_declarations(declaration_ids=declared.distinct())
    return entries.exclude(source_type="declaration", source_id__in=unpaid) if unpaid else entries
