"""The acceptance receipt (受理回执): a signed e-document for a filed case, printable at the
counter, for the applicant and staff who may see them only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onestop.applications import services
from onestop.applications.models import Channel
from onestop.exchange.models import Certificate
from onestop.exchange.signing import verify

pytestmark = pytest.mark.django_db

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233445"}


def test_carol_prints_a_receipt_for_a_counter_filing(world: Any) -> None:
    case = services.application_submit(
        actor=world.carol,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers=ANSWERS,
        channel=Channel.COUNTER,
        consent=True,
    ).application
    counter = Client()
    counter.force_login(world.carol)
    assert (
        f"/applications/{case.number}/receipt.pdf"
        in counter.get(f"/applications/{case.number}/").content.decode()
    )
    response = counter.get(f"/applications/{case.number}/receipt.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    receipt = Certificate.objects.get(kind="acceptance_receipt")
    facts = receipt.payload["facts"]
    assert (facts["case"], facts["channel"], facts["status"], facts["deadline"]) == (
        case.number,
        "窗口办理 counter",  # labels, never the codes
        facts["status"],
        case.deadline.isoformat(),
    )
    assert facts["status"].endswith("submitted, awaiting acceptance") and facts["status"][0] > "~"
    assert receipt.number.startswith("AR") and receipt.person == world.alice
    assert verify(receipt.payload, receipt.signature)
    assert world.alice.resident_id not in str(receipt.payload)  # masked
    # The applicant may print it too; staff of another region may not see the case.
    own = Client()
    own.force_login(world.alice.user)
    assert own.get(f"/applications/{case.number}/receipt.pdf").status_code == 200
    other = Client()
    other.force_login(world.mallory)
    assert other.get(f"/applications/{case.number}/receipt.pdf").status_code == 404
    assert Certificate.objects.filter(kind="acceptance_receipt").count() == 2
