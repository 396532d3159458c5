"""The medical insurance contribution the unemployment fund pays on a benefit recipient's
behalf (D10 art. 19, D11 art. 48): one line per person and month, sent to the medical
insurance department through the gateway's outbox, retried, applied once there."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.utils import timezone

from onestop.audit.models import Entry
from onestop.exchange import outbox
from onestop.exchange.models import Message, OutboundMessage
from onestop.simulators.registries import RegistrySimulator
from onestop.unemployment.medical import medical_lines_of_benefit
from onestop.unemployment.models import MedicalContribution
from onestop.unemployment.tests.test_filing import browser, granted, pay

pytestmark = pytest.mark.django_db

#: The seeded (illustrative) Shaanxi 2026 and 2027 figures: 2027 has none, so 2026's stands.
MEDICAL_2026 = Decimal("260.00")


class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def medical_department(settings: Any) -> Iterator[RegistrySimulator]:
    app = RegistrySimulator(api_key="k")
    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ONESTOP_REGISTRY_URL = f"http://127.0.0.1:{server.server_port}"
    settings.ONESTOP_REGISTRY_KEY = "k"
    yield app
    server.shutdown()


def received(app: RegistrySimulator) -> dict[str, Any]:
    return dict(app.records["medical_insurance"]["contributions"])


def test_a_month_run_twice_makes_one_line_per_person_and_month(world: Any) -> None:
    """Two payroll months, the first run twice: one line each month for alice, of the
    province's amount, each month's lines in one batch of the outbox, journaled."""
    benefit = granted(world)
    first = pay(world, 202611)
    assert pay(world, 202611).pk == first.pk
    pay(world, 202612)
    lines = list(
        MedicalContribution.objects.order_by("period").values_list(
            "person_id", "period", "amount", "parameters"
        )
    )
    assert lines == [
        (world.alice.pk, 202611, MEDICAL_2026, "610000/2026/v1"),
        (world.alice.pk, 202612, MEDICAL_2026, "610000/2026/v1"),
    ]
    batches = list(OutboundMessage.objects.order_by("pk"))
    assert [(b.registry, b.dataset, b.count, b.status) for b in batches] == [
        ("medical_insurance", "contributions", 1, "pending"),
        ("medical_insurance", "contributions", 1, "pending"),
    ]
    assert batches[0].payload["lines"] == [
        {"resident_id": world.alice.resident_id, "month": "2026-11", "amount": "260.00"}
    ]
    assert set(MedicalContribution.objects.values_list("outbox_id", flat=True)) == {
        b.pk for b in batches
    }
    assert Entry.objects.filter(action="unemployment.medical.batched").count() == 2
    assert [line.period for line in medical_lines_of_benefit(benefit=benefit)] == [
        202611,
        202612,
    ]


def test_without_a_published_amount_no_line_is_made_and_the_run_says_so(
    world: Any,
) -> None:
    """A province with no published medical amount: the benefit is still paid; no line, no
    batch, and the journal names the missing parameter."""
    from onestop.parameters.models import ProvinceParameters

    granted(world)
    ProvinceParameters.objects.filter(province="610000").update(
        unemployment_medical_contribution=None
    )
    run = pay(world, 202611)
    assert run.count == 1
    assert not MedicalContribution.objects.exists()
    assert not OutboundMessage.objects.exists()
    entry = Entry.objects.get(action="unemployment.payroll.run")
    assert entry.changes["medical"] == 0


def test_delivery_is_acknowledged_and_recorded(
    world: Any, medical_department: RegistrySimulator
) -> None:
    """The batch reaches the medical insurance department: its acknowledgement is kept,
    the line shows it, the exchange is in the message log and the journal."""
    benefit = granted(world)
    pay(world, 202611)
    batch = OutboundMessage.objects.get()
    delivery = outbox.outbox_deliver(message_id=batch.pk)
    assert delivery is not None
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 1, "")
    ack = delivery.acknowledgement
    assert (ack["lines"], ack["total"], ack["duplicate"], ack["key"]) == (
        1,
        "260.00",
        False,
        batch.key,
    )
    assert received(medical_department)[batch.key]["batch"]["lines"][0]["amount"] == "260.00"
    [line] = medical_lines_of_benefit(benefit=benefit)
    assert (line.status, line.acknowledgement) == ("delivered", ack["ack_id"])
    logged = Message.objects.get(direction="out")
    assert (logged.resource, logged.outcome) == ("medical_insurance.contributions", "delivered")
    assert Entry.objects.filter(action="exchange.outbox.delivered").count() == 1


def test_a_failed_delivery_is_retried_when_due(
    world: Any, medical_department: RegistrySimulator, settings: Any
) -> None:
    """The department cannot be reached: the batch stays, failed with the reason and a
    next attempt in 5 minutes; the retry before then sends nothing, the retry after it
    delivers."""
    granted(world)
    pay(world, 202611)
    batch = OutboundMessage.objects.get()
    working = settings.ONESTOP_REGISTRY_URL
    settings.ONESTOP_REGISTRY_URL = "http://127.0.0.1:9"  # nothing listens there
    failed = outbox.outbox_deliver(message_id=batch.pk)
    assert failed is not None
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_error
    assert failed.next_attempt_at is not None
    assert failed.next_attempt_at - timezone.now() > dt.timedelta(minutes=4)
    assert received(medical_department) == {}
    settings.ONESTOP_REGISTRY_URL = working
    assert outbox.outbox_retry() == 0  # not due yet
    assert outbox.outbox_retry(now=timezone.now() + dt.timedelta(minutes=6)) == 1
    batch.refresh_from_db()
    assert (batch.status, batch.attempts, batch.last_error) == ("delivered", 2, "")
    assert list(received(medical_department)) == [batch.key]
    assert list(Message.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "failed",
        "delivered",
    ]
    assert Entry.objects.filter(action="exchange.outbox.failed").count() == 1
    # Once acknowledged, a retry sends nothing again.
    assert outbox.outbox_retry(now=timezone.now() + dt.timedelta(days=1)) == 0


def test_a_batch_delivered_twice_is_applied_once(
    world: Any, medical_department: RegistrySimulator
) -> None:
    """A worker lost after the department answered sends the batch again: the department
    recognises the key, applies it once and answers with the first acknowledgement."""
    granted(world)
    pay(world, 202611)
    batch = OutboundMessage.objects.get()
    first = outbox.outbox_deliver(message_id=batch.pk)
    assert first is not None
    # As if the answer had been lost: the platform still thinks it is pending.
    OutboundMessage.objects.filter(pk=batch.pk).update(status="pending", acknowledgement={})
    second = outbox.outbox_deliver(message_id=batch.pk)
    assert second is not None
    assert second.acknowledgement["ack_id"] == first.acknowledgement["ack_id"]
    assert second.acknowledgement["duplicate"] is True
    assert len(received(medical_department)) == 1
    # Delivered already: a third call does not send.
    assert outbox.outbox_deliver(message_id=batch.pk) == second
    assert Message.objects.filter(direction="out").count() == 2


def test_staff_and_the_person_see_the_lines(
    world: Any, medical_department: RegistrySimulator
) -> None:
    """The payroll page and API show each run's lines and their delivery; the person sees
    the medical insurance paid on their behalf on their page and in the API."""
    granted(world)
    pay(world, 202611)
    outbox.outbox_deliver(message_id=OutboundMessage.objects.get().pk)
    staff = browser(world.rita)
    page = staff.get("/staff/unemployment/payroll/")
    assert page.status_code == 200
    assert b'id="medical-202611"' in page.content and b"260.00" in page.content
    runs = staff.get("/api/v1/unemployment/payroll/runs").json()
    assert runs[0]["medical"]["count"] == 1
    assert runs[0]["medical"]["total"] == "260.00"
    assert runs[0]["medical"]["status"] == "delivered"
    assert runs[0]["medical"]["acknowledgement"].startswith("YB")
    lines = staff.get("/api/v1/unemployment/payroll/runs/2026-11/medical")
    assert lines.status_code == 200
    [line] = lines.json()
    assert line["month"] == "2026-11" and line["amount"] == "260.00"
    assert line["resident_id"] != world.alice.resident_id  # masked
    detail = staff.get("/staff/unemployment/payroll/2026-11/")
    assert detail.status_code == 200 and b"260.00" in detail.content
    assert world.alice.resident_id.encode() not in detail.content
    person = browser(world.alice.user)
    mine = person.get("/me/unemployment/")
    assert b'id="medical-on-behalf"' in mine.content and b"260.00" in mine.content
    [benefit] = person.get("/api/v1/me/unemployment").json()["benefits"]
    assert benefit["medical_contributions"] == [
        {
            "month": "2026-11",
            "amount": "260.00",
            "status": "delivered",
            "status_label": "对方部门已确认接收",
        }
    ]


def test_only_payroll_staff_see_a_runs_lines(world: Any) -> None:
    granted(world)
    pay(world, 202611)
    for user in (world.carol, world.alice.user, world.mallory):
        assert browser(user).get("/staff/unemployment/payroll/2026-11/").status_code == 403
        assert (
            browser(user).get("/api/v1/unemployment/payroll/runs/2026-11/medical").status_code
            == 403
        )
    assert browser(world.rita).get("/staff/unemployment/payroll/2026-10/").status_code == 404


# --- the claim's bank account ------------------------------------------------------------------


def test_payments_carry_the_claims_account_encrypted_and_masked(world: Any) -> None:
    """The account given on the claim is kept with the benefit and copied onto each payment
    (back pay too), ciphertext in the database; the person, the staff page and the API see
    the last four digits only."""
    from django.db import connection

    from onestop.unemployment.models import BenefitPayment
    from onestop.unemployment.tests.test_filing import ACCOUNT

    benefit = granted(world)
    assert benefit.bank_account == ACCOUNT
    pay(world, 202612)  # 2026-11 is paid back in the same run
    assert list(
        BenefitPayment.objects.order_by("period").values_list("period", "bank_account")
    ) == [(202611, ACCOUNT), (202612, ACCOUNT)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT bank_account FROM unemployment_benefitpayment")
        stored = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT bank_account FROM unemployment_unemploymentbenefit")
        stored += [row[0] for row in cursor.fetchall()]
    assert len(stored) == 3 and not any(ACCOUNT in value for value in stored)
    masked = "*" * 15 + ACCOUNT[-4:]
    mine = browser(world.alice.user).get("/me/unemployment/").content.decode()
    assert masked in mine and ACCOUNT not in mine
    staff = browser(world.carol).get("/staff/unemployment/").content.decode()
    assert masked in staff and ACCOUNT not in staff
    [shown] = browser(world.alice.user).get("/api/v1/me/unemployment").json()["benefits"]
    assert shown["bank_account"] == masked
    assert {p["bank_account"] for p in shown["payments"]} == {masked}
