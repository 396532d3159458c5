"""Property: whatever mix of regular and supplementary declarations, payments and retries
runs at once, the ledger ends exact and every invariant of ``ledger verify`` holds.

Each example runs its operations in real threads, one database connection each, started
together at a barrier, on PostgreSQL (READ COMMITTED, the production setting). The oracle is
computed apart from the ledger: for each person, the rules' amounts for the wage of the
newest accepted declaration that lists them. Each example uses a month of its own, so the
examples need no clean-up between them and verify checks all of them together at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, Sum
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import World
from onestop.common.errors import ServiceError
from onestop.contributions import services
from onestop.contributions.models import Bill, LedgerEntry, Payment
from onestop.contributions.selectors import ledger_verify
from onestop.contributions.tests.test_concurrency import RISK_CLASS, staff_acme
from onestop.identity.auth import resident_id_index
from onestop.parameters import selectors as parameters
from onestop.rules.contributions import (
    pension_contribution,
    unemployment_contribution,
    work_injury_contribution,
)

EMPLOYEES = 4
WAGES = st.sampled_from(["0", "3000", "5555.55", "7950", "12000", "40000"])


@dataclass(frozen=True)
class Op:
    """One client action: declare (regular or supplementary wages, maybe with a key, maybe a
    retry of an earlier op's request), or report the payment of the month's open bills."""

    kind: str  # "regular", "supplementary" or "pay"
    wages: tuple[str, ...] = ()  # one per employee; "" leaves the person out (supplementary)
    key: str | None = None


def ops() -> st.SearchStrategy[list[Op]]:
    declare = st.builds(
        Op,
        kind=st.sampled_from(["regular", "supplementary"]),
        wages=st.tuples(*[WAGES] * EMPLOYEES),
        key=st.sampled_from([None, "a", "b"]),
    )
    partial = st.builds(
        Op,
        kind=st.just("supplementary"),
        wages=st.tuples(*[st.one_of(st.just(""), WAGES)] * EMPLOYEES).filter(any),
        key=st.sampled_from([None, "c"]),
    )
    pay = st.just(Op("pay"))
    # Weighted towards supplementaries, where "declared minus posted" can race.
    choice = st.one_of(declare, partial, partial, pay)
    return st.lists(choice, min_size=4, max_size=9).flatmap(
        # A retry sends an earlier op again, byte for byte, with its key.
        lambda base: st.lists(st.sampled_from(base), max_size=2).map(lambda again: base + again)
    )


def expected(period: int, wage: Decimal) -> dict[tuple[str, str], Decimal]:
    data = parameters.province_year(province="610000", year=period // 100)
    p = pension_contribution(wage=wage, average_wage=data.average_wage, rates=data.rates)
    u = unemployment_contribution(wage=wage, average_wage=data.average_wage, rates=data.rates)
    w = work_injury_contribution(
        wage=wage, average_wage=data.average_wage, risk_class=RISK_CLASS, rates=data.rates
    )
    return {
        ("work_injury", "employer_pooled"): w.employer,
        ("pension", "employer_pooled"): p.employer,
        ("pension", "individual_account"): p.individual,
        ("unemployment", "employer_pooled"): u.employer,
        ("unemployment", "individual_pooled"): u.individual,
    }


def run(op: Op, *, world: World, ids: list[str], period: int) -> Any:
    if op.kind == "pay":
        reported = []
        for bill in Bill.objects.filter(period=period, amount_due__gt=0).order_by("pk"):
            # The authority's id is per bill: two reports of one bill are one payment.
            _, new = services.payment_record(
                actor=None,
                external_id=f"P-{bill.pk}",
                bill=bill,
                amount=bill.amount_due,
                paid_on=dt.date(2026, 11, 20),
            )
            reported.append(new)
        return reported
    rows = [
        services.DeclaredRow(i + 2, number, wage)
        for i, (number, wage) in enumerate(zip(ids, op.wages, strict=True))
        if wage != ""
    ]
    try:
        return services.declaration_submit(
            actor=world.bob.user,
            employer=world.acme,
            period=period,
            rows=rows,
            kind=op.kind,
            idempotency_key=f"{period}-{op.key}" if op.key else None,
        )
    except ServiceError as exc:
        return exc


@pytest.mark.django_db(transaction=True)
def test_concurrent_declarations_payments_and_retries_leave_the_ledger_exact(
    world: World,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL: SQLite serialises them by design.")
    ids = staff_acme(world, count=EMPLOYEES, since=202401)
    # A month of its own per example, from 2024-01 to 2026-11 (the month the tests run in).
    periods = (y * 100 + m for y in (2024, 2025, 2026) for m in range(1, 13))

    @settings(
        max_examples=6,
        # No shrinking: each replay needs a month of its own, and a failing example is
        # readable as it is (a handful of operations).
        phases=[Phase.explicit, Phase.generate],
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.tuples(*[WAGES] * EMPLOYEES), ops())
    def example(first: tuple[str, ...], batch: list[Op]) -> None:
        period = next(periods)
        # The month's regular declaration, before the burst (one more may come in it).
        opening = run(Op("regular", first), world=world, ids=ids, period=period)
        assert opening.accepted, opening.reply
        barrier = threading.Barrier(len(batch))
        results: list[Any] = [None] * len(batch)
        failures: list[BaseException] = []

        def worker(i: int) -> None:
            try:
                barrier.wait()
                results[i] = run(batch[i], world=world, ids=ids, period=period)
            except BaseException as exc:
                failures.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(batch))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not failures, failures[:3]

        declared = [
            (op, r)
            for op, r in zip(batch, results, strict=True)
            if isinstance(r, services.DeclarationResult)
        ]
        # A key's replies are one answer; another payload under a used key is refused.
        by_key: dict[str, set[str]] = {}
        for op, r in declared:
            if op.key and r.accepted:
                # The same answer: jsonb keeps an object's keys in its own order.
                by_key.setdefault(op.key, set()).add(json.dumps(r.reply, sort_keys=True))
        assert all(len(replies) == 1 for replies in by_key.values()), by_key
        refused = [r for r in results if isinstance(r, ServiceError)]
        assert all(e.code == "idempotency_conflict" and e.status == 409 for e in refused)
        # At most one regular declaration is posted per month.
        accepted = {
            r.reply["declaration_id"]: op for op, r in declared if r.accepted and not r.replayed
        }
        assert not any(op.kind == "regular" for op in accepted.values())
        accepted[opening.reply["declaration_id"]] = Op("regular", first)
        # The oracle: the newest accepted declaration that lists each person.
        newest: dict[str, Decimal] = {}
        for _, op in sorted(accepted.items()):
            for number, wage in zip(ids, op.wages, strict=True):
                if wage != "":
                    newest[number] = Decimal(wage)
        ledger = {
            (row["person__resident_id_index"], row["insurance"], row["kind"]): row["s"]
            for row in LedgerEntry.objects.filter(period=period, source_type="declaration")
            .values("person__resident_id_index", "insurance", "kind")
            .annotate(s=Sum("amount"))
        }
        want = {
            (resident_id_index(number), insurance, kind): amount
            for number, wage in newest.items()
            for (insurance, kind), amount in expected(period, wage).items()
        }
        assert {k: v for k, v in ledger.items() if v} == {k: v for k, v in want.items() if v}
        # A payment reported twice (or by two workers) is one payment.
        assert not Payment.objects.values("external_id").annotate(n=Count("id")).filter(n__gt=1)
        assert ledger_verify() == []

    example()
