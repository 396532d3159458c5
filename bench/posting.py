"""Posting benchmark: the full declaration path against an honest raw load of the same rows.

The baseline is what a province would pick instead of the platform: the declared rows, seven
columns (resident ID, month, wage, base, employer part, individual part, account credit),
loaded into a logged table with a primary key and UNIQUE (person, month), commit included —
COPY on PostgreSQL, one ``executemany`` on SQLite.

``onestop bench posting --rows 1000000`` on PostgreSQL, ``--rows 20000`` on the embedded
SQLite. The last line printed is JSON: rows, seconds, rows_per_s, raw_rows_per_s, ratio, and
on PostgreSQL the floor (the declaration's contribution-detail rows, its ledger record, alone
inserted into an empty table with the detail's two indexes).
"""

from __future__ import annotations

import json
import platform
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from onestop.common import bulk
from onestop.common.bulk import copy_rows
from onestop.contributions import posting as posting_sql
from onestop.contributions import services
from onestop.contributions.generate import people
from onestop.contributions.periods import current_period, month_of, period_of
from onestop.identity.models import Employer


def run(*, rows: int, seed: int = 7, write: Callable[[str], Any] = print) -> dict[str, Any]:
    period = period_of(month_of(current_period(timezone.localdate())).plus(-1))
    write(f"Preparing {rows} employees (not timed)...")
    generated = people(
        count=rows, employers=1, rng=random.Random(seed), start_period=period, prefix=f"基准{seed}"
    )
    employer_id = generated.employer_ids[0]
    employer = Employer.objects.select_related("region").get(pk=employer_id)
    declared = [
        services.DeclaredRow(i + 2, number, f"{wage:.2f}")
        for i, (number, wage) in enumerate(generated.people[employer_id])
    ]

    write("Timing the full posting path...")
    phases: dict[str, float] = {}
    with _phases(phases):
        started, cpu = time.perf_counter(), time.process_time()
        result = services.declaration_submit(
            actor=None, employer=employer, period=period, rows=declared
        )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    phases["other"] = seconds - sum(v for k, v in phases.items() if k not in OVERLAPPED)
    if not result.accepted:
        raise RuntimeError(f"benchmark declaration refused: {result.reply['errors'][:5]}")

    write("Timing the raw load of the same rows into a logged, indexed table...")
    raw_seconds = _raw(declared, period)
    figures: dict[str, Any] = {
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds),
        "raw_rows_per_s": round(rows / raw_seconds),
        "ratio": round(raw_seconds / seconds, 3),
        # This process's CPU time while posting (on SQLite the database's work too): on a
        # machine shared with other work, what the posting itself cost.
        "cpu_seconds": round(cpu, 3),
        "database": connection.vendor,
        # Wall seconds per step of the path (``PHASES``); "other" is what lies between them.
        "phases": {name: round(value, 3) for name, value in phases.items()},
    }
    write(
        f"Posted {rows} employees in {seconds:.3f} s ({rows / seconds:.0f}/s); the raw load "
        f"took {raw_seconds:.3f} s ({rows / raw_seconds:.0f}/s); ratio {figures['ratio']:.3f}"
    )
    if connection.vendor == "postgresql":
        write("Timing the floor: the same detail rows into an empty detail-shaped table...")
        floor_seconds, ledger_rows = _floor(result.declaration.pk if result.declaration else 0)
        figures["floor_ratio"] = round(raw_seconds / floor_seconds, 3)
        write(
            f"Floor: {ledger_rows} detail rows written in {floor_seconds:.3f} s into an empty "
            "table with the detail's index and unique constraint (no foreign keys, nothing "
            f"else): {rows / floor_seconds:.0f} employees/s, ratio {figures['floor_ratio']:.3f} "
            "against the same raw load"
        )
    server = (
        f"PostgreSQL {connection.cursor().connection.info.server_version}"
        if connection.vendor == "postgresql"
        else f"SQLite {sqlite3.sqlite_version}"
    )
    write(
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"Python {platform.python_version()}, {server}"
    )
    write(json.dumps(figures))
    return figures


#: The steps of the posting path the bench times, (module, function, phase name).
PHASES: tuple[tuple[Any, str, str], ...] = (
    (posting_sql, "employees", "read_employees"),
    # A pipelined declaration reads them on the writer's thread (``OVERLAPPED``) while the
    # checking thread computes blind indexes, then waits for the rest of the read.
    (posting_sql, "read_employees", "read_employees_overlapped"),
    (posting_sql, "wait_employees", "wait_employees"),
    (services, "_check_rows", "check_rows"),
    (posting_sql, "stage", "stage"),
    (posting_sql, "unmatched_lines", "unmatched"),
    (posting_sql, "claim_pension", "claim_pension"),
    (services, "_missing_employees", "missing"),
    (posting_sql, "post", "insert_detail"),
    (services, "_bills", "bills"),
    (bulk, "refresh_statistics", "analyze"),
    # A pipelined declaration (PostgreSQL): the checking thread waiting for the database...
    (posting_sql, "wait_chunk", "wait_db"),
    # ...and the database's part of each chunk on the writer's thread, while the checking
    # thread goes on (``OVERLAPPED``: not part of the sum that gives "other").
    (posting_sql, "write_chunk", "db_chunks_overlapped"),
)
#: Phases that run beside the others (on the writer's thread).
OVERLAPPED = frozenset({"db_chunks_overlapped", "read_employees_overlapped"})


@contextmanager
def _phases(into: dict[str, float]) -> Iterator[None]:
    """Time each step in ``PHASES`` while the block runs (wall seconds, summed per name), and
    the commit of the outermost transaction."""

    def timed(function: Callable[..., Any], name: str) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                into[name] = into.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    saved = [(module, attribute, getattr(module, attribute)) for module, attribute, _ in PHASES]
    for module, attribute, name in PHASES:
        setattr(module, attribute, timed(getattr(module, attribute), name))
    commit = connection.commit
    connection.commit = timed(commit, "commit")  # type: ignore[method-assign]
    try:
        yield
    finally:
        del connection.commit  # the class's method again
        for module, attribute, function in saved:
            setattr(module, attribute, function)


def _raw(declared: list[services.DeclaredRow], period: int) -> float:
    """Seconds to load the declared rows into a logged table with a primary key and UNIQUE
    (person, month), the amounts computed in Python as a hand-written loader would, commit
    included; the table is dropped afterwards."""
    rate_employer, rate_individual, rate_account = Decimal("0.16"), Decimal("0.08"), Decimal("0.08")
    key = "bigserial" if connection.vendor == "postgresql" else "integer"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw")
        cursor.execute(
            f"CREATE TABLE bench_raw (id {key} PRIMARY KEY, resident_id varchar(18) NOT NULL, "
            "period integer NOT NULL, wage numeric(12,2) NOT NULL, base numeric(12,2) NOT NULL, "
            "employer_amount numeric(12,2) NOT NULL, individual_amount numeric(12,2) NOT NULL, "
            "account_credit numeric(12,2) NOT NULL, UNIQUE (resident_id, period))"
        )
    cent = Decimal("0.01")
    try:
        started = time.perf_counter()
        with transaction.atomic():
            copy_rows(
                "bench_raw",
                (
                    "resident_id",
                    "period",
                    "wage",
                    "base",
                    "employer_amount",
                    "individual_amount",
                    "account_credit",
                ),
                (
                    (
                        r.resident_id,
                        period,
                        wage := Decimal(r.wage),
                        wage,
                        (wage * rate_employer).quantize(cent),
                        (wage * rate_individual).quantize(cent),
                        (wage * rate_account).quantize(cent),
                    )
                    for r in declared
                ),
            )
        return time.perf_counter() - started
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_raw")


def _floor(declaration_id: int) -> tuple[float, int]:
    """The least any posting that keeps the ledger's indexes can cost: one ``INSERT ...
    SELECT`` of the declaration's own contribution-detail rows (its ledger record) into an
    empty table shaped like the detail, with its two indexes (no foreign keys, no
    validation, no rules, no other table). Rolled back."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_floor (LIKE contributions_contributiondetail) "
                "ON COMMIT DROP"
            )
            cursor.execute("CREATE UNIQUE INDEX ON bench_floor (declaration_id, person_id, period)")
            cursor.execute("CREATE INDEX ON bench_floor (person_id, period)")
            started = time.perf_counter()
            cursor.execute(
                "INSERT INTO bench_floor SELECT * FROM contributions_contributiondetail "
                "WHERE declaration_id = %s",
                [declaration_id],
            )
            seconds = time.perf_counter() - started
            count = cursor.rowcount
        transaction.set_rollback(True)
    return seconds, count
