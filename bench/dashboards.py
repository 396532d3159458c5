"""Dashboard benchmark: the dashboard's query on the rollups against computing the same
figures from the ledger, in the same run.

``onestop bench dashboards --rows 10000000`` makes persons across the province's counties
and ``--rows`` pension ledger entries (two a person and month, employer and individual
part; not timed), times the rollup of every month once, then times the dashboard query of
the last twelve months for the province and for a city (``REPEAT`` times each, p50 and p95)
and the same insured-persons and contribution figures grouped from the ledger. The last
line printed is JSON: ledger_rows, rollup_seconds, dashboard_p50_ms, dashboard_p95_ms,
ledger_p95_ms, ratio (ledger p95 over dashboard p95).
"""

from __future__ import annotations

import json
import platform
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from onestop.contributions.generate import people
from onestop.contributions.models import LedgerEntry
from onestop.dashboards import rollup, selectors
from onestop.identity.models import Person

MONTHS = 120
REPEAT = 50
LEDGER_REPEAT = 5


def _ms(function: Callable[[], Any], times: int) -> list[float]:
    out = []
    for _ in range(times):
        started = time.perf_counter()
        function()
        out.append((time.perf_counter() - started) * 1000)
    return out


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def run(*, rows: int, seed: int = 7, write: Callable[[str], Any] = print) -> dict[str, Any]:
    this_month = rollup.month_of(timezone.localdate())
    first = rollup.plus_months(this_month, -(MONTHS - 1))
    persons = max(1, rows // (2 * MONTHS))
    write(f"Preparing {persons} persons and {persons * 2 * MONTHS} ledger rows (not timed)...")
    people(count=persons, employers=12, rng=random.Random(seed), start_period=first, prefix="看板")
    person_ids = list(Person.objects.order_by("-pk").values_list("pk", flat=True)[:persons])
    pension_ledger(person_ids, first)
    ledger_rows = LedgerEntry.objects.count()

    write("Timing the rollup of every month...")
    started = time.perf_counter()
    figures = rollup.rollup(since=first, until=this_month)
    rollup_seconds = time.perf_counter() - started

    since = rollup.plus_months(this_month, -11)
    write(f"Timing the dashboard query ({REPEAT} times for the province and for Xi'an)...")
    dashboard = _ms(lambda: selectors.dashboard(prefix="61", since=since, until=this_month), REPEAT)
    dashboard += _ms(
        lambda: selectors.dashboard(prefix="6101", since=since, until=this_month), REPEAT
    )

    def from_ledger(prefix: str) -> Any:
        return list(
            LedgerEntry.objects.filter(
                insurance="pension",
                source_type="declaration",
                period__gte=since,
                period__lte=this_month,
                person__region__code__startswith=prefix,
            )
            .values("period")
            .annotate(insured=Count("person_id", distinct=True), posted=Sum("amount"))
        )

    write(f"Timing the same figures from the ledger ({LEDGER_REPEAT} times each)...")
    ledger = _ms(lambda: from_ledger("61"), LEDGER_REPEAT)
    ledger += _ms(lambda: from_ledger("6101"), LEDGER_REPEAT)

    result = {
        "ledger_rows": ledger_rows,
        "figures": figures,
        "rollup_seconds": round(rollup_seconds, 3),
        "dashboard_p50_ms": round(statistics.median(dashboard), 2),
        "dashboard_p95_ms": round(_p95(dashboard), 2),
        "ledger_p95_ms": round(_p95(ledger), 2),
        "ratio": round(_p95(ledger) / _p95(dashboard), 1),
    }
    write(
        f"Machine: {platform.machine()}, Python {platform.python_version()}, "
        f"database {connection.vendor}"
    )
    write(json.dumps(result))
    return result


def pension_ledger(person_ids: list[int], first: int, months: int = MONTHS) -> None:
    """Two pension entries a person and month for ``months`` months from ``first``: set-based
    on PostgreSQL (generate_series), one executemany elsewhere. Shared with bench/reads.py."""
    periods = [rollup.plus_months(first, i) for i in range(months)]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO contributions_ledgerrecord (person_id, employer_id, period, "
                "insurance, kind, account, amount, base, source_type, source_id, created_at) "
                "SELECT p.id, NULL, m.period, 'pension', k.kind, k.account, "
                "round((400 + (p.id %% 900))::numeric * k.share, 2), 5000, 'declaration', "
                "-1 - p.id, now() FROM unnest(%s::bigint[]) AS p(id) "
                "CROSS JOIN unnest(%s::int[]) AS m(period) "
                "CROSS JOIN (VALUES ('employer_pooled', false, 2.0), "
                "('individual_account', true, 1.0)) AS k(kind, account, share) "
                "ON CONFLICT DO NOTHING",
                [person_ids, periods],
            )
        else:
            now = timezone.now().isoformat()
            cursor.executemany(
                "INSERT INTO contributions_ledgerrecord (person_id, employer_id, period, "
                "insurance, kind, account, amount, base, source_type, source_id, created_at) "
                "VALUES (%s, NULL, %s, 'pension', %s, %s, %s, 5000, 'declaration', %s, %s)",
                [
                    (pid, period, kind, account, f"{(400 + pid % 900) * share:.2f}", -1 - pid, now)
                    for pid in person_ids
                    for period in periods
                    for kind, account, share in (
                        ("employer_pooled", False, 2),
                        ("individual_account", True, 1),
                    )
                ],
            )
