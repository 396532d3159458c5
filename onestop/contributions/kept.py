# ruff: noqa: S608 - only constants are formatted into the SQL; values are parameters
"""A person's statement and an employer's bills, kept in Django's cache and never stale.

Each is kept under a *fingerprint* (``common.answers.Fingerprinted``): one query, read on
every request, that changes whenever anything the statement or the bills are computed from
changes, whoever changed it (a service, a bulk ``COPY`` or ``INSERT ... SELECT``, the
interest job, a data migration). So no writer bumps anything, and none can be missed.

What the fingerprints read, and why that is enough (``tests/test_kept_answers.py`` proves
it writer by writer):

- the ledger (``LedgerRecord`` and the regular declarations' ``ContributionDetail``, which
  the ``LedgerEntry`` view unpivots): both are **append-only** (``AppendOnly``: no update,
  no delete; no ``UPDATE`` or ``DELETE`` in any writer, checked by the test), so the
  person's rows are one set that only grows and its **count** tells whether it grew
  (whatever the commit order of the ids); the largest id is read too;
- the declarations those rows belong to: their kind and time are never changed;
- the months' bills (``amount_due``, ``collect_amount``, which netting updates) and what
  each was paid, and the person's ``AccountYear`` rows: **every column read, exactly**, so
  any update is seen, not only appends;
- the employers' names shown: exactly;
- the bills of an employer, with every column ``bills_of`` reads, and its payments: exactly.

What the fingerprint does not cover is in the entry's key or recomputed per request: the
language (labels), the day (the surcharge accrues daily, the interest accrues monthly), the
person's own name and identifiers (loaded with the user on every request, rendered
outside the kept part), the book rates (their own generation, ``parameters``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import connection

from onestop.common import answers
from onestop.common.answers import Fingerprinted
from onestop.parameters.selectors import GENERATION as PARAMETERS

#: At most this long an entry is kept (it is correct until its fingerprint changes; this
#: only bounds the memory of entries no one reads again).
SECONDS = 24 * 3600


def _digest(sql: str, params: list[Any]) -> str:
    """The rows of ``sql`` (five text columns), hashed: by PostgreSQL itself (one row
    comes back), else in Python."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT md5(string_agg(concat_ws(',', t.k, t.a, t.b, t.c, t.d), '|' "
                f"ORDER BY t.k, t.a, t.b, t.c, t.d)) FROM ({sql}) AS t",
                params,
            )
            return str(cursor.fetchone()[0])
        cursor.execute(sql, params)
        rows = sorted(tuple("" if v is None else str(v) for v in row) for row in cursor.fetchall())
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _name() -> str:
    # Free text, hashed on PostgreSQL so that no name can pose as a separator.
    return "md5(e.name)" if connection.vendor == "postgresql" else "e.name"


#: The person's declarations: every declaration whose entries the statement may read.
_DECLARATIONS = (
    "SELECT declaration_id FROM contributions_contributiondetail WHERE person_id = %s "
    "UNION SELECT source_id FROM contributions_ledgerrecord "
    "WHERE person_id = %s AND source_type = 'declaration'"
)


def statement_fingerprint(person_id: int) -> str:
    """Changes whenever an input of ``selectors.statement_of`` for the person changes."""
    sql = (
        "SELECT 'r' AS k, CAST(COUNT(*) AS TEXT) AS a, COALESCE(CAST(MAX(id) AS TEXT), '-') AS b, "
        "'' AS c, '' AS d FROM contributions_ledgerrecord WHERE person_id = %s "
        "UNION ALL SELECT 'd', CAST(COUNT(*) AS TEXT), COALESCE(CAST(MAX(id) AS TEXT), '-'), "
        "'', '' "
        "FROM contributions_contributiondetail WHERE person_id = %s "
        "UNION ALL SELECT 'a', CAST(id AS TEXT), CAST(year AS TEXT), CAST(opening AS TEXT) || ':' "
        "|| CAST(contributions AS TEXT) || ':' || CAST(interest AS TEXT) || ':' "
        "|| CAST(closing AS TEXT), CAST(rate AS TEXT) || ':' || method "
        "FROM contributions_accountyear WHERE person_id = %s "
        f"UNION ALL SELECT 'e', CAST(e.id AS TEXT), {_name()}, '', '' FROM identity_employer e "
        "WHERE e.id IN (SELECT employer_id FROM contributions_ledgerrecord WHERE person_id = %s "
        "UNION SELECT employer_id FROM contributions_contributiondetail WHERE person_id = %s) "
        "UNION ALL SELECT 'b', CAST(b.id AS TEXT), CAST(b.amount_due AS TEXT), "
        "COALESCE(CAST(b.collect_amount AS TEXT), '-'), COALESCE((SELECT CAST(SUM(p.amount) "
        "AS TEXT) FROM contributions_payment p WHERE p.bill_id = b.id), '-') "
        "FROM contributions_bill b WHERE b.insurance = 'pension' AND EXISTS (SELECT 1 "
        "FROM contributions_bill m WHERE m.insurance = 'pension' "
        "AND m.employer_id = b.employer_id AND m.period = b.period "
        f"AND m.declaration_id IN ({_DECLARATIONS}))"
    )
    return _digest(sql, [person_id] * 7)


def bills_fingerprint(employer_id: int) -> str:
    """Changes whenever an input of ``selectors.bills_of`` for the employer changes: every
    column it reads of every bill, and every payment."""
    sql = (
        "SELECT 'b' AS k, CAST(id AS TEXT) AS a, CAST(period AS TEXT) || ':' || insurance || ':' "
        "|| CAST(due_date AS TEXT) AS b, CAST(employer_amount AS TEXT) || ':' "
        "|| CAST(individual_amount AS TEXT) || ':' || CAST(amount_due AS TEXT) AS c, "
        "COALESCE(CAST(collect_amount AS TEXT), '-') AS d "
        "FROM contributions_bill WHERE employer_id = %s "
        "UNION ALL SELECT 'p', CAST(p.id AS TEXT), CAST(p.bill_id AS TEXT), "
        "CAST(p.amount AS TEXT) || ':' || CAST(p.late_fee AS TEXT), CAST(p.paid_on AS TEXT) "
        "FROM contributions_payment p "
        "JOIN contributions_bill b ON b.id = p.bill_id WHERE b.employer_id = %s"
    )
    return _digest(sql, [employer_id, employer_id])


def statement(person_id: int, *, derived: tuple[str, ...] = ()) -> Fingerprinted:
    """The kept statement of ``person_id`` (``base``), with the ``derived`` answers built
    from it (a rendered table in one language, say), read in one cache round trip."""
    return Fingerprinted(
        prefix=f"contributions.statement:{person_id}",
        fingerprint=lambda: statement_fingerprint(person_id),
        seconds=SECONDS,
        derived=derived,
    )


def bills(
    employer_id: int, *, today: dt.date, province: str, derived: tuple[str, ...] = ()
) -> Fingerprinted:
    """The kept bills of ``employer_id`` as of ``today`` (``base``; the surcharge accrues
    daily, so each day has its own entry). The surcharge's daily rate is the one
    ``province`` published (``parameters.month_rates``): the entry is keyed by the province
    and the parameters' generation too, so a newly published rate is never served stale."""
    rates = answers.generation(PARAMETERS)
    return Fingerprinted(
        prefix=f"contributions.bills:{employer_id}:{today.isoformat()}:{province}:{rates}",
        fingerprint=lambda: bills_fingerprint(employer_id),
        seconds=SECONDS,
        derived=derived,
    )
