"""The gateway: signed queries under grants and consent, replays and forgeries refused, every
exchange logged for the person; registry events handled once; the signed message-log bundle;
certificate-free handling from a registry; tampered certificate files."""

from __future__ import annotations

import datetime as dt
import io
import json
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from onestop.applications import services as applications
from onestop.common.errors import NotFound
from onestop.exchange import algorithms, certificate_pdf, gateway, services, signing
from onestop.exchange.facts import insurance_facts
from onestop.exchange.models import (
    Consent,
    Consumer,
    ConsumerKind,
    ELicence,
    InboxEvent,
    Message,
    Resource,
)
from onestop.pensions.testing import worked_elsewhere
from onestop.simulators.registries import RegistrySimulator

pytestmark = pytest.mark.django_db

PURPOSE = "贷款审核 loan"


class Party:
    def __init__(self, code: str, kind: str, algorithm: str = algorithms.ED25519) -> None:
        self.private, public = algorithms.keypair(algorithm)
        self.algorithm = algorithm
        self.consumer = Consumer.objects.create(
            code=code, name=code, kind=kind, algorithm=algorithm, public_key=public
        )

    def body(self, **changes: Any) -> dict[str, Any]:
        return {
            "consumer": self.consumer.code,
            "resource": "hrss.proof_of_insurance",
            "purpose": PURPOSE,
            "subject": "",
            "fields": ["insured", "contribution_months"],
            "timestamp": timezone.now().isoformat(),
            "nonce": secrets.token_hex(8),
            **changes,
        }

    def signed(self, data: dict[str, Any]) -> tuple[bytes, str]:
        raw = signing.canonical(data)
        return raw, algorithms.sign(self.algorithm, self.private, raw)


def bank(algorithm: str = algorithms.ED25519) -> Party:
    party = Party("bank-xian", ConsumerKind.THIRD_PARTY, algorithm)
    gateway.grant_approve(
        actor=None,
        consumer=party.consumer,
        resource=Resource.objects.get(code="hrss.proof_of_insurance"),
        purpose=PURPOSE,
        valid_until=None,
    )
    return party


def refused(party: Party, data: dict[str, Any], signature: str | None = None) -> str:
    raw, sig = party.signed(data)
    with pytest.raises(gateway.Refused) as error:
        gateway.gateway_query(body=raw, signature=signature if signature is not None else sig)
    return f"{error.value.status} {error.value.code}"


@pytest.mark.parametrize("algorithm", algorithms.ALGORITHMS)
def test_a_bank_needs_the_persons_consent(world: Any, algorithm: str) -> None:
    party = bank(algorithm)
    query = party.body(subject=world.alice.resident_id)
    assert refused(party, query) == "403 consent"
    services.consent_grant(
        actor=world.alice.user,
        consumer_code="bank-xian",
        resource_code="hrss.proof_of_insurance",
        purpose=PURPOSE,
        days=30,
    )
    raw, signature = party.signed(party.body(subject=world.alice.resident_id.lower()))
    answer = gateway.gateway_query(body=raw, signature=signature)
    assert answer["response"]["data"] == {"insured": False, "contribution_months": 0}
    assert answer["response"]["subject"].startswith("6101") and "*" in answer["response"]["subject"]
    assert signing.verify(answer["response"], answer["signature"])
    uses = services.data_use_of(actor=world.alice.user)
    assert [(m.party, m.outcome, m.fields) for m in uses] == [
        ("bank-xian", "answered", ["insured", "contribution_months"]),
        ("bank-xian", "refused:consent", ["insured", "contribution_months"]),
    ]
    consent = Consent.objects.get()
    services.consent_revoke(actor=world.alice.user, consent_id=consent.pk)
    assert refused(party, party.body(subject=world.alice.resident_id)) == "403 consent"


def test_forged_replayed_stale_and_overreaching_requests_fail(world: Any) -> None:
    party = bank()
    services.consent_grant(
        actor=world.alice.user,
        consumer_code="bank-xian",
        resource_code="hrss.proof_of_insurance",
        purpose=PURPOSE,
        days=30,
    )
    good = party.body(subject=world.alice.resident_id)
    raw, signature = party.signed(good)
    gateway.gateway_query(body=raw, signature=signature)
    with pytest.raises(gateway.Refused) as replay:
        gateway.gateway_query(body=raw, signature=signature)
    assert (replay.value.status, replay.value.code) == (409, "replay")
    _, foreign = Party("mallory-bank", ConsumerKind.THIRD_PARTY).signed(good)
    assert refused(party, party.body(subject=world.alice.resident_id), foreign) == "401 signature"
    assert refused(party, {**good, "nonce": "n" * 9}, "AAAA") == "401 signature"
    stale = (timezone.now() - dt.timedelta(minutes=6)).isoformat()
    assert refused(party, party.body(subject=world.alice.resident_id, timestamp=stale)) == (
        "401 timestamp"
    )
    assert refused(party, party.body(subject=world.alice.resident_id, fields=["name"])) == (
        "400 fields"
    )
    assert refused(party, party.body(subject=world.alice.resident_id, purpose="marketing")) == (
        "403 grant"
    )
    assert refused(party, party.body(subject="110105194912310020")) == "404 subject"
    assert refused(party, party.body(resource="civil_affairs.deaths")) == "404 resource"
    assert refused(party, {"consumer": "bank-xian"}) == "400 malformed"
    # Through the API: same answers, no session or token needed, the signature decides.
    client = Client()
    raw, signature = party.signed(party.body(subject=world.alice.resident_id))
    response = client.post(
        "/api/v1/gateway/query", raw, content_type="application/json", HTTP_X_SIGNATURE=signature
    )
    assert response.status_code == 200 and signing.verify(
        response.json()["response"], response.json()["signature"]
    )
    again = client.post(
        "/api/v1/gateway/query", raw, content_type="application/json", HTTP_X_SIGNATURE=signature
    )
    assert (again.status_code, again.json()["code"]) == (409, "replay")


def test_registry_events_are_handled_once(world: Any) -> None:
    registry = Party("civil_affairs", ConsumerKind.REGISTRY)
    event = {
        "event_id": "CA-0001",
        "source": "civil_affairs",
        "kind": "death_registered",
        "subject": world.dave.resident_id,
        "data": {"date": "2026-11-01", "certificate_no": "SW20261101000009"},
        "timestamp": timezone.now().isoformat(),
        "nonce": "abcdefgh",
    }
    raw, signature = registry.signed(event)
    assert gateway.event_receive(body=raw, signature=signature) == (
        True,
        "death certificate SW20261101000009 stored; no pensioner",
    )
    assert gateway.event_receive(body=raw, signature=signature)[0] is False  # redelivered
    assert (InboxEvent.objects.count(), ELicence.objects.count()) == (1, 1)
    licence = ELicence.objects.get()
    assert (licence.holder_id, licence.trust_grade, licence.valid_from) == (
        world.dave.pk,
        "A",
        dt.date(2026, 11, 1),
    )
    bank_party = Party("bank", ConsumerKind.THIRD_PARTY)  # not a registry
    raw2, sig2 = bank_party.signed({**event, "source": "bank", "event_id": "X"})
    with pytest.raises(gateway.Refused):
        gateway.event_receive(body=raw2, signature=sig2)
    with pytest.raises(gateway.Refused):
        gateway.event_receive(body=raw.replace(b"2026-11-01", b"2026-11-02"), signature=signature)
    assert InboxEvent.objects.count() == 1


def test_the_message_log_exports_as_a_verifiable_bundle(world: Any, tmp_path: Path) -> None:
    party = bank()
    refused(party, party.body(subject=world.alice.resident_id))
    path = tmp_path / "log.json"
    call_command("exchange", "export", str(path), stdout=io.StringIO())
    bundle = json.loads(path.read_text(encoding="utf-8"))
    assert bundle["content"]["count"] == 1 and gateway.bundle_verify(bundle) == []
    public = signing.public_key_bytes().hex()
    out = io.StringIO()
    call_command("exchange", "verify", str(path), "--key", public, stdout=out)
    assert "Bundle intact: 1 messages" in out.getvalue()
    bundle["content"]["entries"][0]["outcome"] = "answered"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    with pytest.raises(CommandError, match=r"digest.*signature"):
        call_command("exchange", "verify", str(path), stdout=io.StringIO())
    _, other = algorithms.keypair(algorithms.ED25519)
    assert gateway.bundle_verify(
        json.loads(json.dumps(gateway.log_export())), public_key=other
    ) == ["the signature does not match the content"]


class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def registries(settings: Any) -> Iterator[RegistrySimulator]:
    app = RegistrySimulator(api_key="k")
    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ONESTOP_REGISTRY_URL = f"http://127.0.0.1:{server.server_port}"
    settings.ONESTOP_REGISTRY_KEY = "k"
    yield app
    server.shutdown()


FUNERAL = "SX-SI-008"


def file_funeral(world: Any) -> Any:
    return applications.application_submit(
        actor=world.alice.user,
        item_code=FUNERAL,
        applicant=world.alice,
        answers={"deceased_resident_id": world.dave.resident_id, "relation": "parent"},
    ).application


def test_a_funeral_grant_needs_no_death_certificate(
    world: Any, registries: RegistrySimulator
) -> None:
    registries.put(
        "civil_affairs",
        "deaths",
        world.dave.resident_id,
        {"name": "丁大卫", "date": "2026-11-10", "place": "延安", "certificate_no": "SW1"},
    )
    case = file_funeral(world)
    [death] = [row for row in case.licences if row["licence_type"] == "death_certificate"]
    assert death == {
        "material": "死亡证明",
        "licence_type": "death_certificate",
        "status": "found",
        "number": "SW1",
        "issuer": "民政部门 Civil affairs",
        "grade": "B",
        "source": "civil_affairs.deaths via gateway",
    }
    asked = Message.objects.get(direction="out")
    assert (asked.person_id, asked.resource, asked.outcome) == (
        world.dave.pk,
        "civil_affairs.deaths",
        "found",
    )
    # The next case finds the licence in the library: no second query.
    file_funeral(world)
    assert Message.objects.filter(direction="out").count() == 1


def test_without_a_record_or_a_registry_the_material_stays_to_upload(
    world: Any, registries: RegistrySimulator, settings: Any
) -> None:
    def death(case: Any) -> str:
        return str(
            next(m["status"] for m in case.licences if m["licence_type"] == "death_certificate")
        )

    assert death(file_funeral(world)) == "not_found"
    settings.ONESTOP_REGISTRY_URL = "http://127.0.0.1:9"  # nothing listens there
    assert death(file_funeral(world)) == "unavailable"
    assert list(Message.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "not_found",
        "unavailable",
    ]


def test_a_changed_certificate_file_fails(world: Any) -> None:
    from pypdf import PdfReader, PdfWriter

    issued = services.proof_of_insurance_issue(
        actor=world.alice.user, person=world.alice, facts=insurance_facts(world.alice)
    )
    pdf = certificate_pdf.render(
        certificate=issued.certificate, code=issued.code, absolute=lambda p: "https://x" + p
    )
    assert services.certificate_verify_pdf(data=pdf).valid
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    payload = json.loads(str(reader.metadata.subject if reader.metadata else ""))
    payload["facts"]["contribution_months"] = 240
    writer.add_metadata({"/Subject": json.dumps(payload, ensure_ascii=False, sort_keys=True)})
    forged = io.BytesIO()
    writer.write(forged)
    result = services.certificate_verify_pdf(data=forged.getvalue())
    assert (result.valid, result.reason, result.certificate) == (False, "altered", None)
    with pytest.raises(NotFound):  # not a PDF at all
        services.certificate_verify_pdf(data=b"%PDF-1.4 nothing")
    outcomes = [m.outcome for m in services.data_use_of(actor=world.alice.user)]
    assert outcomes == ["invalid:altered", "valid"]
    client = Client()
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post(
        "/verify/", {"file": SimpleUploadedFile("p.pdf", forged.getvalue(), "application/pdf")}
    )
    assert page.status_code == 200 and "verify-result" in page.content.decode()


def test_every_kind_of_certificate_is_signed_and_staff_revoke(world: Any) -> None:
    worked_elsewhere(world.alice)  # 180 months: the retirement can be approved
    from onestop.exchange.models import Certificate

    client = Client()
    client.force_login(world.alice.user)
    assert client.get("/me/contributions/statement.pdf").content.startswith(b"%PDF-")
    case = applications.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers={"retirement_month": "2026-12", "bank_account": "6222020200112233445"},
    ).application
    case = applications.application_act(
        actor=world.carol, application=case, task="accept", decision="accept"
    )
    case = applications.application_act(
        actor=world.rita, application=case, task="review", decision="approve"
    )
    assert client.get(f"/applications/{case.number}/result.pdf").status_code == 200
    statement, retirement = Certificate.objects.order_by("pk")
    assert statement.kind == "contribution_statement" and statement.number.startswith("CS")
    assert statement.payload["facts"]["account_balance"] == "57600.00"
    assert retirement.kind == "retirement_certificate"
    assert (
        retirement.payload["facts"]["retirement_month"],
        retirement.payload["facts"]["pension_from"],
    ) == ("2026-12", "2027-01")
    assert all(signing.verify(c.payload, c.signature) for c in (statement, retirement))
    staff = Client()
    staff.force_login(world.carol)
    page = staff.get(f"/staff/persons/{world.alice.pk}/certificates/").content.decode()
    assert statement.number in page and retirement.number in page
    assert client.get(f"/staff/persons/{world.alice.pk}/certificates/").status_code == 404
    response = staff.post(f"/staff/certificates/{statement.number}/revoke/", {"reason": "错误"})
    assert response.status_code == 302
    statement.refresh_from_db()
    assert (statement.revoked_reason, statement.revoked_at is not None) == ("错误", True)


def test_sm2_can_sign_instead_of_ed25519(world: Any, settings: Any) -> None:
    """With SM2 chosen, certificates and gateway answers are SM2-signed and say so; what was
    signed with Ed25519 before still verifies, and so the other way round."""
    before = services.proof_of_insurance_issue(
        actor=world.alice.user, person=world.alice, facts=insurance_facts(world.alice)
    )
    settings.ONESTOP_SIGNING_ALGORITHM = "sm2"
    after = services.proof_of_insurance_issue(
        actor=world.alice.user, person=world.alice, facts=insurance_facts(world.alice)
    )
    assert (before.certificate.payload["algorithm"], after.certificate.payload["algorithm"]) == (
        "ed25519",
        "sm2",
    )
    assert len(after.certificate.signature) == 128  # r||s in hex
    for issued in (before, after):
        assert services.certificate_verify(number=issued.certificate.number, code=issued.code).valid
    keys = Client().get("/api/v1/certificates/keys").json()["keys"]
    assert [k["algorithm"] for k in keys] == ["SM2", "Ed25519"]
    bundle = gateway.log_export()
    assert bundle["content"]["algorithm"] == "sm2" and gateway.bundle_verify(bundle) == []
    settings.ONESTOP_SIGNING_ALGORITHM = "ed25519"
    assert services.certificate_verify(number=after.certificate.number, code=after.code).valid


def test_each_registry_can_have_its_own_endpoint(settings: Any) -> None:
    from onestop.exchange.licences import registry_endpoint

    settings.ONESTOP_REGISTRY_URL, settings.ONESTOP_REGISTRY_KEY = "http://shared", "k0"
    settings.ONESTOP_REGISTRY_URLS = "civil_affairs=https://mz.example ; bad-entry"
    settings.ONESTOP_REGISTRY_KEYS = "civil_affairs=k1"
    assert registry_endpoint("civil_affairs") == ("https://mz.example", "k1")
    assert registry_endpoint("public_security") == ("http://shared", "k0")


def test_an_sm2_key_starting_with_04_signs_and_verifies() -> None:
    """gmssl strips a leading "04" (and more) from a public key; one key in 256 starts so.
    The private key 11 gives such a public key."""
    private = f"{11:064x}"
    public = algorithms.public_of(algorithms.SM2, private)
    assert public.startswith("04") and len(public) == 128
    signature = algorithms.sign(algorithms.SM2, private, b"canonical body")
    assert algorithms.verify(algorithms.SM2, public, b"canonical body", signature)
    assert not algorithms.verify(algorithms.SM2, public, b"another body", signature)
