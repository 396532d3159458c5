"""The kept statement (page and API) and the kept bills are never stale (``contributions.kept``).

For every writer of what they are computed from (the services and the bulk paths: regular,
supplementary and bulk declarations, payments, netting's updates, the interest job,
transfers, inheritance, raw ``INSERT ... SELECT`` and ``UPDATE`` as a data migration would
write), the answers are read (and kept), the writer writes, and the answers read again
equal the answers computed with the cache cleared. A random sequence of writes and reads
checks the same after every step. The ledger tables are counted, not read whole, by the
fingerprint: a test proves that no code updates or deletes their rows.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import threading
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from conftest import World
from onestop.contributions import bulk_declare, services
from onestop.contributions.interest import account_interest_credit
from onestop.contributions.models import Bill, Declaration
from onestop.contributions.tests.helpers import declare_pair, employ_alice_and_bob, pay_arrears

pytestmark = pytest.mark.django_db

PERIOD = 202610
TODAY = dt.date(2026, 11, 26)
#: The page's CSRF tokens (masked anew on every response) are left out of the comparison.
_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*"')


class Reader:
    """alice reading her statement (page and API, in both languages) and bob reading acme's
    bills, through the test client as a browser would."""

    def __init__(self, world: World) -> None:
        self.alice = Client(enforce_csrf_checks=True)
        assert world.alice.user is not None and world.bob.user is not None
        self.alice.force_login(world.alice.user)
        self.bob = Client(enforce_csrf_checks=True)
        self.bob.force_login(world.bob.user)
        self.paths = {
            "page": (self.alice, "/me/contributions/"),
            "api": (self.alice, f"/api/v1/persons/{world.alice.pk}/statement"),
            "bills": (self.bob, f"/api/v1/employers/{world.acme.pk}/bills"),
        }

    def read(self) -> dict[str, str]:
        answers = {}
        for name, (client, path) in self.paths.items():
            for language in ("zh-hans", "en"):
                response = client.get(path, headers={"Accept-Language": language})
                assert response.status_code == 200, (name, response.content[:300])
                answers[f"{name} {language}"] = _CSRF.sub("", response.content.decode())
        return answers

    def check(self, write: Callable[[], object]) -> tuple[dict[str, str], dict[str, str]]:
        """Read (keeping every answer), ``write``, read again: what is read equals what is
        computed afresh. (before, after)."""
        before = self.read()
        assert self.read() == before  # the kept answers, unchanged data
        write()
        after = self.read()
        cache.clear()
        assert after == self.read(), "a kept answer was stale"
        return before, after


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name.split()[0] for name in before if before[name] != after[name]}


@pytest.fixture
def acme(world: World) -> World:
    """acme (pension and unemployment) employing alice and bob from 2026-01; 2026-09
    declared and paid."""
    employ_alice_and_bob(world, since=202601)
    declare_pair(world, "regular", "8000", "9000", period=202609)
    pay_arrears(world, "first")
    return world


def test_a_regular_declaration_is_seen_at_once(acme: World) -> None:
    """The statement gains the month (not paid yet), the bills the new bills."""
    reader = Reader(acme)
    before, after = reader.check(
        lambda: declare_pair(acme, "regular", "8000", "9000", period=PERIOD)
    )
    assert changed(before, after) == {"page", "api", "bills"}


def test_a_payment_is_seen_at_once(acme: World) -> None:
    """A part payment changes the bills; paying the rest makes the month count."""
    declare_pair(acme, "regular", "8000", "9000", period=PERIOD)
    reader = Reader(acme)
    before, after = reader.check(lambda: pay_arrears(acme, "part", share=Decimal("0.5")))
    assert changed(before, after) == {"bills"}
    before, after = reader.check(lambda: pay_arrears(acme, "rest"))
    assert changed(before, after) == {"page", "api", "bills"}


def test_a_raising_supplementary_and_its_payment_are_seen(acme: World) -> None:
    """A raise of a paid month owes its difference; paid, it is credited."""
    reader = Reader(acme)
    before, after = reader.check(
        lambda: declare_pair(acme, "supplementary", "9000", "9000", period=202609)
    )
    assert changed(before, after) == {"page", "api", "bills"}
    before, after = reader.check(lambda: pay_arrears(acme, "raise"))
    assert changed(before, after) == {"page", "api", "bills"}


def test_a_lowering_supplementary_of_an_owed_month_updates_what_is_collected(
    acme: World,
) -> None:
    """A lowering supplementary of a month not paid sets its refund against the regular
    bill (``collect_amount`` updated in place, ``netting.settle_month``): seen at once."""
    declare_pair(acme, "regular", "8000", "9000", period=PERIOD)
    reader = Reader(acme)
    before, after = reader.check(
        lambda: declare_pair(acme, "supplementary", "7000", "9000", period=PERIOD)
    )
    assert changed(before, after) == {"page", "api", "bills"}
    before, after = reader.check(lambda: pay_arrears(acme, "net"))
    assert changed(before, after) == {"page", "api", "bills"}


def test_a_bill_updated_in_place_by_a_migration_is_seen(acme: World) -> None:
    """An ``UPDATE`` no service made (a data migration, a repair by hand): a bill paid 1.00
    short is asked 1.00 less, so its month counts. What a bill asks is read exactly by the
    fingerprints, so the kept answers are not used."""
    declare_pair(acme, "regular", "8000", "9000", period=PERIOD)
    bill = Bill.objects.filter(employer=acme.acme, period=PERIOD, insurance="pension").get()
    services.payment_record(
        actor=None,
        external_id="short",
        bill=bill,
        amount=bill.amount_due - Decimal("1.00"),
        paid_on=dt.date(2026, 11, 20),
    )

    def update() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE contributions_bill SET collect_amount = %s WHERE id = %s",
                [bill.amount_due - Decimal("1.00"), bill.pk],
            )

    before, after = Reader(acme).check(update)
    assert changed(before, after) == {"page", "api"}


def test_a_bill_sent_to_the_authority_changes_nothing_shown(acme: World) -> None:
    """Sending a bill (``sent_at``) is not shown: the answers stay as they were."""
    before, after = Reader(acme).check(
        lambda: Bill.objects.filter(employer=acme.acme).update(sent_at=dt.datetime.now(dt.UTC))
    )
    assert changed(before, after) == set()


def test_the_yearly_interest_job_is_seen(world: World) -> None:
    """The interest job (bulk ``AccountYear`` and interest entries) credits 2024 at once."""
    employ_alice_and_bob(world, since=202401)
    declare_pair(world, "regular", "8000", "9000", period=202406)
    pay_arrears(world, "2024")
    before, after = Reader(world).check(
        lambda: account_interest_credit(actor=None, year=2024, province="610000")
    )
    assert changed(before, after) == {"page", "api"}


def test_a_transfer_in_and_an_inheritance_are_seen(acme: World) -> None:
    """The ledger side of a transfer (months brought in) and of an inheritance."""
    reader = Reader(acme)
    before, after = reader.check(
        lambda: services.transfer_post(
            person=acme.alice,
            transfer_id=77,
            incoming=True,
            period=202610,
            months=[(201001, Decimal("4000")), (201002, Decimal("4000"))],
            account=Decimal("640.00"),
            pooled=Decimal("960.00"),
        )
    )
    assert changed(before, after) == {"page", "api"}
    before, after = reader.check(
        lambda: services.inheritance_post(
            person=acme.alice, period=202611, amount=Decimal("100.00"), source_id=5
        )
    )
    assert changed(before, after) == {"page", "api"}


def test_raw_ledger_rows_inserted_in_bulk_are_seen(acme: World) -> None:
    """``INSERT ... SELECT`` straight into the ledger (as the bench and the refunds job
    write), bypassing every service."""
    from bench.dashboards import pension_ledger

    before, after = Reader(acme).check(lambda: pension_ledger([acme.alice.pk], 202501, 2))
    assert changed(before, after) == {"page", "api"}


def test_a_month_declared_in_bulk_is_seen(acme: World) -> None:
    """The bulk declaration path (``COPY`` into the detail and the bills)."""
    people = {
        acme.acme.pk: [("", Decimal("8500"), acme.alice.pk), ("", Decimal("9000"), acme.bob.pk)]
    }
    before, after = Reader(acme).check(
        lambda: bulk_declare.declare_month(people=people, period=202607)
    )
    assert changed(before, after) == {"page", "api", "bills"}


def test_an_employer_renamed_is_seen(acme: World) -> None:
    """The statement shows the employer's name: renamed behind the services' back, the
    statement shows the new one."""
    before, after = Reader(acme).check(
        lambda: type(acme.acme).objects.filter(pk=acme.acme.pk).update(name="新名称有限公司")
    )
    assert changed(before, after) == {"page", "api"}


def test_a_surcharge_rate_published_for_the_province_is_seen(acme: World) -> None:
    """The bills' late surcharge runs at the rate the province published for the month: a
    newly published rate changes the kept bills at once (their key holds the parameters'
    generation); the statement shows no surcharge."""
    from onestop.parameters.services import province_parameters_publish

    declare_pair(acme, "regular", "8000", "9000", period=PERIOD)
    before, after = Reader(acme).check(
        lambda: province_parameters_publish(
            actor=None,
            province="610000",
            year=2026,
            values={"late_daily_rate": Decimal("0.001")},
            sources="test: a surcharge rate other than the default",
        )
    )
    assert "bills" in changed(before, after)


def test_a_random_sequence_of_writes_never_shows_a_stale_answer(world: World) -> None:
    """Declarations (regular, raising and lowering supplementaries), part and full payments
    and the interest job in a random order, the answers checked after each."""
    employ_alice_and_bob(world, since=202401)
    reader = Reader(world)
    rng = random.Random(18)
    declared: dict[int, str] = {}  # period -> alice's last wage

    def write(action: str, period: int, wage: str, step: int) -> None:
        if action == "declare":
            kind = "supplementary" if period in declared else "regular"
            if declared.get(period) == wage:  # a supplementary must change something
                wage = str(int(wage) + 500)
            declared[period] = wage
            declare_pair(world, kind, wage, "9000", period=period)
        elif action in ("pay", "part"):
            pay_arrears(world, f"s{step}", share=Decimal(1) if action == "pay" else Decimal("0.3"))
        else:
            account_interest_credit(actor=None, year=2024, province="610000")

    for step in range(12):
        action = rng.choice(["declare", "declare", "pay", "part", "interest"])
        period = rng.choice([202405, 202406, 202407])
        wage = str(rng.choice([7000, 8000, 9000]))
        reader.check(partial(write, action, period, wage, step))
    assert Declaration.objects.filter(employer=world.acme).count() >= 3


# The fingerprint counts the person's ledger rows: the argument holds only while no code
# changes or removes them. Every source file but the tests and migration 0015 (which moved
# records into the detail table once, before any answer was kept) is searched.
_LEDGER_CHANGE = re.compile(
    r"(UPDATE|DELETE FROM)\s+contributions_(ledgerrecord|contributiondetail)"
    r"|(LedgerRecord|ContributionDetail|LedgerEntry)\.objects[^\n]*\.(update|delete)\(",
    re.IGNORECASE,
)


def test_no_code_changes_or_deletes_ledger_rows() -> None:
    """No writer updates or deletes a ledger row (append-only: a correction is a new row)."""
    root = Path(__file__).resolve().parents[3]
    found = []
    for path in [*root.glob("onestop/**/*.py"), *root.glob("bench/**/*.py")]:
        if "tests" in path.parts or path.name.startswith("0015_"):
            continue
        found += [f"{path}: {m.group(0)}" for m in _LEDGER_CHANGE.finditer(path.read_text())]
    assert found == []


@pytest.mark.django_db(transaction=True)
def test_readers_racing_writers_end_on_the_fresh_answer(world: World) -> None:
    """Three readers (each its own connection, outside any transaction: the kept path with
    its REPEATABLE READ snapshot) read alice's statement and acme's bills without pause
    while declarations and payments commit; every read answers 200, and once the writers
    are done the kept answers equal the fresh ones."""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent readers and writers need PostgreSQL.")
    employ_alice_and_bob(world, since=202601)
    reader = Reader(world)
    stop = threading.Event()
    failures: list[BaseException] = []
    reads = [0]

    def read() -> None:
        try:
            mine = Reader(world)
            while not stop.is_set():
                mine.read()
                reads[0] += 1
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for step, period in enumerate((202607, 202608, 202609)):
            declare_pair(world, "regular", "8000", "9000", period=period)
            pay_arrears(world, f"race{step}", share=Decimal("0.5"))
            declare_pair(world, "supplementary", "8500", "9000", period=period)
            pay_arrears(world, f"rest{step}")
    finally:
        stop.set()
        for thread in threads:
            thread.join(120)
    assert not failures, failures[:3]
    assert reads[0] > 0
    after = reader.read()
    cache.clear()
    assert after == reader.read()
