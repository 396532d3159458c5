"""Payroll benchmark: three consecutive monthly payroll runs for N pensioners, and three of
the unemployment benefit payroll for N benefits in payment, each against a raw SQL baseline
doing the same arithmetic, in the same run.

The baseline is what a province would write by hand: one ``INSERT ... SELECT`` of every
amount into a logged table with a primary key and the same unique key as the payment list,
commit included. The later months matter as much as the first: they reconcile against a
previous list and insert next to the months already paid.

``onestop bench payroll --rows 1000000`` (PostgreSQL or SQLite). The last line printed is
JSON: rows, first_seconds, second_seconds, third_seconds, second_over_first,
third_over_first, raw_seconds, ratio (raw seconds over the first month's seconds; 1.0 would
be as fast as the hand-written insert), and the same figures for the unemployment benefit
payroll prefixed ``unemployment_``.
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
from onestop.identity.models import Person
from onestop.pensions import services
from onestop.pensions.models import Payment, PayrollRun, Pensioner, PensionerStatus


def _new_people(rows: int, rng: random.Random, prefix: str, busy: Any) -> list[tuple[int, int]]:
    """``rows`` persons made by the bulk generator, as (id, region id), less those in
    ``busy`` (a query of person ids already set up by an earlier run)."""
    people(count=rows, employers=1, rng=rng, start_period=202401, prefix=prefix)
    taken = set(busy)
    return [
        (pk, region)
        for pk, region in Person.objects.order_by("-pk").values_list("pk", "region_id")[:rows]
        if pk not in taken
    ]


def _time_raw_insert(table: str, columns: str, insert: str, params: list[Any]) -> float:
    """Seconds one ``INSERT ... SELECT`` takes, commit included, into a fresh logged table
    ``table`` with a primary key and ``columns``; the table is dropped afterwards."""
    key = "bigserial" if connection.vendor == "postgresql" else "integer"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TABLE {table} (id {key} PRIMARY KEY, {columns})")
    try:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(insert, params)
        return time.perf_counter() - started
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _pensioners(rows: int, seed: int, write: Callable[[str], Any]) -> int:
    """``rows`` pensioners (persons made by the bulk generator); returns the first period."""
    rng = random.Random(seed)
    write(f"Preparing {rows} pensioners (not timed)...")
    persons = _new_people(
        rows, rng, f"退休{seed}", Pensioner.objects.values_list("person_id", flat=True)
    )
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
                "suspended_by",
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
                    "",
                    now,
                )
                for pk, region in persons
            ),
        )
    return len(persons)


def run(*, rows: int, seed: int = 11, write: Callable[[str], Any] = print) -> dict[str, Any]:
    made = _pensioners(rows, seed, write)
    taken = set(PayrollRun.objects.values_list("period_index", flat=True))
    index = max([services.month_index("2027-01"), *[t + 1 for t in taken]])
    timings = []
    for month in (index, index + 1, index + 2):
        period = services.month_label(month)
        write(f"Timing the payroll run for {period}...")
        started = time.perf_counter()
        payroll = services.payroll_run(actor=None, period=period)
        timings.append(time.perf_counter() - started)
    paid = Payment.objects.filter(run=payroll).count()
    _analyze()

    write("Timing the same arithmetic in raw SQL into a logged, indexed table...")
    raw_seconds = _raw(index)
    first, second, third = timings
    unemployment = _unemployment(rows, seed, write)
    figures = {
        "rows": paid,
        "pensioners_made": made,
        "first_seconds": round(first, 6),
        "second_seconds": round(second, 6),
        "third_seconds": round(third, 6),
        "second_over_first": round(second / first, 6) if first else None,
        "third_over_first": round(third / first, 6) if first else None,
        "rows_per_s": round(paid / first) if first else None,
        "raw_seconds": round(raw_seconds, 6),
        "raw_rows_per_s": round(paid / raw_seconds) if raw_seconds else None,
        "ratio": round(raw_seconds / first, 6) if first else None,
        **unemployment,
        "database": connection.vendor,
        "machine": platform.platform(),
    }
    write(json.dumps(figures))
    return figures


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _raw(index: int) -> float:
    """One ``INSERT ... SELECT`` into a logged table shaped like the payment list (primary key,
    unique pensioner/month/kind), timed with its commit; the table is dropped afterwards."""
    pensioners = Pensioner._meta.db_table
    return _time_raw_insert(
        "bench_payroll",
        "pensioner_id bigint NOT NULL, period_index integer NOT NULL, kind varchar(16) NOT NULL, "
        "months integer NOT NULL, amount numeric(12,2) NOT NULL, created_at timestamp NOT NULL, "
        "UNIQUE (pensioner_id, period_index, kind)",
        "INSERT INTO bench_payroll (pensioner_id, period_index, kind, months, amount, "  # noqa: S608
        f"created_at) SELECT p.id, %s, 'regular', 1, p.monthly_amount, %s "
        f"FROM {pensioners} p WHERE p.status = 'active' AND p.start_index <= %s",
        [index, timezone.now(), index],
    )


def _unemployment(rows: int, seed: int, write: Callable[[str], Any]) -> dict[str, Any]:
    """``rows`` unemployment benefits in payment (people made by the bulk generator, each
    registered), then two months of the unemployment payroll, timed."""
    from onestop.contributions.periods import month_of, period_of
    from onestop.unemployment import benefits
    from onestop.unemployment.models import (
        BenefitPayment,
        BenefitPayrollRun,
        UnemploymentBenefit,
        UnemploymentRegistration,
    )

    rng = random.Random(seed + 1)
    write(f"Preparing {rows} unemployment benefits (not timed)...")
    persons = _new_people(
        rows,
        rng,
        f"失业{seed}",
        UnemploymentRegistration.objects.filter(status="registered").values_list(
            "person_id", flat=True
        ),
    )
    # Benefits start in the first month timed, so that it pays each one month (no back pay).
    taken = list(BenefitPayrollRun.objects.values_list("period", flat=True))
    first = period_of(month_of(max(taken)).plus(1)) if taken else 202701
    registered = period_of(month_of(first).plus(-1))
    now = timezone.now()
    with transaction.atomic():
        copy_rows(
            UnemploymentRegistration._meta.db_table,
            [
                "person_id",
                "period",
                "employer_reason",
                "separation",
                "channel",
                "status",
                "end_reason",
                "registered_at",
                "created_by",
            ],
            (
                (pk, registered, "", "ended_by_employer", "api", "registered", "", now, "bench")
                for pk, _ in persons
            ),
        )
        registrations = dict(
            UnemploymentRegistration.objects.filter(
                person_id__in=[pk for pk, _ in persons], status="registered"
            ).values_list("person_id", "pk")
        )
        copy_rows(
            UnemploymentBenefit._meta.db_table,
            [
                "person_id",
                "registration_id",
                "case_number",
                "region_id",
                "start_period",
                "months",
                "end_period",
                "monthly_amount",
                "earned_months",
                "carried_in_months",
                "assessment",
                "status",
                "stop_reason",
                "carried_out_months",
                "bank_account",
                "bank_account_index",
                "created_at",
            ],
            (
                (
                    pk,
                    registrations[pk],
                    f"BENCHU{pk}",
                    region,
                    first,
                    24,
                    period_of(month_of(first).plus(23)),
                    Decimal(rng.randrange(150000, 220000)) / 100,
                    24,
                    0,
                    "{}",
                    "active",
                    "",
                    0,
                    "",
                    "",
                    now,
                )
                for pk, region in persons
            ),
        )
    months = [first, period_of(month_of(first).plus(1)), period_of(month_of(first).plus(2))]
    timings = []
    for period in months:
        write(f"Timing the unemployment payroll run for {period}...")
        started = time.perf_counter()
        run = benefits.payroll_run(actor=None, period=period)
        timings.append(time.perf_counter() - started)
    paid = BenefitPayment.objects.filter(run=run).count()
    _analyze()
    write("Timing the same unemployment arithmetic in raw SQL into a logged, indexed table...")
    raw_seconds = _raw_unemployment(first)
    one, two, three = timings
    return {
        "unemployment_rows": paid,
        "unemployment_first_seconds": round(one, 6),
        "unemployment_second_seconds": round(two, 6),
        "unemployment_third_seconds": round(three, 6),
        "unemployment_second_over_first": round(two / one, 6) if one else None,
        "unemployment_third_over_first": round(three / one, 6) if one else None,
        "unemployment_raw_seconds": round(raw_seconds, 6),
        "unemployment_ratio": round(raw_seconds / one, 6) if one else None,
    }


def _raw_unemployment(period: int) -> float:
    """The unemployment payroll's regular insert by hand: one ``INSERT ... SELECT`` into a
    logged table with a primary key and the payment list's unique benefit/month/kind, timed
    with its commit; the table is dropped afterwards."""
    from onestop.unemployment.models import UnemploymentBenefit

    benefits = UnemploymentBenefit._meta.db_table
    return _time_raw_insert(
        "bench_benefit_payroll",
        "benefit_id bigint NOT NULL, period integer NOT NULL, kind varchar(16) NOT NULL, "
        "amount numeric(12,2) NOT NULL, created_at timestamp NOT NULL, "
        "UNIQUE (benefit_id, period, kind)",
        "INSERT INTO bench_benefit_payroll (benefit_id, period, kind, amount, "  # noqa: S608
        f"created_at) SELECT b.id, %s, 'regular', b.monthly_amount, %s FROM {benefits} b "
        "WHERE b.start_period <= %s AND b.end_period >= %s",
        [period, timezone.now(), period, period],
    )
