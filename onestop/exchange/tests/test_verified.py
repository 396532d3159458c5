"""The verification page and API state the fields of the document's own kind: a retirement
decision its case, service, outcome, months and date with the person masked, never the
fields of a proof of insurance."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onestop.exchange import services
from onestop.identity.masking import mask_name, mask_resident_id

pytestmark = pytest.mark.django_db

FACTS = {
    "case": "SX20261126000001",
    "item": "职工基本养老保险退休申请",
    "item_code": "SX-SI-006 v1",
    "decision": "approve",
    "reasons": "",
    "decided_at": "2026-11-26T10:00:00+08:00",
    "retirement_month": "2027-01",
    "pension_from": "2027-02",
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_retirement_decision_verifies_with_its_own_fields(world: Any, language: str) -> None:
    """The page (by number and code) shows the case, the outcome, the retirement month and
    the first month paid, the name and ID masked, and no contribution months or employer;
    the API lists the same fields in both languages."""
    issued = services.decision_notice_issue(
        actor=world.alice.user, person=world.alice, facts=FACTS, kind="retirement_certificate"
    )
    query = {"number": issued.certificate.number, "code": issued.code}
    page = Client(enforce_csrf_checks=True).get("/verify/", query, HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    html = page.content.decode()
    shown = html.split('id="verified-fields"')[1].split("</dl>")[0]
    assert 'id="verified-case">SX20261126000001<' in shown
    assert 'id="verified-retirement_month">2027-01<' in shown
    assert 'id="verified-pension_from">2027-02<' in shown
    assert 'id="verified-decided">2026-11-26 10:00<' in shown
    approved = "approved" if language == "en" else "已批准"
    assert f'id="verified-decision">{approved}<' in shown
    assert f'id="verified-name">{mask_name(world.alice.name)}<' in shown
    assert world.alice.name not in html and world.alice.resident_id not in html
    assert "verified-employer" not in shown and "verified-contribution_months" not in shown
    body = Client().get("/api/v1/certificates/verify", query).json()
    fields = {f["key"]: f for f in body["fields"]}
    assert list(fields) == [
        "name",
        "resident_id",
        "case",
        "service",
        "decision",
        "retirement_month",
        "pension_from",
        "decided",
    ]
    assert fields["decision"]["value_zh"] == "已批准"
    assert fields["decision"]["value_en"] == "approved"
    assert fields["resident_id"]["value_en"] == mask_resident_id(world.alice.resident_id)
