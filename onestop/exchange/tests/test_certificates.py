"""Proofs of insurance: signed, verifiable by anyone with the code, tamper-evident."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.test import Client

from onestop.audit.models import Entry
from onestop.common.errors import NotFound, NotPermitted
from onestop.contributions import services as contributions
from onestop.exchange import services, signing
from onestop.exchange.facts import insurance_facts
from onestop.exchange.models import Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def insured(world: Any) -> Any:
    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    contributions.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=world.alice.resident_id,
        start_period=202401,
        wage=Decimal("5000"),
    )
    contributions.declaration_submit(
        actor=None,
        employer=world.acme,
        period=202410,
        rows=[contributions.DeclaredRow(1, world.alice.resident_id, "5000")],
    )
    return world


def issue(world: Any, actor: Any = None) -> services.Issued:
    return services.proof_of_insurance_issue(
        actor=actor or world.alice.user, person=world.alice, facts=insurance_facts(world.alice)
    )


def test_issue_and_verify(insured: Any) -> None:
    issued = issue(insured)
    payload = issued.certificate.payload
    assert payload["facts"] == {
        "insured": True,
        "contribution_months": 1,
        "paid_months": 0,
        "last_month": "2024-10",
        "employer": insured.acme.name,
    }
    assert payload["person"]["resident_id"].count("*") == 10
    result = services.certificate_verify(number=issued.certificate.number, code=issued.code.lower())
    assert (result.valid, result.reason) == (True, "")
    public = base64.b64decode(
        Client().get("/api/v1/certificates/keys").json()["keys"][0]["public_key"]
    )
    # Anyone can check the signature offline with the published key.
    Ed25519PublicKey.from_public_bytes(public).verify(
        base64.b64decode(issued.certificate.signature), signing.canonical(payload)
    )
    assert Entry.objects.filter(action="exchange.certificate.issued").count() == 1


def test_wrong_code_or_number_is_not_found(insured: Any) -> None:
    issued = issue(insured)
    for number, code in ((issued.certificate.number, "WRONG123"), ("PI000", issued.code)):
        with pytest.raises(NotFound):
            services.certificate_verify(number=number, code=code)


def test_tampering_revocation_and_expiry_are_reported(insured: Any) -> None:
    issued = issue(insured)
    number, code = issued.certificate.number, issued.code
    payload = {
        **issued.certificate.payload,
        "facts": {**issued.certificate.payload["facts"], "contribution_months": 180},
    }
    Certificate.objects.filter(pk=issued.certificate.pk).update(payload=payload)
    assert services.certificate_verify(number=number, code=code).reason == "signature"
    other = issue(insured)
    for outsider in (insured.alice.user, insured.mallory):  # the holder or staff out of scope
        with pytest.raises(NotPermitted):
            services.certificate_revoke(actor=outsider, certificate=other.certificate, reason="x")
    services.certificate_revoke(actor=insured.carol, certificate=other.certificate, reason="lost")
    assert (
        services.certificate_verify(number=other.certificate.number, code=other.code).reason
        == "revoked"
    )
    third = issue(insured)
    late = third.certificate.valid_until + dt.timedelta(days=1)
    assert (
        services.certificate_verify(
            number=third.certificate.number, code=third.code, today=late
        ).reason
        == "expired"
    )


@pytest.mark.parametrize("actor", ["mallory", "bob", "erin", "adam"])
def test_only_the_person_or_scoped_staff_issue(insured: Any, actor: str) -> None:
    user = insured.user(actor)
    with pytest.raises(NotPermitted):
        issue(insured, actor=user)
    assert not Certificate.objects.exists()
    assert not Entry.objects.filter(action="exchange.certificate.issued").exists()


def test_api_and_pages(insured: Any, client: Client) -> None:
    client.force_login(insured.carol)
    issued = client.post(f"/api/v1/persons/{insured.alice.pk}/proof-of-insurance").json()
    body = (
        Client()
        .get("/api/v1/certificates/verify", {"number": issued["number"], "code": issued["code"]})
        .json()
    )
    assert body["valid"] is True and body["certificate"] == issued["payload"]
    page = (
        Client()
        .get(
            "/verify/",
            {"number": issued["number"], "code": issued["code"]},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        .content.decode()
    )
    assert "Genuine and valid" in page
    assert (
        Client()
        .get("/api/v1/certificates/verify", {"number": issued["number"], "code": "X"})
        .status_code
        == 404
    )
    client.force_login(insured.alice.user)
    pdf = client.get("/me/proof-of-insurance.pdf")
    assert pdf.content.startswith(b"%PDF") and Certificate.objects.count() == 2
