# ruff: noqa: S608 - only constants are formatted into the SQL; values are parameters
"""What counts as actually contributed: the months whose bills are paid.

The law counts actual contributions (《社会保险法》 art. 10, 16; 国发〔2005〕38号): a month
declared but not paid is owed, not credited. A declaration's entries add to the individual
account, to the interest base and to the contribution months only once they are paid.

One rule, per employer, month and insurance, over the month's bills in the order they were
billed (a month's declarations are serialised by ``locks.employer_period_lock``, so bill
ids follow it): **a declaration counts once its own bill and every earlier bill of the
month are settled** (a supplementary's entries are differences from the declaration
before it, so it can only count after the earlier ones), **and, when its bill or an
earlier one was lowered by the month's refunds or overpayments (``collect_amount`` below
``amount_due``), once every bill up to the month's last credit is settled too** (a bill
paid with a refund counts only once the refund does). A bill of more than zero is settled
once it has received its ``collect_amount``, what is left of it after the month's refunds
are set against it (``netting.py``). A credit (a bill of zero or less, from a supplementary
declaration that lowers wages) needs no payment of its own, but it is set against the
month's bills not yet paid when it is billed: it counts only once the bills before it are
settled, and at once (a refund owed to the employer, ``MonthCredit``) when they are. So
what counts was paid for: the counted bills, refunds included, add up to no more than the
month's payments. And:

- a lowering supplementary of a month still owed changes nothing credited until the month
  is paid, then the lowered figure is credited (never a reduction while the month is owed);
- a raising supplementary of a paid month leaves the regular declaration's entries
  credited; only its difference is owed until its bill is paid;
- a regular bill paid only what a later refund left of it (the refund set against it)
  counts nothing until every bill up to that refund is paid: a raise between them unpaid
  keeps the whole month owed;
- what a person's month holds credited is always the figure of one of the month's
  declarations (the newest that counts): ``ledger verify`` (``credited``) checks it against
  the declared detail and the bills' payments.

Over-credited, by design: a paid month whose later declarations are a raise not paid and a
lowering (below the regular figure) keeps the regular figure credited, though the
employer's latest declaration is lower, until the raise's bill is paid; then the lowered
figure is. The statement shows that month at its credited figure with nothing owed (never
a negative difference) and says a later declaration is pending (``StatementMonth.pending``).

A person's month counts as a contribution month once the first declaration listing the
person for it (the regular one, or a supplementary that adds someone left out) counts
(``selectors.statement_of``). Entries from other sources (interest, transfers,
inheritance, corrections, individual payers' paid bills) count as posted.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import DecimalField, Exists, OuterRef, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from onestop.contributions.models import Bill, LedgerEntry


def _unpaid_sql(insurance: str) -> str:
    """Declarations whose bill for ``insurance`` does not count yet (``insurance`` is a
    constant, never input): per month, ``f`` the first bill not settled, ``c`` the last
    credit, ``r`` the first bill the month's refunds or overpayments were set against. A
    bill does not count from ``f`` on, nor from ``r`` on while ``f`` comes before ``c``
    (the credit it was reduced by does not count yet)."""
    return (
        "SELECT b.declaration_id FROM contributions_bill b JOIN ("
        "SELECT u.employer_id, u.period, MIN(u.id) AS first_unpaid FROM contributions_bill u "
        "LEFT JOIN (SELECT bill_id, SUM(amount) AS paid FROM contributions_payment "
        "GROUP BY bill_id) p ON p.bill_id = u.id "
        f"WHERE u.insurance = '{insurance}' "
        "AND COALESCE(p.paid, 0) < COALESCE(u.collect_amount, u.amount_due) "
        "GROUP BY u.employer_id, u.period) f ON f.employer_id = b.employer_id "
        "AND f.period = b.period "
        "LEFT JOIN (SELECT employer_id, period, MAX(id) AS last_credit FROM contributions_bill "
        f"WHERE insurance = '{insurance}' AND amount_due <= 0 GROUP BY employer_id, period) c "
        "ON c.employer_id = b.employer_id AND c.period = b.period "
        "LEFT JOIN (SELECT employer_id, period, MIN(id) AS first_reduced FROM contributions_bill "
        f"WHERE insurance = '{insurance}' AND amount_due > 0 AND collect_amount < amount_due "
        "GROUP BY employer_id, period) r ON r.employer_id = b.employer_id AND r.period = b.period "
        f"WHERE b.insurance = '{insurance}' AND (b.id >= f.first_unpaid OR "
        "(b.id >= r.first_reduced AND f.first_unpaid <= c.last_credit))"
    )


#: Declarations whose pension entries do not count yet, as SQL for set-based jobs (the
#: interest job, ``ledger verify``): one pass over the bills and payments.
UNPAID_DECLARATIONS_SQL = _unpaid_sql("pension")

Month = Iterable[tuple[int, Decimal, Decimal | None, Decimal]]


def first_unpaid(bills: Month) -> int | None:
    """Of one month's bills of one insurance as (id, amount_due, collect_amount, paid), the
    id of the first not paid in full (None: all are). A credit (amount_due <= 0) is never
    unpaid itself."""
    for bill_id, amount_due, collect, paid in sorted(bills, key=lambda b: b[0]):
        if paid < (collect if collect is not None else amount_due):
            return bill_id
    return None


def not_counting(bills: Month) -> set[int]:
    """Of one month's bills of one insurance as (id, amount_due, collect_amount, paid), the
    ids that do not count yet (the rule above): every bill from the first not settled on,
    and, while a credit of the month does not count (a bill before it is not settled),
    every bill from the first one a refund or overpayment was set against on."""
    month = sorted(bills, key=lambda b: b[0])
    first = first_unpaid(month)
    if first is None:
        return set()
    credits = [b[0] for b in month if b[1] <= 0]
    reduced = [b[0] for b in month if b[1] > 0 and b[2] is not None and b[2] < b[1]]
    start = first
    if credits and reduced and first <= credits[-1]:
        start = min(first, reduced[0])
    return {b[0] for b in month if b[0] >= start}


def unpaid_declarations(*, declaration_ids: Iterable[int], insurance: str = "pension") -> set[int]:
    """Of ``declaration_ids``, those whose entries for ``insurance`` do not count yet
    (``not_counting``: the rule above). One query: the bills of the months those
    declarations belong to."""
    ids = set(declaration_ids)
    if not ids:
        return set()
    months = Bill.objects.filter(
        declaration_id__in=ids,
        insurance=insurance,
        employer_id=OuterRef("employer_id"),
        period=OuterRef("period"),
    )
    rows = (
        Bill.objects.filter(Exists(months), insurance=insurance)
        .annotate(
            paid=Coalesce(
                Sum("payments__amount"),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=16, decimal_places=2),
            )
        )
        .values_list(
            "id", "employer_id", "period", "declaration_id", "amount_due", "collect_amount", "paid"
        )
    )
    by_month: dict[tuple[int, int], list[tuple[int, Decimal, Decimal | None, Decimal]]] = {}
    declaration_of: dict[int, int] = {}
    for bill_id, employer_id, period, declaration_id, due, collect, paid in rows:
        by_month.setdefault((employer_id, period), []).append((bill_id, due, collect, paid))
        declaration_of[bill_id] = declaration_id
    unpaid: set[int] = set()
    for bills in by_month.values():
        unpaid.update(declaration_of[b] for b in not_counting(bills))
    return unpaid & ids


def credited_account_entries(*, person_id: int) -> QuerySet[LedgerEntry]:
    """The person's individual-account entries that are actually paid: those of declarations
    that do not count yet are left out (they are owed)."""
    entries = LedgerEntry.objects.filter(person_id=person_id, account=True)
    declared = entries.filter(source_type="declaration").values_list("source_id", flat=True)
    unpaid = unpaid_declarations(declaration_ids=declared.distinct())
    return entries.exclude(source_type="declaration", source_id__in=unpaid) if unpaid else entries
