"""Set-based posting: stage the rows, then a fixed number of INSERT ... SELECT statements.

PostgreSQL stages with COPY into a temporary table; SQLite with one ``executemany``. The number
of statements does not depend on the number of rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any

import psycopg
from django.db import IntegrityError, connection, transaction

from onestop.common.bulk import copy_rows
from onestop.rules.contributions import EmployeeMonth

STAGE = "contributions_stage"
#: The distinct wages of the staged rows, with their amounts (a few thousand rows).
WAGES = "contributions_stage_wages"
COLUMNS = ("line", "person_id", "wage_key")
WAGE_COLUMNS = ("wage_key", "wage", "base", "p_emp", "p_ind", "u_emp", "u_ind", "w_emp")
#: The staged rows with their amounts, for the statements that write them.
STAGED = f"{STAGE} s JOIN {WAGES} w ON w.wage_key = s.wage_key"


@dataclass(frozen=True)
class StagedRow:
    line: int
    id_index: str
    wage: Decimal
    base: Decimal
    p_emp: Decimal
    p_ind: Decimal
    u_emp: Decimal
    u_ind: Decimal
    w_emp: Decimal


#: A row to stage: (line, person id, wage); the person is None when no one has the row's ID.
Staged = tuple[int, int | None, Decimal]

#: Rows written to COPY at a time (text built in Python, then one write).
COPY_CHUNK = 50_000
#: NULL in COPY's text format.
NULL = "\\N"


def _staged_values(month: EmployeeMonth, wage: Decimal) -> tuple[Decimal, ...]:
    return (
        wage,
        month.base,
        month.pension_employer,
        month.pension_individual,
        month.unemployment_employer,
        month.unemployment_individual,
        month.work_injury_employer,
    )


def stage_tables() -> None:
    """Create (once per session) and empty the transaction's staging tables."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} (line integer, person_id bigint, "
                "wage_key integer, chunk integer NOT NULL DEFAULT 0) ON COMMIT DELETE ROWS"
            )
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {WAGES} (wage_key integer PRIMARY KEY, "
                "wage numeric(12,2), base numeric(12,2), p_emp numeric(12,2), "
                "p_ind numeric(12,2), u_emp numeric(12,2), u_ind numeric(12,2), "
                "w_emp numeric(12,2)) ON COMMIT DELETE ROWS"
            )
            cursor.execute(f"TRUNCATE {STAGE}, {WAGES}")
            bulk_work_mem(cursor)
        else:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} (line integer, person_id integer, "
                "wage_key integer, chunk integer NOT NULL DEFAULT 0)"
            )
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {WAGES} (wage_key integer PRIMARY KEY, "
                "wage numeric, base numeric, p_emp numeric, p_ind numeric, u_emp numeric, "
                "u_ind numeric, w_emp numeric)"
            )
            cursor.execute(f"DELETE FROM {STAGE}")  # noqa: S608
            cursor.execute(f"DELETE FROM {WAGES}")  # noqa: S608


def stage(rows: Sequence[Staged], months: Mapping[Decimal, EmployeeMonth]) -> None:
    """Load ``rows``, in person order, into the transaction's staging tables (emptied
    first), each with its person already resolved; the amounts once per distinct wage
    (``months``, the rules' result), in ``WAGES``, the rows with their wage's key.

    On PostgreSQL the rows' COPY is fed pre-formatted text of three integers a row: no
    per-value adaptation, no decimal parsed a million times.
    """
    keys = {wage: key for key, wage in enumerate(months)}
    stage_tables()
    copy_rows(
        WAGES,
        WAGE_COLUMNS,
        ((keys[wage], *_staged_values(month, wage)) for wage, month in months.items()),
    )
    if connection.vendor != "postgresql":
        copy_rows(STAGE, COLUMNS, ((line, person, keys[wage]) for line, person, wage in rows))
        return
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {STAGE} ({', '.join(COLUMNS)}) FROM STDIN") as copy,
    ):
        for start in range(0, len(rows), COPY_CHUNK):
            copy.write(
                "".join(
                    f"{line}\t{NULL if person is None else person}\t{keys[wage]}\n"
                    for line, person, wage in rows[start : start + COPY_CHUNK]
                )
            )


#: Rows a pipelined declaration checks at a time before handing them to the database.
PIPELINE_CHUNK = 50_000


def write_chunk(raw: Any, wage_text: str, claim_text: str, detail_text: str) -> bool:
    """The database's part of one checked chunk (``ChunkWriter``), on the writer's thread:
    COPY its new wages, its pension-month claims (in a savepoint: False when a month is held
    by someone else, and the chunk's claims are rolled back) and its detail rows. Only COPY
    statements: the text was formatted on the checking thread."""
    claimed = True
    with raw.cursor() as cursor:
        if wage_text:
            with cursor.copy(f"COPY {WAGES} ({', '.join(WAGE_COLUMNS)}) FROM STDIN") as copy:
                copy.write(wage_text)
        if claim_text:
            cursor.execute("SAVEPOINT posting_claims")
            try:
                with cursor.copy(
                    "COPY contributions_pensionmonth (person_id, period, employer_id, "
                    "declaration_id) FROM STDIN"
                ) as copy:
                    copy.write(claim_text)
            except psycopg.errors.UniqueViolation:
                cursor.execute("ROLLBACK TO SAVEPOINT posting_claims")
                claimed = False
            cursor.execute("RELEASE SAVEPOINT posting_claims")
        if detail_text:
            # The detail's id comes from its sequence.
            columns = ", ".join(column for _, _, column in DETAIL_COLUMNS)
            with cursor.copy(
                "COPY contributions_contributiondetail (person_id, wage, base, "
                f"{columns}, declaration_id, employer_id, period) FROM STDIN"
            ) as copy:
                copy.write(detail_text)
    return claimed


#: The employer's employees of a month, (blind index of the resident ID, person id).
EMPLOYEES = (
    "SELECT p.resident_id_index, e.person_id FROM contributions_employment e "
    "JOIN identity_person p ON p.id = e.person_id WHERE e.employer_id = %s "
    "AND e.start_period <= %s AND (e.end_period IS NULL OR e.end_period >= %s)"
)


def read_employees(raw: Any, employer_id: int, period: int) -> dict[str, int]:
    """``employees`` over the transaction's own connection, on the writer's thread
    (``ChunkWriter.employees``)."""
    with raw.cursor() as cursor:
        cursor.execute(EMPLOYEES, [employer_id, period, period])
        return dict(cursor.fetchall())


def wait_employees(pending: Future[dict[str, int]]) -> dict[str, int]:
    """Wait for the writer's thread to finish reading the employees (or its error)."""
    return pending.result()


def wait_chunk(pending: Future[bool]) -> bool:
    """Wait for the writer's thread to finish a chunk (its result, or its error)."""
    return pending.result()


class ChunkWriter:
    """A regular declaration's claims and detail rows written chunk by chunk on a second
    thread over the transaction's own connection (PostgreSQL), while the calling thread
    checks the next chunk: psycopg releases the GIL while the server works.

    One piece of work is in flight at a time (the employees' read, ``employees``, or a
    chunk); the calling thread must not use the connection until ``close`` (or ``drain``)
    has returned. Every statement is part of the declaration's transaction: a refusal rolls
    all of it back. The claims are COPYed, as ``claim_pension`` does, chunk by chunk in a
    savepoint; after the first one that finds a month held (``claims_complete`` false) the
    rest are left to ``claim_pension``'s ``INSERT ... ON CONFLICT``. Detail rows are written
    for the chunks handed over with ``post``; ``first_unposted`` is the first chunk without
    (``post(from_chunk=...)``). The staging table is written only when one of those
    statements needs it (``stage``): an accepted declaration's rows never go through it.
    """

    def __init__(
        self,
        *,
        declaration_id: int,
        employer_id: int,
        period: int,
        insurances: set[str],
        claim: bool,
    ) -> None:
        stage_tables()
        connection.ensure_connection()
        self._raw = connection.connection
        self._claim = claim
        self._claim_tail = f"\t{period}\t{employer_id}\t{declaration_id}\n"
        self._posts = any(i in insurances for i, _, _ in DETAIL_COLUMNS)
        self._insurances = insurances
        self._detail_tail = f"\t{declaration_id}\t{employer_id}\t{period}\n"
        self.keys: dict[Decimal, int] = {}
        #: A wage's detail columns (wage, base, the parts), as COPY text.
        self._parts: dict[Decimal, str] = {}
        #: The number of rows of each chunk handed over.
        self._sizes: list[int] = []
        self.claims_complete = True
        self.first_unposted: int | None = None
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="posting")
        self._pending: Future[bool] | None = None

    def employees(self, *, employer_id: int, period: int) -> Future[dict[str, int]]:
        """Start reading the employees of the month (``employees``) on the writer's thread:
        the calling thread may meanwhile work without the connection (blind indexes), then
        takes the result with ``wait_employees``. Nothing else may be in flight."""
        assert self._pending is None
        return self._pool.submit(read_employees, self._raw, employer_id, period)

    def write(
        self, rows: Sequence[Staged], months: Mapping[Decimal, EmployeeMonth], *, post: bool
    ) -> None:
        """Hand over one chunk's rows (in any order; sorted here by person) and the amounts
        of every wage seen so far (``months``, growing; the new ones are staged)."""
        chunk = len(self._sizes)
        self._sizes.append(len(rows))
        new = [wage for wage in months if wage not in self.keys]
        for wage in new:
            self.keys[wage] = len(self.keys)
            values = _staged_values(months[wage], wage)
            self._parts[wage] = "\t".join(
                [
                    str(wage),
                    str(values[1]),
                    *(
                        str(value) if insurance in self._insurances else NULL
                        for (insurance, _, _), value in zip(DETAIL_COLUMNS, values[2:], strict=True)
                    ),
                ]
            )
        wage_text = "".join(
            f"{self.keys[wage]}\t"
            + "\t".join(str(v) for v in _staged_values(months[wage], wage))
            + "\n"
            for wage in new
        )
        # In person order: the claims and the detail are appended to their indexes in it.
        # The persons are known for every row but those whose ID is no employee's.
        person = itemgetter(1)
        known = None not in map(person, rows)
        ordered = sorted(rows, key=person if known else lambda r: r[1] or 0)
        claim_text = ""
        if self._claim and self.claims_complete:
            tail = self._claim_tail
            claim_text = "".join(
                [f"{p}{tail}" for _, p, _ in ordered]
                if known
                else [f"{p}{tail}" for _, p, _ in ordered if p is not None]
            )
        post = post and self.first_unposted is None and self._posts
        if not post and self.first_unposted is None:
            self.first_unposted = chunk
        detail_text = ""
        if post:
            parts, tail = self._parts, self._detail_tail
            detail_text = "".join([f"{p}\t{parts[wage]}{tail}" for _, p, wage in ordered])
        self.drain()
        if not self.claims_complete:
            claim_text = ""
        self._pending = self._pool.submit(
            write_chunk, self._raw, wage_text, claim_text, detail_text
        )

    def drain(self) -> None:
        """Wait for the chunk in flight; the connection is the caller's again."""
        pending, self._pending = self._pending, None
        if pending is not None:
            with connection.wrap_database_errors:
                if not wait_chunk(pending):
                    self.claims_complete = False

    def close(self) -> None:
        """Drain and stop the thread (in a ``finally``: also after an error)."""
        try:
            self.drain()
        finally:
            self._pool.shutdown(wait=True)

    def stage(self, rows: Sequence[Staged]) -> None:
        """After ``close``: COPY every chunk's rows (``rows``, the chunks' rows in the order
        handed over, their persons as resolved since) into the staging table, for the
        statements that read it (a late person, a month held elsewhere, chunks unposted)."""
        assert sum(self._sizes) == len(rows)
        keys = self.keys
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {STAGE} ({', '.join(COLUMNS)}, chunk) FROM STDIN") as copy,
        ):
            start = 0
            for chunk, size in enumerate(self._sizes):
                copy.write(
                    "".join(
                        f"{line}\t{NULL if person is None else person}\t{keys[wage]}\t{chunk}\n"
                        for line, person, wage in rows[start : start + size]
                    )
                )
                start += size


#: Memory a bulk post's statements may hash and sort in (PostgreSQL ``work_mem``, for the
#: transaction only): a million staged rows or employments hash in one batch instead of
#: spilling to temporary files at the server's default of 4 MB.
BULK_WORK_MEM = "64MB"


def bulk_work_mem(cursor: Any) -> None:
    """Raise ``work_mem`` to ``BULK_WORK_MEM`` until the transaction ends (PostgreSQL)."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT set_config('work_mem', %s, true)", [BULK_WORK_MEM])


def employees(*, employer_id: int, period: int) -> dict[str, int]:
    """The employer's employees of the month: blind index of the resident ID -> person id.
    One read; a declaration's rows are matched against it in Python."""
    with transaction.atomic(), connection.cursor() as cursor:
        bulk_work_mem(cursor)
        cursor.execute(EMPLOYEES, [employer_id, period, period])
        return dict(cursor.fetchall())


def persons_of(indexes: Sequence[str]) -> dict[str, int]:
    """Blind index -> person id of the registered persons among ``indexes`` (the rows that
    are not the employer's employees: usually none)."""
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(indexes), 10_000):  # within SQLite's bound variables
            chunk = indexes[start : start + 10_000]
            cursor.execute(
                "SELECT resident_id_index, id FROM identity_person "  # noqa: S608
                f"WHERE resident_id_index IN ({', '.join(['%s'] * len(chunk))})",
                list(chunk),
            )
            found.update(cursor.fetchall())
    return found


def unmatched_lines(*, employer_id: int, period: int) -> list[tuple[int, bool]]:
    """Staged lines whose person is unknown (False) or not employed here that month (True).

    Linear in the rows on both databases: PostgreSQL hash-joins the staged rows with the
    employer's employments; SQLite, which has no statistics on the temporary staging table
    and would otherwise scan the employer's employments once per row, builds the set of the
    employer's employees once (a ``NOT IN`` over an uncorrelated subquery) and probes it.
    """
    employed = (
        "SELECT e.person_id FROM contributions_employment e WHERE e.employer_id = %s "
        "AND e.start_period <= %s AND (e.end_period IS NULL OR e.end_period >= %s)"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT s.line, s.person_id IS NOT NULL FROM {STAGE} s "  # noqa: S608
                f"LEFT JOIN ({employed}) e ON e.person_id = s.person_id "
                "WHERE s.person_id IS NULL OR e.person_id IS NULL ORDER BY s.line",
                [employer_id, period, period],
            )
        else:
            cursor.execute(
                f"SELECT s.line, s.person_id IS NOT NULL FROM {STAGE} s "  # noqa: S608
                f"WHERE s.person_id IS NULL OR s.person_id NOT IN ({employed}) ORDER BY s.line",
                [employer_id, period, period],
            )
        return [(int(line), bool(known)) for line, known in cursor.fetchall()]


def unstaged_employees(*, employer_id: int, period: int) -> list[tuple[str, int]]:
    """The employer's employees of the month whose person is not staged: (blind index,
    person id), usually none. One anti-join, linear on both databases (PostgreSQL hashes the
    staged persons; SQLite builds an index over the ``NOT IN`` list once)."""
    employed = (
        "SELECT p.resident_id_index, e.person_id FROM contributions_employment e "
        "JOIN identity_person p ON p.id = e.person_id WHERE e.employer_id = %s "
        "AND e.start_period <= %s AND (e.end_period IS NULL OR e.end_period >= %s) "
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The anti-join first, on the employments alone; only the few persons left out
            # are then looked up (a join first would read every employee's person row).
            cursor.execute(
                "WITH left_out AS MATERIALIZED (SELECT e.person_id FROM "  # noqa: S608
                "contributions_employment e WHERE e.employer_id = %s AND e.start_period <= %s "
                "AND (e.end_period IS NULL OR e.end_period >= %s) AND NOT EXISTS (SELECT 1 "
                f"FROM {STAGE} s WHERE s.person_id = e.person_id)) "
                "SELECT p.resident_id_index, l.person_id FROM left_out l "
                "JOIN identity_person p ON p.id = l.person_id",
                [employer_id, period, period],
            )
        else:
            cursor.execute(
                f"{employed} AND e.person_id NOT IN (SELECT s.person_id FROM {STAGE} s "  # noqa: S608
                "WHERE s.person_id IS NOT NULL)",
                [employer_id, period, period],
            )
        return [(str(index), int(person)) for index, person in cursor.fetchall()]


def claim_pension(
    *, employer_id: int, period: int, declaration_id: int, persons: Sequence[int] = ()
) -> list[tuple[int, int]]:
    """Take the month's pension of every staged person for this employer; the staged lines
    whose person's pension that month another employer holds, with that employer's id.

    One ``INSERT ... ON CONFLICT DO NOTHING`` into ``PensionMonth`` (unique per person and
    month), in person order, then one read. On PostgreSQL a person another transaction is
    claiming makes this one wait for it to end; READ COMMITTED's next statement then sees
    its claim, so of two employers declaring the same person at once exactly one wins. The
    claims are rolled back with the rest when the declaration is refused or only checked.

    ``persons``, the staged persons in ascending order, lets PostgreSQL first try a plain
    COPY of the claims in a savepoint (a regular declaration, whose months are usually all
    free): no speculative insertion, no sort, no count. The first month another transaction
    holds ends the COPY with a unique violation (after waiting for that transaction, like
    the insert), the savepoint is rolled back, and the statement above decides.
    """
    if persons and connection.vendor == "postgresql":
        tail = f"\t{period}\t{employer_id}\t{declaration_id}\n"
        try:
            with (
                transaction.atomic(),
                connection.wrap_database_errors,
                connection.cursor() as cursor,
                cursor.cursor.copy(
                    "COPY contributions_pensionmonth (person_id, period, employer_id, "
                    "declaration_id) FROM STDIN"
                ) as copy,
            ):
                for start in range(0, len(persons), COPY_CHUNK):
                    copy.write("".join(f"{p}{tail}" for p in persons[start : start + COPY_CHUNK]))
            return []
        except IntegrityError:
            pass  # a month is held: claim the free ones and name the others below
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO contributions_pensionmonth (person_id, period, employer_id, "  # noqa: S608
            f"declaration_id) SELECT s.person_id, %s, %s, %s FROM {STAGE} s "
            "WHERE s.person_id IS NOT NULL ORDER BY s.person_id "
            "ON CONFLICT (period, person_id) DO NOTHING",
            [period, employer_id, declaration_id],
        )
        claimed = cursor.rowcount
        cursor.execute(f"SELECT COUNT(*) FROM {STAGE} WHERE person_id IS NOT NULL")  # noqa: S608
        (staged,) = cursor.fetchone()
        if claimed == staged:
            # Every staged person's month was free and is now this employer's: nobody else
            # holds one (the month's first declaration, the common case); no read needed.
            return []
        cursor.execute(
            f"SELECT s.line, m.employer_id FROM {STAGE} s "  # noqa: S608
            "JOIN contributions_pensionmonth m ON m.person_id = s.person_id AND m.period = %s "
            "WHERE m.employer_id <> %s ORDER BY s.line",
            [period, employer_id],
        )
        return [(int(line), int(other)) for line, other in cursor.fetchall()]


#: (insurance, column of the staged amount, ledger kind, counts towards the account)
POSTINGS = (
    ("pension", "p_emp", "employer_pooled", False),
    ("pension", "p_ind", "individual_account", True),
    ("unemployment", "u_emp", "employer_pooled", False),
    ("unemployment", "u_ind", "individual_pooled", False),
    ("work_injury", "w_emp", "employer_pooled", False),
)


def _kinds(insurances: set[str], true: str, false: str) -> tuple[str, list[Any]]:
    """The ledger kinds to post as an inline table (insurance, kind, account, column)."""
    selects, params = [], []
    for insurance, column, kind, account in POSTINGS:
        if insurance in insurances:
            selects.append(
                f"SELECT %s AS insurance, %s AS kind, {true if account else false} AS account, "
                "%s AS col"
            )
            params += [insurance, kind, column]
    return " UNION ALL ".join(selects), params


#: (insurance, staged column, detail column) of each part a detail row holds.
DETAIL_COLUMNS = (
    ("pension", "p_emp", "pension_employer"),
    ("pension", "p_ind", "pension_individual"),
    ("unemployment", "u_emp", "unemployment_employer"),
    ("unemployment", "u_ind", "unemployment_individual"),
    ("work_injury", "w_emp", "work_injury_employer"),
)


def post(
    *,
    declaration_id: int,
    employer_id: int,
    period: int,
    insurances: set[str],
    adjusting: bool,
    from_chunk: int = 0,
) -> None:
    """Write the declaration's contribution details from the staging table, one row per
    person (the parts of the insurances the employer does not hold left NULL), in one
    statement whatever the number of rows.

    A regular declaration writes nothing else: its detail rows are its ledger entries (the
    ``LedgerEntry`` view). An ``adjusting`` (supplementary) one also writes, as records, the
    difference to what the ledger already holds for the person, month, employer, insurance
    and kind. The detail's unique index (declaration, person, period) and the records'
    (source, person, month, insurance, kind) refuse a repeated post of the same
    declaration, and its transaction with it. ``from_chunk``: only the staged rows of that
    chunk on (``ChunkWriter.first_unposted``), a regular declaration's.
    """
    if not insurances & {insurance for insurance, _, _ in DETAIL_COLUMNS}:
        return
    parts = ", ".join(
        f"w.{staged}" if insurance in insurances else "NULL"
        for insurance, staged, _ in DETAIL_COLUMNS
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO contributions_contributiondetail (declaration_id, person_id, "  # noqa: S608
            f"employer_id, period, wage, base, {', '.join(c for _, _, c in DETAIL_COLUMNS)}) "
            # Staged in person order (``stage``) and read back in it: the unique index grows
            # at its right edge, page by page, without sorting a million rows here.
            f"SELECT %s, s.person_id, %s, %s, w.wage, w.base, {parts} FROM {STAGED}"
            # A pipelined declaration whose first chunks ``ChunkWriter`` already wrote.
            + (" WHERE s.chunk >= %s ORDER BY s.person_id" if from_chunk else ""),
            [declaration_id, employer_id, period, *([from_chunk] if from_chunk else [])],
        )
        if not adjusting:
            return
        true, false = ("true", "false") if connection.vendor == "postgresql" else ("1", "0")
        staged = (
            "CASE k.col "
            + " ".join(f"WHEN '{column}' THEN w.{column}" for _, column, _, _ in POSTINGS)
            + " END"
        )
        kinds, kind_params = _kinds(insurances, true, false)
        # Only constants are formatted in; values are parameters.
        source = (
            f"{STAGED} CROSS JOIN ({kinds}) k LEFT JOIN ("  # noqa: S608
            # The staged persons' entries of the month, through the (person, period)
            # indexes of both tables behind the view.
            "SELECT l.person_id, l.insurance, l.kind, SUM(l.amount) AS amount "
            f"FROM {STAGE} p JOIN contributions_ledgerentry l ON l.person_id = p.person_id "
            "AND l.period = %s WHERE l.employer_id = %s AND l.source_type = 'declaration' "
            "GROUP BY l.person_id, l.insurance, l.kind) old "
            "ON old.person_id = s.person_id AND old.insurance = k.insurance "
            "AND old.kind = k.kind"
        )
        cursor.execute(
            "INSERT INTO contributions_ledgerrecord (person_id, employer_id, period, "  # noqa: S608
            "insurance, kind, account, amount, base, source_type, source_id, created_at) "
            "SELECT person_id, %s, %s, insurance, kind, account, amount, base, 'declaration', "
            f"%s, CURRENT_TIMESTAMP FROM (SELECT s.person_id, k.insurance, k.kind, k.account, "
            f"{staged} - COALESCE(old.amount, 0) AS amount, w.base FROM {source}) t "
            "WHERE amount <> 0 ORDER BY person_id",
            [employer_id, period, declaration_id, *kind_params, period, employer_id],
        )


def changes_anything(*, declaration_id: int, employer_id: int, period: int) -> bool:
    """Whether a posted supplementary declaration changed the month: an amount (a ledger
    record of its own) or a declared wage (a person whose wage differs from the one the
    employer's earlier declarations of the month gave, or who had none)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM contributions_ledgerrecord WHERE source_type = 'declaration' "
            "AND source_id = %s LIMIT 1",
            [declaration_id],
        )
        if cursor.fetchone() is not None:
            return True
        cursor.execute(
            "SELECT 1 FROM contributions_contributiondetail d WHERE d.declaration_id = %s "
            "AND d.period = %s AND d.employer_id = %s AND NOT EXISTS (SELECT 1 FROM ("
            "SELECT p.wage FROM contributions_contributiondetail p WHERE p.period = %s "
            "AND p.employer_id = %s AND p.person_id = d.person_id AND p.declaration_id < %s "
            "ORDER BY p.declaration_id DESC LIMIT 1) last WHERE last.wage = d.wage) LIMIT 1",
            [declaration_id, period, employer_id, period, employer_id, declaration_id],
        )
        return cursor.fetchone() is not None


def staged_totals(
    rows: Sequence[StagedRow], insurances: set[str]
) -> dict[tuple[str, bool], Decimal]:
    """What a regular declaration's ledger entries add up to, by insurance and side, from
    the rows it stages (it posts each nonzero staged amount once, as ``POSTINGS`` say): the
    same figures as ``declaration_totals`` without reading the entries back."""
    totals: dict[tuple[str, bool], Decimal] = {}
    for insurance, column, kind, _account in POSTINGS:
        if insurance not in insurances:
            continue
        amount = sum((getattr(r, column) for r in rows), Decimal(0))
        if amount:
            key = (insurance, kind != "employer_pooled")
            totals[key] = totals.get(key, Decimal(0)) + amount
    return {k: v.quantize(Decimal("0.01")) for k, v in totals.items()}


def wage_totals(
    counts: Mapping[Decimal, int], months: Mapping[Decimal, EmployeeMonth], insurances: set[str]
) -> dict[tuple[str, bool], Decimal]:
    """``staged_totals`` from the number of rows per wage (``counts``) and the amounts of each
    wage (``months``): the same sums, one multiplication per distinct wage."""
    staged = [StagedRow(0, "", wage, *_staged_values(months[wage], wage)[1:]) for wage in counts]
    totals: dict[tuple[str, bool], Decimal] = {}
    for insurance, column, kind, _account in POSTINGS:
        if insurance not in insurances:
            continue
        amount = sum((getattr(r, column) * counts[r.wage] for r in staged), Decimal(0))
        if amount:
            key = (insurance, kind != "employer_pooled")
            totals[key] = totals.get(key, Decimal(0)) + amount
    return {k: v.quantize(Decimal("0.01")) for k, v in totals.items()}


def declaration_totals(*, declaration_id: int) -> dict[tuple[str, bool], Decimal]:
    """Sum of the declaration's ledger entries by insurance and employer/individual side."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT insurance, kind, SUM(amount) FROM contributions_ledgerentry "
            "WHERE source_type = 'declaration' AND source_id = %s GROUP BY insurance, kind",
            [declaration_id],
        )
        totals: dict[tuple[str, bool], Decimal] = {}
        for insurance, kind, amount in cursor.fetchall():
            key = (insurance, kind != "employer_pooled")
            totals[key] = totals.get(key, Decimal(0)) + Decimal(str(amount))
    return {k: v.quantize(Decimal("0.01")) for k, v in totals.items()}
