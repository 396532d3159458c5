"""The gateway: signed queries under grants and consent, replays and forgeries refused, every
exchange logged for the person; registry events handled once; the signed message-log bundle;
certificate-free handling from a registry; tampered certificate files."""

from __future__ import annotations

import base64
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
    Grant,
    InboxEvent,
    Message,
    Resource,
)
from onestop.pensions.testing import worked_elsewhere
from onestop.simulators.registries import RegistrySimulator

pytestmark = pytest.mark.django_db

PURPOSE = "loan"


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


def civil_affairs() -> Party:
    registry = Party("civil_affairs", ConsumerKind.REGISTRY)
    gateway.grant_approve(
        actor=None,
        consumer=registry.consumer,
        resource=Resource.objects.get(code="civil_affairs.deaths"),
        purpose="benefit_eligibility",
        valid_until=None,
    )
    return registry


def death_event(world: Any, **changes: Any) -> dict[str, Any]:
    return {
        "event_id": "CA-0001",
        "source": "civil_affairs",
        "kind": "death_registered",
        "subject": world.dave.resident_id,
        "data": {"date": "2026-11-01", "certificate_no": "SW20261101000009"},
        "purpose": "benefit_eligibility",
        "timestamp": timezone.now().isoformat(),
        "nonce": secrets.token_hex(8),
        **changes,
    }


def test_registry_events_are_handled_once(world: Any) -> None:
    """An event id is handled once; a redelivery (signed afresh: new nonce and timestamp) is
    acknowledged with the first outcome."""
    registry = civil_affairs()
    raw, signature = registry.signed(death_event(world))
    assert gateway.event_receive(body=raw, signature=signature) == (
        True,
        "death certificate SW20261101000009 stored; no pensioner",
    )
    raw, signature = registry.signed(death_event(world))  # redelivered
    assert gateway.event_receive(body=raw, signature=signature) == (
        False,
        "death certificate SW20261101000009 stored; no pensioner",
    )
    assert (InboxEvent.objects.count(), ELicence.objects.count()) == (1, 1)
    licence = ELicence.objects.get()
    assert (licence.holder_id, licence.trust_grade, licence.valid_from) == (
        world.dave.pk,
        "A",
        dt.date(2026, 11, 1),
    )
    assert list(
        Message.objects.filter(person=world.dave)
        .order_by("pk")
        .values_list("party", "resource", "purpose", "outcome")
    ) == [
        ("civil_affairs", "civil_affairs.deaths", "benefit_eligibility", "accepted"),
        ("civil_affairs", "civil_affairs.deaths", "benefit_eligibility", "duplicate"),
    ]


def event_refused(party: Party, data: dict[str, Any], signature: str | None = None) -> str:
    raw, sig = party.signed(data)
    with pytest.raises(gateway.Refused) as error:
        gateway.event_receive(body=raw, signature=signature if signature is not None else sig)
    return f"{error.value.status} {error.value.code}"


def test_events_are_checked_as_queries_are(world: Any) -> None:
    """Stale, short-nonce, replayed, forged, ungranted and wrong-purpose events are refused
    with the documented codes; each refusal is logged and nothing is handled."""
    registry = civil_affairs()
    good = death_event(world)
    raw, signature = registry.signed(good)
    gateway.event_receive(body=raw, signature=signature)
    assert event_refused(registry, good) == "409 replay"  # the same bytes again
    stale = "2024-05-01T08:00:00+00:00"
    assert event_refused(registry, death_event(world, event_id="B", timestamp=stale)) == (
        "401 timestamp"
    )
    future = (timezone.now() + dt.timedelta(minutes=6)).isoformat()
    assert event_refused(registry, death_event(world, event_id="B", timestamp=future)) == (
        "401 timestamp"
    )
    assert event_refused(registry, death_event(world, event_id="B", timestamp="2026-11-26")) == (
        "401 timestamp"  # no time zone
    )
    assert event_refused(registry, death_event(world, event_id="B", nonce="x")) == ("400 malformed")
    assert event_refused(registry, death_event(world, event_id="B", nonce=12345678)) == (
        "400 malformed"
    )
    assert event_refused(registry, death_event(world, event_id="B", purpose="loan")) == (
        "403 grant"
    )
    assert event_refused(registry, death_event(world, event_id="B", kind="born")) == (
        "404 resource"
    )
    no_purpose = death_event(world, event_id="B")
    del no_purpose["purpose"]
    assert event_refused(registry, no_purpose) == "400 malformed"
    _, foreign = Party("mallory", ConsumerKind.REGISTRY).signed(death_event(world, event_id="B"))
    assert event_refused(registry, death_event(world, event_id="B"), foreign) == "401 signature"
    bank_party = Party("bank", ConsumerKind.THIRD_PARTY)  # not a registry
    assert event_refused(bank_party, death_event(world, event_id="B", source="bank")) == (
        "401 signature"
    )
    Grant.objects.filter(consumer=registry.consumer).update(valid_until=dt.date(2026, 11, 25))
    assert event_refused(registry, death_event(world, event_id="B")) == "403 grant"
    assert InboxEvent.objects.count() == 1 and ELicence.objects.count() == 1
    outcomes = list(
        Message.objects.filter(direction="in").order_by("pk").values_list("outcome", flat=True)
    )
    assert outcomes == [
        "accepted",
        "refused:replay",
        "refused:timestamp",
        "refused:timestamp",
        "refused:timestamp",
        "refused:malformed",
        "refused:malformed",
        "refused:grant",
        "refused:resource",
        "refused:malformed",
        "refused:grant",
    ]  # the forged ones only in the application log: nobody logs under another's name


@pytest.mark.parametrize(
    "changes",
    [
        {"data": "x"},
        {"data": [1]},
        {"data": 5},
        {"data": None},
        {"data": {"date": "not-a-date", "certificate_no": "SW1"}},
        {"data": {"date": "2026-11-01", "certificate_no": "S" * 3000}},
        {"data": {"date": "2026-11-01"}},
        {"event_id": "E" * 5000},
        {"event_id": 12},
        {"subject": 610113},
    ],
)
def test_a_signed_event_of_another_shape_is_refused_whole(world: Any, changes: Any) -> None:
    """A correctly signed event whose fields are not what the kind needs is 400 malformed (a
    tester's non-object ``data`` gave a 500); nothing is stored, the refusal is logged."""
    registry = civil_affairs()
    assert event_refused(registry, death_event(world, **changes)) == "400 malformed"
    assert (InboxEvent.objects.count(), ELicence.objects.count()) == (0, 0)
    assert list(Message.objects.values_list("outcome", flat=True)) == ["refused:malformed"]


def test_events_through_the_api_answer_the_documented_codes(world: Any) -> None:
    registry = civil_affairs()
    client = Client()

    def post(data: dict[str, Any]) -> tuple[int, str]:
        raw, signature = registry.signed(data)
        response = client.post(
            "/api/v1/gateway/events",
            raw,
            content_type="application/json",
            HTTP_X_SIGNATURE=signature,
        )
        body = response.json()
        return response.status_code, body.get("code") or str(body.get("duplicate"))

    good = death_event(world)
    assert post(good) == (200, "False")
    assert post(good) == (409, "replay")
    assert post(death_event(world, timestamp="2024-01-01T00:00:00+08:00")) == (401, "timestamp")
    assert post(death_event(world, nonce="abc")) == (400, "malformed")
    assert post(death_event(world, purpose="marketing")) == (403, "grant")
    assert post(death_event(world)) == (200, "True")  # the same event id delivered again


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
    assert "Bundle intact: 1 messages, signed by the pinned key" in out.getvalue()
    out = io.StringIO()
    call_command("exchange", "verify", str(path), stdout=out)
    assert "signed by this platform's signing key" in out.getvalue()
    bundle["content"]["entries"][0]["outcome"] = "answered"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    with pytest.raises(CommandError, match=r"digest.*signature"):
        call_command("exchange", "verify", str(path), stdout=io.StringIO())
    _, other = algorithms.keypair(algorithms.ED25519)
    assert gateway.bundle_verify(
        json.loads(json.dumps(gateway.log_export())), public_key=other
    ) == ["the signature does not match the content"]


def foreign_bundle() -> tuple[dict[str, Any], str]:
    """The platform's log re-signed by another key that the bundle names as its own."""
    private, public = algorithms.keypair(algorithms.ED25519)
    content = {**gateway.log_export()["content"], "public_key": public}
    signature = algorithms.sign(algorithms.ED25519, private, signing.canonical(content))
    return {"content": content, "signature": signature}, public


def test_verify_trusts_the_platforms_key_not_the_one_a_bundle_names(
    world: Any, tmp_path: Path
) -> None:
    """Without --key a bundle signed by another key fails (exit status 1); --key pins a key
    given as hex, as base64 (as the keys endpoint publishes it), in a file, or the endpoint's
    JSON saved to a file; a malformed key is an error."""
    bundle, foreign = foreign_bundle()
    path = tmp_path / "log.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    with pytest.raises(CommandError, match="signature does not match"):
        call_command("exchange", "verify", str(path), stdout=io.StringIO())
    assert gateway.bundle_verify(bundle) == ["the signature does not match the content"]
    base64_key = base64.b64encode(bytes.fromhex(foreign)).decode()
    key_file = tmp_path / "auditor.key"
    key_file.write_text(base64_key + "\n", encoding="utf-8")
    for pinned in (foreign, base64_key, str(key_file)):
        out = io.StringIO()
        call_command("exchange", "verify", str(path), "--key", pinned, stdout=out)
        assert "Bundle intact" in out.getvalue()
    genuine = tmp_path / "genuine.json"
    genuine.write_text(json.dumps(gateway.log_export()), encoding="utf-8")
    endpoint = tmp_path / "keys.json"
    endpoint.write_text(Client().get("/api/v1/certificates/keys").content.decode(), "utf-8")
    for pinned in (str(endpoint), signing.public_key_hex()):
        call_command("exchange", "verify", str(genuine), "--key", pinned, stdout=io.StringIO())
    with pytest.raises(CommandError, match="signature does not match"):
        call_command("exchange", "verify", str(genuine), "--key", foreign, stdout=io.StringIO())
    for bad in ("abcd", "z" * 64, base64_key[:-4]):
        with pytest.raises(CommandError, match="not an ed25519 public key"):
            call_command("exchange", "verify", str(genuine), "--key", bad, stdout=io.StringIO())


def test_verify_exits_non_zero_on_a_foreign_signature(world: Any, tmp_path: Path) -> None:
    """The command line itself: exit status 1 and one line saying why."""
    import subprocess
    import sys

    bundle, _ = foreign_bundle()
    path = tmp_path / "log.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "onestop.cli", "exchange", "verify", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1
    assert "Bundle NOT intact: the signature does not match the content" in run.stderr
    assert "Traceback" not in run.stderr


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


def file_funeral(world: Any, claimant: Any = None) -> Any:
    """alice claims for dave at mallory's counter (a registry is asked about someone other
    than the filer only there, the case worker having the papers in hand)."""
    return applications.application_submit(
        actor=world.mallory,  # a case worker where dave was insured (Baota)
        item_code=FUNERAL,
        applicant=claimant or world.alice,
        answers={"deceased_resident_id": world.dave.resident_id, "relation": "parent"},
        channel="counter",
        consent=True,
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
        "issuer": "民政部门",
        "issuer_en": "Civil affairs",
        "grade": "B",
        "source": "civil_affairs.deaths via gateway",
    }
    asked = Message.objects.get(direction="out")
    assert (asked.person_id, asked.resource, asked.outcome) == (
        world.dave.pk,
        "civil_affairs.deaths",
        "found",
    )
    # The next case (another relative's: one open claim each) finds the licence in the
    # library: no second query.
    file_funeral(world, claimant=world.bob)
    assert Message.objects.filter(direction="out").count() == 1
    # The case page names the issuer in the reader's language only.
    from django.test import Client

    staff = Client()
    staff.force_login(world.carol)
    for language, shown, hidden in (
        ("zh-hans", "民政部门", "Civil affairs"),
        ("en", "Civil affairs", "民政部门"),
    ):
        page = staff.get(f"/applications/{case.number}/", headers={"Accept-Language": language})
        assert page.status_code == 200
        text = page.content.decode()
        assert shown in text and hidden not in text


def test_without_a_record_or_a_registry_the_material_stays_to_upload(
    world: Any, registries: RegistrySimulator, settings: Any
) -> None:
    def death(case: Any) -> str:
        return str(
            next(m["status"] for m in case.licences if m["licence_type"] == "death_certificate")
        )

    assert death(file_funeral(world)) == "not_found"
    settings.ONESTOP_REGISTRY_URL = "http://127.0.0.1:9"  # nothing listens there
    assert death(file_funeral(world, claimant=world.bob)) == "unavailable"
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
    # The altered file's signature does not verify: it names alice's certificate, but
    # anyone can write that number into a file; her data-use log shows the genuine check.
    outcomes = [m.outcome for m in services.data_use_of(actor=world.alice.user)]
    assert outcomes == ["valid"]
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
        answers={"retirement_month": "2026-12", "bank_account": "6222020200112233446"},
    ).application
    case = applications.application_act(
        actor=world.carol, application=case, task="accept", decision="accept"
    )
    case = applications.application_act(
        actor=world.rita,
        application=case,
        task="review",
        decision="approve",
        established={"post_category": "worker"},  # alice's post is not on record
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


@pytest.mark.django_db(transaction=True)
def test_one_event_delivered_at_once_by_several_threads_is_handled_once(world: Any) -> None:
    """PostgreSQL: eight deliveries of one event id, each signed afresh, at the same time:
    one handles it, the others are acknowledged as duplicates; nothing fails."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL: SQLite serialises them by design.")
    registry = civil_affairs()
    deliveries = [registry.signed(death_event(world)) for _ in range(8)]
    barrier = threading.Barrier(len(deliveries))
    results: list[Any] = []

    def deliver(raw: bytes, signature: str) -> None:
        from django.db import connection as own

        try:
            barrier.wait()
            results.append(gateway.event_receive(body=raw, signature=signature)[0])
        except Exception as exc:
            results.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=deliver, args=d) for d in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [False] * 7 + [True]
    assert (InboxEvent.objects.count(), ELicence.objects.count()) == (1, 1)


def test_the_admin_offers_purposes_by_code_and_refuses_others(world: Any) -> None:
    """A grant's purpose is chosen from the registered codes, shown with their labels."""
    from onestop.identity.models import User

    admin = User.objects.create_superuser("root", password="Correct-horse-42")
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/exchange/grant/add/").content.decode()
    assert '<option value="loan">贷款审核</option>' in page
    consumer = Party("bank-xian", ConsumerKind.THIRD_PARTY).consumer
    resource = Resource.objects.get(code="hrss.proof_of_insurance")
    form = {"consumer": consumer.pk, "resource": resource.pk, "purpose": "marketing"}
    refused = client.post("/admin/exchange/grant/add/", form)
    assert refused.status_code == 200 and not Grant.objects.exists()
    assert client.post("/admin/exchange/grant/add/", {**form, "purpose": "loan"}).status_code == 302
    assert Grant.objects.get().purpose == "loan"
