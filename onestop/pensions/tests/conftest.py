"""A transfer hub in a thread (the registry simulator playing Henan's pension system), and a
helper that brings a person's record in from there through the transfer-in process."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from onestop.applications import services as applications
from onestop.applications.models import Application
from onestop.contributions import services as contributions
from onestop.contributions.services import DeclaredRow
from onestop.exchange import algorithms, signing
from onestop.exchange.models import Consumer, ConsumerKind
from onestop.simulators.registries import RegistrySimulator

HENAN = "410000"


class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def hub(settings: Any, db: Any) -> Iterator[RegistrySimulator]:
    private, public = algorithms.keypair(algorithms.ED25519)
    app = RegistrySimulator(signing_key=private)
    app.platform_key = signing.public_key_hex(algorithms.ED25519)
    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ONESTOP_TRANSFER_HUB_URL = f"http://127.0.0.1:{server.server_port}"
    app.url = settings.ONESTOP_TRANSFER_HUB_URL  # type: ignore[attr-defined]
    Consumer.objects.create(
        code=f"province-{HENAN}",
        name="河南省社会保险经办系统",
        name_en="Henan pension system",
        kind=ConsumerKind.PROVINCE,
        algorithm=algorithms.ED25519,
        public_key=public,
    )
    yield app
    server.shutdown()


@pytest.fixture
def registry(hub: RegistrySimulator, settings: Any) -> RegistrySimulator:
    """The same simulator answering as the other departments' registries too."""
    settings.ONESTOP_REGISTRY_URL = hub.url  # type: ignore[attr-defined]
    return hub


def henan_record(
    months: int = 168, base: str = "5000.00", account: str = "67200.00"
) -> dict[str, Any]:
    """``months`` from 2010-01 at ``base``, Henan's average wage equal to it (index 1.0)."""
    periods = [f"{2010 + i // 12}-{i % 12 + 1:02d}" for i in range(months)]
    return {
        "months": [[p, base, base] for p in periods],
        "account": account,
        "place_name": "河南省 Henan",
    }


def file_and_accept(world: Any, person: Any) -> Application:
    """File a transfer in from Henan for ``person``; the county accepts it, which sends the
    contact letter."""
    case = applications.application_submit(
        actor=person.user,
        item_code="SX-SI-007",
        applicant=person,
        answers={"from_province": HENAN},
    ).application
    return applications.application_act(
        actor=world.carol, application=case, task="accept", decision="accept"
    )


def bring_in(world: Any, person: Any, hub: RegistrySimulator, **record: Any) -> Application:
    """File, accept and approve a transfer in from Henan for ``person``."""
    hub.province_put(HENAN, person.resident_id, henan_record(**record))
    case = file_and_accept(world, person)
    return applications.application_act(
        actor=world.rita, application=case, task="review", decision="approve"
    )


@pytest.fixture
def insured(world: Any, hub: Any) -> Any:
    """alice: 168 months in Henan (2010-2023, index 1.0, account 67200.00) brought in, then
    employed by acme through 2024 at 7450.00 a month (the 2024 average wage), every month
    paid; acme removed her after 2024-12 (she retires after covered employment)."""
    bring_in(world, world.alice, hub)
    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    employment = contributions.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=world.alice.resident_id,
        start_period=202401,
        wage=Decimal("7450"),
    )
    for month in range(1, 13):
        result = contributions.declaration_submit(
            actor=None,
            employer=world.acme,
            period=202400 + month,
            rows=[DeclaredRow(2, world.alice.resident_id, "7450")],
            today=dt.date(2026, 11, 23),
        )
        assert result.accepted, result.reply
    pay_every_bill()
    contributions.employment_end(
        actor=None, employment=employment, end_period=202412, reason="退休 retirement"
    )
    return world


def pay_every_bill() -> None:
    """The employer pays every bill in full (only paid months count towards the award)."""
    from onestop.contributions.models import Bill

    for bill in Bill.objects.filter(payments__isnull=True, amount_due__gt=0).order_by("pk"):
        contributions.payment_record(
            actor=None,
            external_id=f"TAX-{bill.pk}",
            bill=bill,
            amount=bill.amount_due,
            paid_on=bill.due_date,
        )


def retire(world: Any, month: str = "2025-02") -> Application:
    case = applications.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers={"retirement_month": month, "bank_account": "6222020200112233446"},
    ).application
    return applications.application_act(
        actor=world.carol, application=case, task="accept", decision="accept"
    )


@pytest.fixture
def retired(insured: Any) -> Any:
    """``insured`` with alice's retirement from 2025-02 approved (her post established as
    a worker's) and the payroll of 2026-11 run: a pensioner paid her arrears and November."""
    from onestop.pensions import services as pensions

    applications.application_act(
        actor=insured.rita,
        application=retire(insured),
        task="review",
        decision="approve",
        established={"post_category": "worker"},
    )
    pensions.payroll_run(actor=None, period="2026-11")
    return insured
