"""Posting benchmark: the full declaration path against a raw COPY of the same rows.

Run on PostgreSQL (the baseline is COPY): ``onestop bench posting --rows 1000000``. The last
line printed is JSON: rows, seconds, rows_per_s, raw_copy_rows_per_s, ratio, and the floor
(the declaration's ledger rows alone inserted into an empty table with the ledger's indexes).
"""

from __future__ import annotations

import json
import platform
import random
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from onestop.common.bulk import copy_rows
from onestop.contributions import services
from onestop.contributions.generate import people
from onestop.contributions.periods import current_period, month_of, period_of
from onestop.identity.models import Employer


def run(*, rows: int, seed: int = 7, write: Callable[[str], Any] = print) -> dict[str, Any]:
    if connection.vendor != "postgresql":
        raise RuntimeError(
            "The posting benchmark compares with PostgreSQL COPY: set "
            "DATABASE_URL to a PostgreSQL database."
        )
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
    started = time.perf_counter()
    result = services.declaration_submit(
        actor=None, employer=employer, period=period, rows=declared
    )
    seconds = time.perf_counter() - started
    if not result.accepted:
        raise RuntimeError(f"benchmark declaration refused: {result.reply['errors'][:5]}")

    write("Timing a raw COPY of the same rows into a plain table...")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_raw (line integer, resident_id text, "
                "wage numeric(12,2)) ON COMMIT DROP"
            )
        started = time.perf_counter()
        copy_rows(
            "bench_raw",
            ("line", "resident_id", "wage"),
            ((r.line, r.resident_id, r.wage) for r in declared),
        )
        raw_seconds = time.perf_counter() - started

    write("Timing the floor: the same ledger rows into an empty ledger-shaped table...")
    floor_seconds, ledger_rows = _floor(result.declaration.pk if result.declaration else 0)

    figures = {
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds),
        "raw_copy_rows_per_s": round(rows / raw_seconds),
        "ratio": round((rows / seconds) / (rows / raw_seconds), 3),
        "floor_ratio": round((rows / floor_seconds) / (rows / raw_seconds), 3),
    }
    write(
        f"Floor: {ledger_rows} ledger rows written in {floor_seconds:.3f} s into an empty table "
        "with the ledger's indexes and unique constraint (no foreign keys, nothing else): "
        f"{rows / floor_seconds:.0f} employees/s, ratio "
        f"{(rows / floor_seconds) / (rows / raw_seconds):.3f} against the same raw COPY"
    )
    write(
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"Python {platform.python_version()}, PostgreSQL "
        f"{connection.cursor().connection.info.server_version}"
    )
    write(json.dumps(figures))
    return figures


def _floor(declaration_id: int) -> tuple[float, int]:
    """The least any posting that keeps the ledger's indexes can cost: one ``INSERT ...
    SELECT`` of the declaration's own ledger entries into an empty table shaped like the
    ledger (its indexes and unique constraint; no foreign keys, no validation, no rules,
    no other table). Rolled back."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_floor (LIKE contributions_ledgerentry INCLUDING ALL) "
                "ON COMMIT DROP"
            )
            started = time.perf_counter()
            cursor.execute(
                "INSERT INTO bench_floor SELECT * FROM contributions_ledgerentry "
                "WHERE source_type = 'declaration' AND source_id = %s",
                [declaration_id],
            )
            seconds = time.perf_counter() - started
            count = cursor.rowcount
        transaction.set_rollback(True)
    return seconds, count
