"""Payroll benchmark: the monthly payroll run for N pensioners against a raw SQL baseline
doing the same arithmetic into a plain table, in the same run.

``onestop bench payroll --rows 1000000`` (PostgreSQL or SQLite). The last line printed is
JSON: rows, seconds, rows_per_s, raw_rows_per_s, ratio.
"""

from __future__ import annotations

import json
import platform
import random
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from onestop.common.bulk import copy_rows
from onestop.contributions.generate import people
from onestop.identity.models import Person, Region
from onestop.pensions import services
from onestop.pensions.models import Payment, PayrollRun, Pensioner, PensionerStatus


def _pensioners(rows: int, seed: int, write: Callable[[str], Any]) -> int:
    """``rows`` pensioners (persons made by the bulk generator); returns the first period."""
    rng = random.Random(seed)
    write(f"Preparing {rows} pensioners (not timed)...")
    people(count=rows, employers=1, rng=rng, start_period=202401, prefix=f"退休{seed}")
    taken = set(Pensioner.objects.values_list("person_id", flat=True))
    persons = [
        (pk, region)
        for pk, region in Person.objects.order_by("-pk").values_list("pk", "region_id")[:rows]
        if pk not in taken
    ]
    start = services.month_index("2025-01")
    now = timezone.now()
    with transaction.atomic():
        copy_rows(
            Pensioner._meta.db_table,
            [
                "person_id",
                "case_number",
                "region_id",
                "retirement_month",
                "start_index",
                "monthly_amount",
                "award",
                "bank_account",
                "status",
                "status_reason",
                "created_at",
            ],
            (
                (
                    pk,
                    f"BENCH{pk}",
                    region,
                    "2024-12",
                    start,
                    Decimal(rng.randrange(180000, 900000)) / 100,
                    "{}",
                    "",
                    PensionerStatus.ACTIVE,
                    "",
                    now,
                )
                for pk, region in persons
            ),
        )
    return len(persons)


def run(*, rows: int, seed: int = 11, write: Callable[[str], Any] = print) -> dict[str, Any]:
    if not Region.objects.exists():
        raise RuntimeError("Load the demo province first (onestop demo --no-serve).")
    made = _pensioners(rows, seed, write)
    taken = set(PayrollRun.objects.values_list("period_index", flat=True))
    index = max([services.month_index("2027-01"), *[t + 1 for t in taken]])
    period = services.month_label(index)

    write(f"Timing the payroll run for {period}...")
    started = time.perf_counter()
    payroll = services.payroll_run(actor=None, period=period)
    seconds = time.perf_counter() - started
    paid = Payment.objects.filter(run=payroll).count()

    write("Timing the same arithmetic in raw SQL into a plain table...")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_payroll (pensioner_id bigint, period_index integer, "
            "kind varchar(16), months integer, amount numeric(12,2))"
        )
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO bench_payroll SELECT p.id, %s, 'regular', 1, p.monthly_amount "  # noqa: S608
            f"FROM {Pensioner._meta.db_table} p WHERE p.status = 'active' "
            "AND p.start_index <= %s",
            [index, index],
        )
        raw_seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_payroll")
    figures = {
        "rows": paid,
        "pensioners_made": made,
        "seconds": round(seconds, 3),
        "rows_per_s": round(paid / seconds) if seconds else None,
        "raw_rows_per_s": round(paid / raw_seconds) if raw_seconds else None,
        "ratio": round(raw_seconds / seconds, 3) if seconds else None,
        "database": connection.vendor,
        "machine": platform.platform(),
    }
    write(json.dumps(figures))
    return figures
