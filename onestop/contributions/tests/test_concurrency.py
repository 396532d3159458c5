"""Concurrent declarations of one employer and month leave the ledger exact.

Thirty API clients post supplementary declarations for the same employer and month at the
same instant, through the real API (session, CSRF, middleware, one database connection per
thread, real transactions on PostgreSQL). Whatever the interleaving, the month must end at
exactly the amounts of the last accepted declaration, and ``ledger verify`` must hold.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client

from conftest import World
from onestop.contributions import services
from onestop.contributions.models import ContributionDetail, Declaration, LedgerEntry
from onestop.contributions.selectors import ledger_verify
from onestop.identity import demo
from onestop.identity import services as identity_services
from onestop.parameters import selectors as parameters
from onestop.rules.contributions import (
    pension_contribution,
    unemployment_contribution,
    work_injury_contribution,
)

PERIOD = 202610
EMPLOYEES = 15
THREADS = 30
RISK_CLASS = 2


def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL: SQLite serialises them by design.")


def staff_acme(world: World, count: int = EMPLOYEES, since: int = 202601) -> list[str]:
    """acme registered for the three insurances with ``count`` employees (bob, alice and
    new people) from ``since``; returns their resident IDs."""
    services.insurance_register(
        actor=None,
        employer=world.acme,
        insurances=["pension", "unemployment", "work_injury"],
        since_period=since,
        risk_class=RISK_CLASS,
    )
    rng = random.Random(16)
    ids = [world.bob.resident_id, world.alice.resident_id]
    for i in range(count - 2):
        number = demo.resident_id(
            rng, "610113", dt.date(1980, 1, 1) + dt.timedelta(days=37 * i), male=i % 2 == 0
        )
        identity_services.person_register(
            actor=None, name=f"员工{i}", resident_id=number, region=world.regions["610113"]
        )
        ids.append(number)
    for number in ids:
        services.employment_start(
            actor=None,
            employer=world.acme,
            resident_id=number,
            start_period=since,
            wage=Decimal("5000"),
        )
    return ids


def wages(ids: list[str], extra: int) -> dict[str, Decimal]:
    return {number: Decimal(4000 + 700 * i + extra) for i, number in enumerate(ids)}


def expected_total(declared: dict[str, Decimal]) -> Decimal:
    """What the month must hold for these wages, from the rules (not from the ledger)."""
    data = parameters.province_year(province="610000", year=PERIOD // 100)
    total = Decimal(0)
    for wage in declared.values():
        p = pension_contribution(wage=wage, average_wage=data.average_wage, rates=data.rates)
        u = unemployment_contribution(wage=wage, average_wage=data.average_wage, rates=data.rates)
        w = work_injury_contribution(
            wage=wage, average_wage=data.average_wage, risk_class=RISK_CLASS, rates=data.rates
        )
        total += p.employer + p.individual + u.employer + u.individual + w.employer
    return total


def month_total() -> Decimal:
    return LedgerEntry.objects.filter(period=PERIOD, source_type="declaration").aggregate(
        s=Sum("amount")
    )["s"] or Decimal(0)


def body(declared: dict[str, Decimal], kind: str) -> dict[str, Any]:
    return {
        "period": f"{PERIOD // 100}-{PERIOD % 100:02d}",
        "kind": kind,
        "rows": [{"resident_id": k, "wage": f"{v:.2f}"} for k, v in declared.items()],
    }


def signed_in(world: World) -> dict[str, str]:
    """bob's browser session: its cookies (session and CSRF) for the threads to share."""
    client = Client(enforce_csrf_checks=True)
    assert world.bob.user is not None
    client.force_login(world.bob.user)
    client.get("/account/tokens/")
    return {name: morsel.value for name, morsel in client.cookies.items()}


def burst(
    cookies: dict[str, str],
    employer_id: int,
    payloads: list[dict[str, Any]],
    headers: Callable[[int], dict[str, str]] = lambda i: {},
) -> list[tuple[int, dict[str, Any]]]:
    """Post every payload at once, each from its own thread and database connection, with
    the browser's session and CSRF token; (status, body) in completion order."""
    barrier = threading.Barrier(len(payloads))
    answers: list[tuple[int, dict[str, Any]]] = []
    failures: list[BaseException] = []

    def post(i: int) -> None:
        try:
            client = Client(enforce_csrf_checks=True)
            for name, value in cookies.items():
                client.cookies[name] = value
            barrier.wait()
            response = client.post(
                f"/api/v1/employers/{employer_id}/declarations",
                payloads[i],
                content_type="application/json",
                headers={"X-CSRFToken": cookies["csrftoken"], **headers(i)},
            )
            answers.append((response.status_code, response.json()))
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(payloads))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures[:3]
    assert len(answers) == len(payloads)
    return answers


def last_accepted_matches_the_ledger() -> int:
    """The newest declaration of the month is what every person's month holds."""
    last = Declaration.objects.filter(period=PERIOD).order_by("-pk").first()
    assert last is not None
    parts = (
        "pension_employer",
        "pension_individual",
        "unemployment_employer",
        "unemployment_individual",
        "work_injury_employer",
    )
    declared = ContributionDetail.objects.filter(declaration=last).aggregate(
        **{part: Sum(part) for part in parts}
    )
    assert month_total() == sum(declared[part] or 0 for part in parts)
    return last.pk


@pytest.fixture
def acme_api(world: World) -> tuple[World, list[str], dict[str, str]]:
    postgres_only()
    ids = staff_acme(world)
    regular = services.declaration_submit(
        actor=world.bob.user,
        employer=world.acme,
        period=PERIOD,
        rows=[
            services.DeclaredRow(i + 2, k, f"{v:.2f}")
            for i, (k, v) in enumerate(wages(ids, 0).items())
        ],
    )
    assert regular.accepted, regular.reply
    assert month_total() == expected_total(wages(ids, 0))
    return world, ids, signed_in(world)


@pytest.mark.django_db(transaction=True)
def test_thirty_identical_then_thirty_different_supplementaries_end_exact(
    acme_api: tuple[World, list[str], dict[str, str]],
) -> None:
    """Thirty identical supplementaries at once (no key): the first to take the month's
    lock is posted, the other twenty-nine change nothing after it and are refused (422);
    then thirty different ones end at the amounts of whichever was accepted last."""
    world, ids, cookies = acme_api
    same = wages(ids, 1000)
    answers = burst(cookies, world.acme.pk, [body(same, "supplementary")] * THREADS)
    assert sorted(status for status, _ in answers) == [201] + [422] * (THREADS - 1), answers[:2]
    assert {
        reply["errors"][0]["message_en"].split(";")[0] for status, reply in answers if status == 422
    } == {"The supplementary declaration changes no wage or amount of the month already declared"}
    assert month_total() == expected_total(same)
    print(f"30 identical supplementaries: 1 accepted, month {month_total()}")
    last_accepted_matches_the_ledger()
    assert ledger_verify() == []
    # No individual account went below what was declared for it.
    assert (
        not LedgerEntry.objects.filter(period=PERIOD)
        .values("person_id", "kind")
        .annotate(s=Sum("amount"))
        .filter(s__lt=0)
    )

    different = [wages(ids, 1000 + 37 * (j + 1)) for j in range(THREADS)]
    answers = burst(cookies, world.acme.pk, [body(d, "supplementary") for d in different])
    assert sorted({status for status, _ in answers}) == [201], answers[:2]
    last = last_accepted_matches_the_ledger()
    assert last in {reply["declaration_id"] for _, reply in answers}
    # Each payload has its own total wage: it tells which one was accepted last.
    stored = Declaration.objects.get(pk=last)
    (index,) = [j for j, d in enumerate(different) if sum(d.values()) == stored.total_wage]
    assert month_total() == expected_total(different[index])
    print(f"30 different supplementaries: last accepted #{index + 1}, month {month_total()}")
    assert ledger_verify() == []


@pytest.mark.django_db(transaction=True)
def test_thirty_regular_declarations_at_once_post_one(world: World) -> None:
    """Thirty first (regular) declarations of one month at once: one is accepted, the other
    twenty-nine are told to use a supplementary declaration, and the month holds it once."""
    postgres_only()
    ids = staff_acme(world, count=5)
    declared = wages(ids, 0)
    answers = burst(signed_in(world), world.acme.pk, [body(declared, "regular")] * THREADS)
    assert sorted(status for status, _ in answers) == [201] + [422] * (THREADS - 1)
    assert month_total() == expected_total(declared)
    assert ledger_verify() == []


@pytest.mark.django_db(transaction=True)
def test_thirty_retries_with_one_key_post_once_and_other_payloads_are_refused(
    acme_api: tuple[World, list[str], dict[str, str]],
) -> None:
    """Thirty retries of one supplementary with one Idempotency-Key at once: one is posted
    (201), twenty-nine replay it (200); then the same key with other wages is refused (409)
    while those wages are posted under a key of their own."""
    world, ids, cookies = acme_api
    declared = wages(ids, 500)
    key = {"Idempotency-Key": "acme-2026-10-s1"}
    answers = burst(
        cookies, world.acme.pk, [body(declared, "supplementary")] * THREADS, lambda i: key
    )
    assert sorted(status for status, _ in answers) == [200] * (THREADS - 1) + [201]
    assert len({reply["declaration_id"] for _, reply in answers}) == 1
    assert Declaration.objects.filter(kind="supplementary").count() == 1
    assert month_total() == expected_total(declared)
    changed = wages(ids, 800)
    answers = burst(
        cookies,
        world.acme.pk,
        [body(changed, "supplementary")] * 10,
        lambda i: key if i % 2 else {"Idempotency-Key": "acme-2026-10-s2"},
    )
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * 4 + [201] + [409] * 5, statuses
    assert month_total() == expected_total(changed)
    assert ledger_verify() == []


@pytest.mark.django_db
def test_the_lock_is_only_taken_inside_a_write_transaction(settings: Any) -> None:
    """Outside transaction.atomic a lock would end at once: refused. On SQLite the
    transaction must start as a write (IMMEDIATE), or the read-then-write could be stale."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import transaction

    from onestop.contributions import locks

    with transaction.atomic():
        locks.employer_period_lock(employer_id=1, periods=[PERIOD])
        locks.person_lock(person_ids=[1, 2])
    connection.in_atomic_block, atomic = False, connection.in_atomic_block
    try:
        with pytest.raises(locks.LockOutsideTransaction):
            locks.person_lock(person_ids=[1])
    finally:
        connection.in_atomic_block = atomic
    if connection.vendor == "sqlite":
        options = connection.settings_dict["OPTIONS"]
        mode = options.pop("transaction_mode")
        try:
            with transaction.atomic(), pytest.raises(ImproperlyConfigured):
                locks.person_lock(person_ids=[1])
        finally:
            options["transaction_mode"] = mode


def _pay_remaining(app: Any, url: str) -> int:
    """The payer pays, at the authority, what each bill still asks for; returns how many."""
    import json
    import urllib.request

    paid = 0
    with app.lock:
        bills = [dict(b) for b in app.bills.values()]
    for bill in bills:
        left = Decimal(bill["amount_due"]) - Decimal(bill["paid"])
        if left <= 0:
            continue
        request = urllib.request.Request(
            f"{url}/bills/{bill['bill_id']}/pay",
            data=json.dumps({"amount": f"{left:.2f}", "paid_on": "2026-11-20"}).encode(),
            headers={"Content-Type": "application/json", "X-Api-Key": "secret"},
            method="POST",
        )
        with urllib.request.urlopen(request) as response:
            assert response.status == 201
        paid += 1
    return paid


def _syncs_at_once(url: str, count: int) -> None:
    """``collection_sync`` run by ``count`` workers at the same instant."""
    from onestop.contributions.collection import HttpCollectionAdapter, collection_sync

    barrier = threading.Barrier(count)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            collection_sync(adapter=HttpCollectionAdapter(url, "secret"))
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures[:3]


@pytest.mark.django_db(transaction=True)
def test_mixed_raising_and_lowering_supplementaries_then_payments_end_exact(
    acme_api: tuple[World, list[str], dict[str, str]], tax_authority: tuple[Any, str]
) -> None:
    """Issue #16 on PostgreSQL: the month paid in full, then thirty supplementaries at once,
    half raising and half lowering wages; two collection runs at once send the new figures;
    the payer pays what the authority asks, and two more runs at once bring the payments
    back. Each (month, insurance) ends exact: nothing owed, what was paid minus the recorded
    credit is the net declared total, and ``ledger verify`` holds."""
    from onestop.contributions.models import Bill, MonthCredit, Payment
    from onestop.contributions.selectors import bills_of, credits_of

    world, ids, cookies = acme_api
    app, url = tax_authority
    _syncs_at_once(url, 2)
    assert _pay_remaining(app, url) == 3
    _syncs_at_once(url, 2)
    assert Payment.objects.count() == 3
    extras = [(1 if j % 2 else -1) * 40 * (j + 1) for j in range(THREADS)]
    different = [wages(ids, extra) for extra in extras]
    answers = burst(cookies, world.acme.pk, [body(d, "supplementary") for d in different])
    assert sorted({status for status, _ in answers}) == [201], answers[:2]
    last = last_accepted_matches_the_ledger()
    stored = Declaration.objects.get(pk=last)
    (index,) = [j for j, d in enumerate(different) if sum(d.values()) == stored.total_wage]
    assert month_total() == expected_total(different[index])
    refunds = Bill.objects.filter(period=PERIOD, amount_due__lt=0).count()
    assert refunds > 0 and Bill.objects.filter(period=PERIOD, amount_due__gt=0).count() > 3
    _syncs_at_once(url, 2)
    _pay_remaining(app, url)
    _syncs_at_once(url, 2)
    assert Payment.objects.count() == len({p["payment_id"] for p in app.payments})
    credits = {c.insurance: c.amount for c in credits_of(employer=world.acme)}
    rows = bills_of(employer=world.acme, today=dt.date(2026, 11, 26))
    for insurance in ("pension", "unemployment", "work_injury"):
        net = Bill.objects.filter(period=PERIOD, insurance=insurance).aggregate(
            s=Sum("amount_due")
        )["s"]
        paid = Payment.objects.filter(bill__period=PERIOD, bill__insurance=insurance).aggregate(
            s=Sum("amount")
        )["s"]
        assert sum(r.arrears for r in rows if r.bill.insurance == insurance) == 0
        assert paid - credits.get(insurance, Decimal(0)) == net, insurance
        # What the authority was asked for in all is what was paid.
        asked = sum(
            Decimal(b["amount_due"]) for b in app.bills.values() if b["insurance"] == insurance
        )
        assert asked == paid, insurance
    assert sum(credits.values()) == sum(
        MonthCredit.objects.values_list("amount", flat=True), Decimal(0)
    )
    print(
        f"mixed supplementaries: {refunds} refund bills, last #{index + 1}, "
        f"credits {credits}, payments {Payment.objects.count()}"
    )
    assert ledger_verify() == []
    # Paid in full, then ten lowering supplementaries at once, below every wage so far:
    # each month is now paid above its net, and the difference is a recorded credit.
    lower = [wages(ids, -600 - 10 * j) for j in range(10)]
    answers = burst(cookies, world.acme.pk, [body(d, "supplementary") for d in lower])
    assert sorted({status for status, _ in answers}) == [201], answers[:2]
    _syncs_at_once(url, 2)
    assert _pay_remaining(app, url) == 0  # the authority asks for nothing more
    credits = {c.insurance: c.amount for c in credits_of(employer=world.acme)}
    rows = bills_of(employer=world.acme, today=dt.date(2026, 11, 26))
    for insurance in ("pension", "unemployment", "work_injury"):
        net = Bill.objects.filter(period=PERIOD, insurance=insurance).aggregate(
            s=Sum("amount_due")
        )["s"]
        paid = Payment.objects.filter(bill__period=PERIOD, bill__insurance=insurance).aggregate(
            s=Sum("amount")
        )["s"]
        assert sum(r.arrears for r in rows if r.bill.insurance == insurance) == 0
        assert credits[insurance] == paid - net > 0, insurance
    print(f"then ten lowering supplementaries: credits {credits}")
    assert ledger_verify() == []
