# ruff: noqa: S608 - only constants are formatted into the SQL; values are parameters
"""``ledger verify``: the invariants the business relies on, each one set-based SQL query.

No check loops over persons: each is one ``GROUP BY`` over the whole ledger (or a join of two
such aggregates), so the time grows with the rows scanned, not with round trips. The checks
run in one snapshot (REPEATABLE READ on PostgreSQL; SQLite's transaction), so a declaration
committed half-way through cannot make two checks disagree.

What each check proves (the rows it names when it fails):

``duplicate``      no two entries share source, person, month, insurance and kind.
``declared``       for each employer, month, person, insurance and kind, the declaration
                   entries sum to the amount of the newest accepted declaration of that month
                   that lists the person (regular or supplementary). The employer, month,
                   insurance and kind totals follow from it.
``bill``           each bill is its employer plus individual part, and equals the ledger
                   entries of its declaration and insurance.
``bills_declared`` for each employer, month and insurance, the bills add up to the declared
                   amounts (the newest declaration's detail).
``negative``       no person's month of one insurance and kind is below zero, and no person's
                   account month or account is below zero, unless a reversing entry (transfer
                   out, inheritance, correction) explains it.
``account_year``   each credited account year closes at opening + contributions + interest and
                   at the sum of the person's account entries up to that year that were
                   credited when the year was (a declaration's once it counted: its bill and
                   every earlier bill of its month paid, see ``credit.py``).
``credited``       per person and year, the account contributions the platform shows as
                   credited (the statement's and the interest job's: the ledger less the
                   declarations ``credit.py`` says do not count yet) equal what the paid bills
                   imply: each person's month at the figure of the newest declaration listing
                   them that counts (its bill and every earlier bill of the month settled, by
                   the payments; ``_build_paid``), plus every other source. A credit counted
                   while the month it lowers is owed, or a difference counted without the
                   bills before it, is named.
``paid``           payments are positive (what was received, ``amount + late_fee``; neither
                   part negative). A payment is what the collecting authority already
                   received, so one beyond its bill is recorded: netting sets the excess against
                   the month's other bills and keeps the rest as the employer's credit, which
                   ``credit`` checks.
``credit``         for each employer, month and insurance, payments never exceed the net
                   declared total (the sum of its bills, refunds included) without a recorded
                   credit: the month's ``MonthCredit`` rows add up to exactly what was paid
                   above the net (zero when nothing was).
``payment_once``   each payment of the collecting authority is posted once.
``interest_once``  interest is credited at most once per person and year, and equals the
                   credited account year's interest.
``one_pension_payer`` a person's basic pension for a month is declared by one employer only
                   (SIL arts. 10, 12; a concurrent employer insures them for work injury
                   only), the one that holds the month (``PensionMonth``).
``individual``     an individual payer's bill is in the ledger exactly once it is paid in full
                   (its months' entries add up to the bill), and not at all before.
``individual_received`` every amount the collecting authority reported for an individual
                   bill is accounted for: posted to the ledger (a bill posted keeps exactly its
                   amount due), held as a refund of the person (paid above the bill, or on a
                   cancelled bill), or, on a bill not paid in full yet, still short of it.
                   Money received and neither posted nor refunded is named.
``references``     every ledger record, contribution detail and pension month names a person,
                   employer and declaration that exist: the bulk-written tables carry no
                   database foreign keys (the posting resolves them in its own statements).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from onestop.contributions.credit import UNPAID_DECLARATIONS_SQL
from onestop.contributions.posting import DETAIL_COLUMNS, POSTINGS

CENT = Decimal("0.01")
#: Ledger kinds whose entries take money out of a month or an account on purpose.
REVERSING = ("transfer_out", "inherited", "correction")
#: Findings named per check; beyond it the count is given.
DEFAULT_LIMIT = 50
DECLARED = "ledger_verify_declared"
PAID = "ledger_verify_paid"


@dataclass(frozen=True)
class Violation:
    rule: str
    detail: str


def _money(value: Any) -> str:
    return f"{Decimal(str(value or 0)).quantize(CENT)}"


def _period(value: Any) -> str:
    return f"{int(value) // 100}-{int(value) % 100:02d}"


def _kinds_table() -> tuple[str, list[Any]]:
    """(insurance, kind, detail column) of every posted kind, as an inline table."""
    selects, params = [], []
    for (insurance, column, kind, _account), (_, staged, detail) in zip(
        POSTINGS, DETAIL_COLUMNS, strict=True
    ):
        assert column == staged  # the two tables list the parts in one order
        selects.append("SELECT %s AS insurance, %s AS kind, %s AS col")
        params += [insurance, kind, detail]
    return " UNION ALL ".join(selects), params


def _build_declared(cursor: Any) -> None:
    """What the newest declaration says each person's month holds, per insurance and kind
    (from its contribution detail; a part left NULL is an insurance not declared).

    Materialised once: ``declared`` and ``bills_declared`` both read it."""
    kinds, params = _kinds_table()
    picked = (
        "CASE k.col "
        + " ".join(f"WHEN '{detail}' THEN x.{detail}" for _, _, detail in DETAIL_COLUMNS)
        + " END"
    )
    cursor.execute(f"DROP TABLE IF EXISTS {DECLARED}")
    cursor.execute(
        f"CREATE TEMP TABLE {DECLARED} AS "
        "SELECT employer_id, period, person_id, insurance, kind, amount FROM ("
        f"SELECT x.employer_id, x.period, x.person_id, k.insurance, k.kind, {picked} AS amount "
        "FROM (SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.employer_id, c.period, "
        "  c.person_id ORDER BY c.declaration_id DESC) AS newest "
        "  FROM contributions_contributiondetail c) x "
        f"CROSS JOIN ({kinds}) k WHERE x.newest = 1) t WHERE amount IS NOT NULL",
        params,
    )


def _build_paid(cursor: Any) -> None:
    """When each declaration's pension entries came to count (NULL: not yet), one row per
    declaration with a pension bill: the rule of ``credit.py``, from the bills and payments.

    A bill is settled on its own when it has received its ``collect_amount`` (the first
    payment that reached it, or, when the month's refunds or overpayments lowered what it
    is asked for, the latest of that payment, the month's last credit and the last payment
    on a bill paid beyond its amount; a bill they brought to zero or below: the latest of
    those and its billing); a credit (bill <= 0) when it is billed. A declaration counts
    once its bill and every earlier bill of the month are settled, and, when its bill or an
    earlier one was lowered by the month's refunds (``credit.py``), every bill up to the
    month's last credit: at the latest of their times."""
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    asked = "COALESCE(b.collect_amount, b.amount_due)"
    # When what the bill is asked for was last lowered: the month's last credit, or the
    # last payment on a bill of the month paid beyond its amount (netting.py).
    lowered = (
        f"{greatest}(COALESCE((SELECT MAX(r.created_at) FROM contributions_bill r "
        "WHERE r.employer_id = b.employer_id AND r.period = b.period AND r.insurance = "
        "b.insurance AND r.amount_due <= 0), b.created_at), COALESCE((SELECT MAX(q.created_at) "
        "FROM contributions_payment q JOIN contributions_bill o ON o.id = q.bill_id "
        "WHERE o.employer_id = b.employer_id AND o.period = b.period AND o.insurance = "
        "b.insurance AND o.id <> b.id AND (SELECT SUM(z.amount) FROM contributions_payment z "
        "WHERE z.bill_id = o.id) > o.amount_due), b.created_at))"
    )
    reached = (
        "(SELECT MIN(c.created_at) FROM (SELECT p.created_at, SUM(p.amount) OVER ("
        "ORDER BY p.created_at, p.id) AS paid FROM contributions_payment p "
        f"WHERE p.bill_id = b.id) c WHERE c.paid >= {asked})"
    )
    cursor.execute(f"DROP TABLE IF EXISTS {PAID}")
    cursor.execute(
        f"CREATE TEMP TABLE {PAID} AS "
        "WITH o AS (SELECT b.id, b.employer_id, b.period, b.declaration_id, b.amount_due, "
        f" CASE WHEN b.amount_due > 0 AND {asked} < b.amount_due THEN 1 ELSE 0 END AS reduced, "
        " CASE WHEN b.amount_due <= 0 THEN b.created_at "
        f" WHEN {asked} <= 0 THEN {lowered} "
        # Not reached yet: not settled (PostgreSQL's GREATEST would skip the NULL).
        f" WHEN {asked} < b.amount_due AND {reached} IS NOT NULL "
        f" THEN {greatest}({reached}, {lowered}) "
        f" WHEN {asked} < b.amount_due THEN NULL "
        f" ELSE {reached} END AS settled FROM contributions_bill b WHERE b.insurance = 'pension'"
        "), pre AS (SELECT id, declaration_id, "
        f" SUM(CASE WHEN settled IS NULL THEN 1 ELSE 0 END) OVER ({_EARLIER}) AS unsettled, "
        f" MAX(settled) OVER ({_EARLIER}) AS at, MAX(reduced) OVER ({_EARLIER}) AS reduced, "
        " MAX(CASE WHEN amount_due <= 0 THEN id END) OVER (PARTITION BY employer_id, period) "
        " AS last_credit FROM o) "
        "SELECT p.declaration_id, CASE WHEN COALESCE(x.unsettled, p.unsettled) > 0 THEN NULL "
        " ELSE COALESCE(x.at, p.at) END AS paid_at FROM pre p LEFT JOIN pre x "
        " ON p.reduced = 1 AND x.id = p.last_credit AND p.last_credit > p.id"
    )


#: A bill and the earlier bills of its employer, month and insurance (ids follow billing:
#: a month's declarations are serialised).
_EARLIER = (
    "PARTITION BY employer_id, period ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
)


def _account_detail_column() -> str:
    """The detail column whose part goes to the individual account (pension individual)."""
    (staged,) = [column for _, column, _, account in POSTINGS if account]
    (detail,) = [d for _, s, d in DETAIL_COLUMNS if s == staged]
    return detail


def _unaccounted(row: tuple[Any, ...]) -> str:
    """Of an ``individual_received`` row: received, less refunds, less what is posted."""
    received, held = Decimal(str(row[2] or 0)), Decimal(str(row[3] or 0))
    posted = Decimal(str(row[1] or 0)) if row[4] else Decimal(0)
    return _money(received - held - posted)


def _checks() -> list[tuple[str, str, list[Any], Callable[[tuple[Any, ...]], str]]]:
    """(rule, SQL returning offending rows, parameters, how to name a row)."""
    reversing = ", ".join(f"'{kind}'" for kind in REVERSING)
    true = "TRUE" if connection.vendor == "postgresql" else "1"
    return [
        (
            "duplicate",
            "SELECT source_type, source_id, person_id, period, insurance, kind, COUNT(*) "
            "FROM contributions_ledgerentry GROUP BY source_type, source_id, person_id, "
            "period, insurance, kind HAVING COUNT(*) > 1",
            [],
            lambda r: (
                f"{r[6]} entries from {r[0]} {r[1]} for person {r[2]} {_period(r[3])} {r[4]} {r[5]}"
            ),
        ),
        (
            "declared",
            "SELECT employer_id, period, person_id, insurance, kind, SUM(declared), "
            " SUM(posted), MIN(entry_id), MAX(entry_id) FROM ("
            f" SELECT employer_id, period, person_id, insurance, kind, amount AS declared, "
            f" 0 AS posted, NULL AS entry_id FROM {DECLARED} "
            " UNION ALL SELECT employer_id, period, person_id, insurance, kind, 0, amount, id "
            " FROM contributions_ledgerentry WHERE source_type = 'declaration') t "
            "GROUP BY employer_id, period, person_id, insurance, kind "
            "HAVING ROUND(SUM(declared) - SUM(posted), 2) <> 0 "
            "ORDER BY employer_id, period, person_id, insurance, kind",
            [],
            lambda r: (
                f"employer {r[0]} {_period(r[1])} {r[3]} {r[4]} person {r[2]}: declared "
                f"{_money(r[5])}, ledger {_money(r[6])} (entries {r[7]}..{r[8]})"
            ),
        ),
        (
            "bill",
            "SELECT b.id, b.amount_due, b.employer_amount + b.individual_amount, "
            " COALESCE(l.total, 0) FROM contributions_bill b LEFT JOIN ("
            " SELECT source_id, insurance, SUM(amount) AS total FROM contributions_ledgerentry "
            " WHERE source_type = 'declaration' GROUP BY source_id, insurance) l "
            " ON l.source_id = b.declaration_id AND l.insurance = b.insurance "
            "WHERE ROUND(b.amount_due - b.employer_amount - b.individual_amount, 2) <> 0 "
            " OR ROUND(b.amount_due - COALESCE(l.total, 0), 2) <> 0 ORDER BY b.id",
            [],
            lambda r: (
                f"bill {r[0]}: due {_money(r[1])}, parts {_money(r[2])}, "
                f"its declaration's ledger entries {_money(r[3])}"
            ),
        ),
        (
            "bills_declared",
            "SELECT employer_id, period, insurance, SUM(billed), SUM(declared) FROM ("
            " SELECT employer_id, period, insurance, amount_due AS billed, 0 AS declared "
            " FROM contributions_bill UNION ALL SELECT employer_id, period, insurance, 0, "
            f" amount FROM {DECLARED}) t GROUP BY employer_id, period, insurance "
            "HAVING ROUND(SUM(billed) - SUM(declared), 2) <> 0 "
            "ORDER BY employer_id, period, insurance",
            [],
            lambda r: (
                f"employer {r[0]} {_period(r[1])} {r[2]}: bills {_money(r[3])}, "
                f"declared {_money(r[4])}"
            ),
        ),
        (
            "negative",
            # A person's month of one kind (for every kind that never takes money out).
            "SELECT 'month', person_id, period, insurance, kind, SUM(amount), MIN(id) "
            "FROM contributions_ledgerentry "
            f"WHERE kind NOT IN ({reversing}) GROUP BY person_id, period, insurance, kind "
            "HAVING ROUND(SUM(amount), 2) < 0 "
            # A person's account month, and the account as a whole.
            "UNION ALL SELECT 'account month', person_id, period, 'pension', 'account', "
            " SUM(amount), MIN(id) FROM contributions_ledgerentry WHERE account = %s "
            " GROUP BY person_id, period HAVING ROUND(SUM(amount), 2) < 0 "
            f" AND SUM(CASE WHEN kind IN ({reversing}) THEN 1 ELSE 0 END) = 0 "
            "UNION ALL SELECT 'account', person_id, 0, 'pension', 'account', SUM(amount), "
            " MIN(id) FROM contributions_ledgerentry WHERE account = %s GROUP BY person_id "
            " HAVING ROUND(SUM(amount), 2) < 0 "
            f" AND SUM(CASE WHEN kind IN ({reversing}) THEN 1 ELSE 0 END) = 0 "
            "ORDER BY 2, 3",
            [True, True],
            lambda r: (
                f"person {r[1]} {r[0]}"
                + (f" {_period(r[2])}" if r[2] else "")
                + (f" {r[3]} {r[4]}" if r[0] == "month" else "")
                + f": {_money(r[5])} (first entry {r[6]})"
            ),
        ),
        (
            "account_year",
            # Entries of a declaration count once its pension bill was paid in full before
            # the year was credited (only paid months are credited, see credit.py).
            "SELECT a.person_id, a.year, a.opening, a.contributions, a.interest, a.closing, "
            " COALESCE(SUM(CASE WHEN l.source_type <> 'declaration' "
            "  OR pd.paid_at <= a.created_at THEN l.amount ELSE 0 END), 0) "
            "FROM contributions_accountyear a "
            "LEFT JOIN contributions_ledgerentry l ON l.person_id = a.person_id "
            f" AND l.account = {true} AND l.period <= a.year * 100 + 12 "
            f"LEFT JOIN {PAID} pd ON l.source_type = 'declaration' "
            " AND pd.declaration_id = l.source_id "
            "GROUP BY a.id, a.person_id, a.year, a.opening, a.contributions, a.interest, "
            " a.closing "
            "HAVING ROUND(a.closing - a.opening - a.contributions - a.interest, 2) <> 0 "
            " OR ROUND(a.closing - COALESCE(SUM(CASE WHEN l.source_type <> 'declaration' "
            "  OR pd.paid_at <= a.created_at THEN l.amount ELSE 0 END), 0), 2) <> 0 "
            "ORDER BY a.person_id, a.year",
            [],
            lambda r: (
                f"person {r[0]} {r[1]}: opening {_money(r[2])} + contributions "
                f"{_money(r[3])} + interest {_money(r[4])}, closing {_money(r[5])}, "
                f"entries {_money(r[6])}"
            ),
        ),
        (
            "credited",
            # What the platform shows as credited (the statement, the interest job: the
            # ledger less the declarations credit.py says do not count yet) against what the
            # paid bills imply (each person's month at the figure of the newest declaration
            # listing them that counts by the bills' payments, plus every other source).
            "SELECT person_id, year, SUM(shown), SUM(implied) FROM ("
            " SELECT person_id, period / 100 AS year, CASE WHEN source_type = 'declaration' "
            f" AND source_id IN ({UNPAID_DECLARATIONS_SQL}) THEN 0 ELSE amount END AS shown, "
            " CASE WHEN source_type = 'declaration' THEN 0 ELSE amount END AS implied "
            " FROM contributions_ledgerentry WHERE account = %s AND kind <> 'interest' "
            " UNION ALL SELECT x.person_id, x.period / 100, 0, COALESCE(x.amount, 0) FROM ("
            f"  SELECT c.person_id, c.period, c.{_account_detail_column()} AS amount, "
            "  ROW_NUMBER() OVER (PARTITION BY c.employer_id, c.period, c.person_id "
            "  ORDER BY c.declaration_id DESC) AS newest "
            f"  FROM contributions_contributiondetail c JOIN {PAID} pd "
            "  ON pd.declaration_id = c.declaration_id WHERE pd.paid_at IS NOT NULL) x "
            " WHERE x.newest = 1) t GROUP BY person_id, year "
            "HAVING ROUND(SUM(shown) - SUM(implied), 2) <> 0 ORDER BY person_id, year",
            [True],
            lambda r: (
                f"person {r[0]} {r[1]}: account credited {_money(r[2])}, the paid bills "
                f"imply {_money(r[3])}"
            ),
        ),
        (
            "paid",
            "SELECT b.id, b.amount_due, SUM(p.amount), MIN(p.amount + p.late_fee), "
            "MIN(p.external_id) "
            "FROM contributions_bill b JOIN contributions_payment p ON p.bill_id = b.id "
            "GROUP BY b.id, b.amount_due HAVING MIN(p.amount + p.late_fee) <= 0 "
            "OR MIN(p.amount) < 0 OR MIN(p.late_fee) < 0 ORDER BY b.id",
            [],
            lambda r: (
                f"bill {r[0]}: due {_money(r[1])}, paid {_money(r[2])} "
                f"(smallest payment {_money(r[3])}, e.g. {r[4]})"
            ),
        ),
        (
            "credit",
            "SELECT employer_id, period, insurance, SUM(billed), SUM(paid), SUM(credited) "
            "FROM (SELECT employer_id, period, insurance, amount_due AS billed, 0 AS paid, "
            " 0 AS credited FROM contributions_bill UNION ALL SELECT b.employer_id, b.period, "
            " b.insurance, 0, p.amount, 0 FROM contributions_payment p JOIN contributions_bill b "
            " ON b.id = p.bill_id UNION ALL SELECT employer_id, period, insurance, 0, 0, amount "
            " FROM contributions_monthcredit) t GROUP BY employer_id, period, insurance "
            "HAVING ROUND(CASE WHEN SUM(paid) > SUM(billed) THEN SUM(paid) - SUM(billed) "
            " ELSE 0 END - SUM(credited), 2) <> 0 ORDER BY employer_id, period, insurance",
            [],
            lambda r: (
                f"employer {r[0]} {_period(r[1])} {r[2]}: net declared {_money(r[3])}, "
                f"paid {_money(r[4])}, recorded credit {_money(r[5])}"
            ),
        ),
        (
            "payment_once",
            "SELECT external_id, COUNT(*), MIN(id), MAX(id) FROM contributions_payment "
            "GROUP BY external_id HAVING COUNT(*) > 1 ORDER BY external_id",
            [],
            lambda r: f"payment {r[0]} posted {r[1]} times (rows {r[2]}..{r[3]})",
        ),
        (
            "interest_once",
            "SELECT person_id, year, SUM(entries), SUM(credited), SUM(years), MIN(entry_id) "
            "FROM (SELECT person_id, period / 100 AS year, amount AS credited, 1 AS entries, "
            " 0 AS years, id AS entry_id FROM contributions_ledgerentry WHERE kind = 'interest' "
            " UNION ALL SELECT person_id, year, -interest, 0, 1, NULL "
            " FROM contributions_accountyear) t GROUP BY person_id, year "
            "HAVING SUM(entries) > 1 OR ROUND(SUM(credited), 2) <> 0 OR (SUM(entries) > 0 AND "
            " SUM(years) = 0) ORDER BY person_id, year",
            [],
            lambda r: (
                f"person {r[0]} {r[1]}: {r[2]} interest entries (first {r[5]}), "
                f"{r[4]} account years, entries minus credited {_money(r[3])}"
            ),
        ),
        (
            "one_pension_payer",
            "SELECT person_id, period, COUNT(DISTINCT employer_id), MIN(employer_id), "
            "MAX(employer_id), SUM(held) FROM (SELECT DISTINCT person_id, period, employer_id, "
            " 0 AS held FROM contributions_ledgerentry WHERE source_type = 'declaration' "
            " AND insurance = 'pension' UNION ALL SELECT person_id, period, employer_id, 1 "
            " FROM contributions_pensionmonth) t GROUP BY person_id, period "
            "HAVING COUNT(DISTINCT employer_id) > 1 ORDER BY person_id, period",
            [],
            lambda r: (
                f"person {r[0]} {_period(r[1])}: pension declared or held by {r[2]} employers "
                f"({r[3]}..{r[4]}{'' if r[5] else '; no employer holds the month'})"
            ),
        ),
        (
            "individual",
            "SELECT b.id, b.amount_due, COALESCE(l.total, 0), COALESCE(p.paid, 0), "
            " CASE WHEN b.posted_at IS NULL THEN 0 ELSE 1 END "
            "FROM contributions_individualbill b LEFT JOIN (SELECT source_id, SUM(amount) "
            " AS total FROM contributions_ledgerentry WHERE source_type = 'individual_bill' "
            " GROUP BY source_id) l ON l.source_id = b.id LEFT JOIN (SELECT bill_id, "
            " SUM(amount) AS paid FROM contributions_individualpayment GROUP BY bill_id) p "
            " ON p.bill_id = b.id WHERE (b.posted_at IS NOT NULL AND (ROUND(COALESCE(l.total, "
            " 0) - b.amount_due, 2) <> 0 OR COALESCE(p.paid, 0) < b.amount_due)) "
            " OR (b.posted_at IS NULL AND COALESCE(l.total, 0) <> 0) ORDER BY b.id",
            [],
            lambda r: (
                f"individual bill {r[0]}: due {_money(r[1])}, in the ledger {_money(r[2])}, "
                f"paid {_money(r[3])}, posted {bool(r[4])}"
            ),
        ),
        (
            "individual_received",
            "SELECT b.id, b.amount_due, COALESCE(p.paid, 0), COALESCE(r.held, 0), "
            " CASE WHEN b.posted_at IS NULL THEN 0 ELSE 1 END "
            "FROM contributions_individualbill b JOIN (SELECT bill_id, SUM(amount) AS paid "
            " FROM contributions_individualpayment GROUP BY bill_id) p ON p.bill_id = b.id "
            "LEFT JOIN (SELECT bill_id, SUM(amount) AS held FROM contributions_individualrefund "
            " WHERE reason <> 'paid_twice' GROUP BY bill_id) r ON r.bill_id = b.id "
            "WHERE ROUND(p.paid - COALESCE(r.held, 0), 2) < 0 "
            " OR (b.posted_at IS NOT NULL AND ROUND(p.paid - COALESCE(r.held, 0) - b.amount_due, "
            "  2) <> 0) "
            " OR (b.posted_at IS NULL AND ROUND(p.paid - COALESCE(r.held, 0), 2) > 0 "
            "  AND ROUND(p.paid - COALESCE(r.held, 0) - b.amount_due, 2) >= 0) "
            "ORDER BY b.id",
            [],
            lambda r: (
                f"individual bill {r[0]}: due {_money(r[1])}, received {_money(r[2])}, held "
                f"as refunds {_money(r[3])}, posted {bool(r[4])}: {_unaccounted(r)} neither "
                "in the ledger nor refunded"
            ),
        ),
        (
            "references",
            " UNION ALL ".join(
                f"SELECT '{what}', t.id, '{column}', t.{column}_id FROM {table} t "
                f"WHERE t.{column}_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {target} x "
                f"WHERE x.id = t.{column}_id)"
                for what, table, column, target in REFERENCES
            )
            + " ORDER BY 1, 2",
            [],
            lambda r: f"{r[0]} {r[1]}: no {r[2]} {r[3]}",
        ),
    ]


#: (what, table, column, referenced table) of the references without a database foreign key.
REFERENCES = (
    (
        "contribution detail",
        "contributions_contributiondetail",
        "declaration",
        "contributions_declaration",
    ),
    ("contribution detail", "contributions_contributiondetail", "employer", "identity_employer"),
    ("contribution detail", "contributions_contributiondetail", "person", "identity_person"),
    ("ledger record", "contributions_ledgerrecord", "employer", "identity_employer"),
    ("ledger record", "contributions_ledgerrecord", "person", "identity_person"),
    ("pension month", "contributions_pensionmonth", "declaration", "contributions_declaration"),
    ("pension month", "contributions_pensionmonth", "employer", "identity_employer"),
    ("pension month", "contributions_pensionmonth", "person", "identity_person"),
)


RULES = (
    "duplicate",
    "declared",
    "bill",
    "bills_declared",
    "negative",
    "account_year",
    "credited",
    "paid",
    "credit",
    "payment_once",
    "interest_once",
    "one_pension_payer",
    "individual",
    "individual_received",
    "references",
)


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view for every check (and the temporary table's lifetime)."""
    if connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def ledger_verify(
    *, progress: Callable[[str], None] | None = None, limit: int = DEFAULT_LIMIT
) -> list[Violation]:
    """Every invariant above; an empty list means all hold.

    ``progress`` receives one line per step ("[3/11] bill: 0 finding(s) in 1.2 s"). At most
    ``limit`` rows are named per rule, followed by a count of the rest.
    """
    violations: list[Violation] = []
    checks = _checks()
    steps = len(checks) + 1
    started = time.perf_counter()
    with _snapshot(), connection.cursor() as cursor:
        _build_declared(cursor)
        _build_paid(cursor)
        if progress:
            took = time.perf_counter() - started
            progress(f"[1/{steps}] declared and paid amounts gathered in {took:.1f} s")
        for step, (rule, sql, params, name) in enumerate(checks, start=2):
            began = time.perf_counter()
            cursor.execute(sql, params)
            rows = cursor.fetchmany(limit + 1)
            extra = 0
            if len(rows) > limit:
                extra = len(rows) - limit + sum(1 for _ in iter(cursor.fetchone, None))
                rows = rows[:limit]
            violations += [Violation(rule, name(tuple(row))) for row in rows]
            if extra:
                violations.append(Violation(rule, f"... and {extra} more"))
            if progress:
                found = len(rows) + extra
                progress(
                    f"[{step}/{steps}] {rule}: {found} finding(s) in "
                    f"{time.perf_counter() - began:.1f} s"
                )
        cursor.execute(f"DROP TABLE IF EXISTS {DECLARED}")
        cursor.execute(f"DROP TABLE IF EXISTS {PAID}")
    if progress:
        progress(f"checked in {time.perf_counter() - started:.1f} s")
    return violations
