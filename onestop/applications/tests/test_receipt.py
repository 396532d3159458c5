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

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}


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


@pytest.mark.parametrize(
    ("channel", "shown", "not_shown"),
    [
        (Channel.ONLINE, "/me/applications/", "/status/"),
        (Channel.API, "/me/applications/", "/status/"),
        (Channel.COUNTER, "/status/", "/me/applications/"),
    ],
)
def test_the_receipt_says_where_its_filer_follows_the_case(
    world: Any, channel: str, shown: str, not_shown: str
) -> None:
    """The query code is kept hashed and never printed: an online or API filer's receipt
    sends them to "my applications" (no query code promised); a counter filer's receipt to
    the status query with the code from the counter's slip."""
    from onestop.exchange.certificate_pdf import page_text

    counter = channel == Channel.COUNTER
    filed = services.application_submit(
        actor=world.carol if counter else world.alice.user,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers=ANSWERS,
        channel=channel,
        consent=counter,
    )
    case = filed.application
    own = Client(enforce_csrf_checks=True)
    own.force_login(world.alice.user)
    response = own.get(f"/applications/{case.number}/receipt.pdf")
    assert response.status_code == 200
    text = page_text(response.content)
    assert shown in text and not_shown not in text
    assert filed.code not in text
    assert ("querycode" in text) is counter  # page_text drops the spaces
    facts = Certificate.objects.get(kind="acceptance_receipt").payload["facts"]
    assert facts["follow"] == ("status" if counter else "mine")
