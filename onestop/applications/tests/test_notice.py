"""The one-time notice of missing materials (一次性告知书): a signed e-document that lists
every required material a case still lacks, printable at the counter and through the API,
for the applicant and staff who may see them only."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.test import Client

from onestop.applications import services
from onestop.applications.models import Application, Channel
from onestop.audit.models import Entry
from onestop.exchange.models import Certificate
from onestop.exchange.signing import verify

pytestmark = pytest.mark.django_db

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}
SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def survivors_claim(world: Any) -> Application:
    """bob claims the survivors' benefits of his father, without the kinship proof yet."""
    from onestop.identity import demo
    from onestop.identity import services as identity
    from onestop.pensions import services as pensions
    from onestop.pensions.testing import worked_elsewhere

    father = identity.person_register(
        actor=None,
        name="白振国",
        resident_id=demo.resident_id(random.Random(1958), "610113", dt.date(1958, 4, 2), True),
        region=world.regions["610113"],
    )
    worked_elsewhere(father)
    pensions.death_event(
        {
            "subject": father.resident_id,
            "source": "civil_affairs",
            "data": {"date": "2026-11-10", "declarant_resident_id": world.bob.resident_id},
        }
    )
    return services.application_submit(
        actor=world.bob.user,
        item_code="SX-SI-008",
        applicant=world.bob,
        answers={"deceased_resident_id": father.resident_id, "relation": "child"},
    ).application


def test_the_notice_lists_the_missing_death_certificate_and_goes_once_it_is_there(
    world: Any,
) -> None:
    case = survivors_claim(world)
    # No death certificate in the e-licence library (the death came straight from the
    # registry's record): missing, told at once. The kinship proof is civil affairs' to
    # confirm at its step, never the claimant's to bring.
    assert [m["name"] for m in services.materials_outstanding(case)] == ["死亡证明"]
    counter = Client()
    counter.force_login(world.carol)
    page = counter.get(f"/applications/{case.number}/").content.decode()
    assert f"/applications/{case.number}/notice.pdf" in page
    before = Entry.objects.count()
    response = counter.get(f"/applications/{case.number}/notice.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    notice = Certificate.objects.get(kind="supplement_notice")
    assert notice.number.startswith("SN") and notice.person == world.bob
    assert notice.payload["facts"]["missing"] == ["死亡证明（Death certificate）"]
    assert verify(notice.payload, notice.signature)
    assert world.bob.resident_id not in str(notice.payload)  # masked
    assert Entry.objects.filter(action="exchange.certificate.issued").count() == 1
    assert Entry.objects.count() > before
    # The API gives the same signed PDF to the applicant.
    own = Client()
    own.force_login(world.bob.user)
    api = own.get(f"/api/v1/applications/{case.number}/notice")
    assert api.status_code == 200 and api["Content-Type"] == "application/pdf"
    # Staff of another region do not see the case at all.
    other = Client()
    other.force_login(world.mallory)
    assert other.get(f"/applications/{case.number}/notice.pdf").status_code == 404
    assert other.get(f"/api/v1/applications/{case.number}/notice").status_code == 404
    # Supplied: nothing is missing, the link goes and the notice is refused in both languages.
    services.material_upload(
        actor=world.bob.user, application=case, name="死亡证明", file_name="scan.pdf", data=SCAN
    )
    case.refresh_from_db()
    assert services.materials_outstanding(case) == []
    assert "notice.pdf" not in counter.get(f"/applications/{case.number}/").content.decode()
    refused = own.get(f"/api/v1/applications/{case.number}/notice")
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "nothing_missing" and "一次性告知书" in body["message_zh"]
    assert counter.get(f"/applications/{case.number}/notice.pdf").status_code == 400
    assert Certificate.objects.filter(kind="supplement_notice").count() == 2


def test_a_supplement_request_is_printed_as_the_notice_at_the_counter(world: Any) -> None:
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
    assert counter.get(f"/applications/{case.number}/notice.pdf").status_code == 400
    services.application_act(
        actor=world.carol,
        application=case,
        task="accept",
        decision="supplement",
        note="请补充人事档案（视同缴费年限认定）",
    )
    response = counter.get(f"/applications/{case.number}/notice.pdf")
    assert response.status_code == 200
    facts = Certificate.objects.get(kind="supplement_notice").payload["facts"]
    assert (facts["case"], facts["status"], facts["note"]) == (
        case.number,
        "待申请人补正 waiting for the applicant's supplement",
        "请补充人事档案（视同缴费年限认定）",
    )
    # The receipt through the API as well.
    receipt = counter.get(f"/api/v1/applications/{case.number}/receipt")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
