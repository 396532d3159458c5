"""No resident ID, phone or bank account of the world in plaintext, anywhere it is stored.

Builds a small world the way the demo does (registrations, a retirement case with a bank
account, a funeral case about the deceased dave with his death certificate fetched as an
e-licence, a civil-affairs death event, a gateway query, a certificate, notifications, a
counter visit, an employment, refused requests), then reads every column of every table raw
(no model decodes anything), every file under the media and checkpoint folders and the
journal, and looks for the identifiers.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from onestop.applications import services as applications
from onestop.audit.models import Entry
from onestop.contributions import services as contributions
from onestop.exchange import gateway
from onestop.exchange import services as exchange
from onestop.exchange.checkpoints import checkpoint_issue
from onestop.exchange.facts import insurance_facts
from onestop.identity import services as identity
from onestop.reviews import services as reviews
from onestop.simulators.registries import RegistrySimulator

pytestmark = pytest.mark.django_db

BANK_ACCOUNT = "6222020200112233446"
PHONES = ["13800000001", "13800000002", "13800000003", "13900000009"]


class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def registries(settings: Any) -> Iterator[RegistrySimulator]:
    app = RegistrySimulator(api_key="k")
    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ONESTOP_REGISTRY_URL = f"http://127.0.0.1:{server.server_port}"
    settings.ONESTOP_REGISTRY_KEY = "k"
    yield app
    server.shutdown()


def build(world: Any, registries: RegistrySimulator) -> None:
    from onestop.exchange.tests.test_gateway import PURPOSE, bank, civil_affairs

    alice, dave = world.alice, world.dave
    applications.application_submit(
        actor=alice.user,
        item_code="SX-SI-006",
        applicant=alice,
        answers={"retirement_month": "2026-05", "bank_account": BANK_ACCOUNT},
    )
    registries.put(
        "civil_affairs",
        "deaths",
        dave.resident_id,
        {"name": "丁大卫", "date": "2026-11-10", "place": "延安", "certificate_no": "SW1"},
    )
    applications.application_submit(
        actor=world.mallory,  # a case worker where dave was insured (Baota)
        item_code="SX-SI-008",
        applicant=alice,
        answers={"deceased_resident_id": dave.resident_id, "relation": "parent"},
        channel="counter",
        consent=True,
    )
    registry = civil_affairs()
    raw, signature = registry.signed(
        {
            "event_id": "CA-0001",
            "source": "civil_affairs",
            "kind": "death_registered",
            "subject": dave.resident_id,
            "data": {"date": "2026-11-01", "certificate_no": "SW20261101000009"},
            "purpose": "benefit_eligibility",
            "timestamp": timezone.now().isoformat(),
            "nonce": "abcdefgh",
        }
    )
    gateway.event_receive(body=raw, signature=signature)
    party = bank()
    exchange.consent_grant(
        actor=alice.user,
        consumer_code="bank-xian",
        resource_code="hrss.proof_of_insurance",
        purpose=PURPOSE,
        days=30,
    )
    raw, signature = party.signed(party.body(subject=alice.resident_id))
    gateway.gateway_query(body=raw, signature=signature)
    exchange.proof_of_insurance_issue(actor=alice.user, person=alice, facts=insurance_facts(alice))
    contributions.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=world.bob.resident_id,
        start_period=202401,
        wage=Decimal("5000"),
    )
    reviews.visit_end(actor=world.carol, topic="咨询灵活就业参保", phone="13900000009")
    identity.person_reveal(actor=world.carol, person=alice)
    mallory = Client()
    mallory.force_login(world.mallory)
    mallory.get(f"/api/v1/persons/{alice.pk}")
    mallory.get("/api/v1/validate/resident-id", {"value": alice.resident_id})
    checkpoint_issue()


def secrets_of(world: Any) -> list[str]:
    return [
        world.alice.resident_id,
        world.bob.resident_id,
        world.dave.resident_id,
        *PHONES,
        BANK_ACCOUNT,
        world.alice.name,
        world.bob.name,
        world.dave.name,
    ]


def table_dump() -> Iterator[tuple[str, str, str]]:
    """(table, column, value as text) for every non-empty value of every table."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    yield table, column, str(value)


def file_dump(*folders: Path) -> Iterator[tuple[str, str]]:
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                yield str(path), path.read_bytes().decode("utf-8", "replace")


def test_no_identifier_is_stored_in_plaintext(world: Any, registries: RegistrySimulator) -> None:
    build(world, registries)
    assert Entry.objects.filter(action="access.refused").exists()
    found = []
    for secret in secrets_of(world):
        # JSON columns may keep non-ASCII text escaped (\\u674e...): look for both forms.
        forms = {secret, json.dumps(secret)[1:-1]}
        for table, column, value in table_dump():
            if any(form in value for form in forms):
                found.append(f"{table}.{column} holds {secret[:1]}…")
        for path, text in file_dump(
            Path(django_settings.MEDIA_ROOT), Path(django_settings.ONESTOP_CHECKPOINT_DIR)
        ):
            if any(form in text for form in forms):
                found.append(f"{path} holds {secret[:1]}…")
    print("\n".join(sorted(set(found))))
    assert sorted(set(found)) == []


@pytest.fixture
def key_one(settings: Any) -> None:
    settings.ONESTOP_DATA_KEYS = "1:" + "01" * 16


def test_rotation_covers_the_encrypted_answers_and_licences(
    key_one: None, world: Any, registries: RegistrySimulator, settings: Any
) -> None:
    """rotate-data-key re-encrypts answers, process state, e-licences and events under the
    new key; a value left in plaintext from before its column was encrypted is encrypted."""
    from io import StringIO

    from django.core.management import call_command

    from onestop.applications.models import Application
    from onestop.identity import crypto

    build(world, registries)
    case = Application.objects.get(item_code="SX-SI-008")
    with connection.cursor() as cursor:  # as an old row would be
        cursor.execute(
            "UPDATE applications_application SET answers = %s WHERE id = %s",
            [json.dumps({"deceased_resident_id": world.dave.resident_id}), case.pk],
        )
    settings.ONESTOP_DATA_KEYS = "1:" + "01" * 16 + ",2:" + "02" * 16
    out = StringIO()
    call_command("rotate_data_key", stdout=out)
    text = out.getvalue()
    for label in (
        "applications.application.answers",
        "applications.application.workflow_state",
        "exchange.elicence.content",
        "exchange.inboxevent.payload",
    ):
        assert f"{label}: 0 values" not in text and label in text
    settings.ONESTOP_DATA_KEYS = "2:" + "02" * 16  # the old key is gone
    assert Application.objects.get(pk=case.pk).answers == {
        "deceased_resident_id": world.dave.resident_id
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers, workflow_state FROM applications_application")
        stored = [v for row in cursor.fetchall() for v in row]
    assert stored and all(crypto.is_ciphertext(v) and v.startswith("v2:") for v in stored)


def test_the_demo_province_leaves_no_identifier_or_name_in_plaintext(
    settings: Any, tmp_path: Path
) -> None:
    """The demo command's world (personas, generated persons and employers, contributions,
    cases, payroll, reviews, e-licences and the registries' events): every resident ID,
    phone, bank account and name it holds is ciphertext in every column and file."""
    from io import StringIO

    from django.core.management import call_command

    from onestop.identity.models import Employer, Person
    from onestop.pensions.models import Pensioner

    settings.VAR_DIR = tmp_path
    call_command("demo", "--no-serve", "--persons", "20", stdout=StringIO())
    secrets: set[str] = set()
    for person in Person.objects.all():
        secrets |= {person.resident_id, person.phone, person.name}
    for employer in Employer.objects.all():
        secrets |= {employer.contact_phone, employer.legal_representative, employer.contact_name}
    secrets |= {p.bank_account for p in Pensioner.objects.all()}
    secrets = {s for s in secrets if s and len(s) >= 2}
    assert len(secrets) > 40
    dumped = [(f"{t}.{c}", v) for t, c, v in table_dump()]
    # registries.json is the other departments' state in the simulator, and
    # demo-bank-xian.json the demo bank's own credentials with the customer it asks about (what
    # the bank holds, for docs/exchange.md's walkthrough): neither is the platform's storage.
    dumped += [
        (path, text)
        for path, text in file_dump(tmp_path, Path(django_settings.ONESTOP_CHECKPOINT_DIR))
        if not path.endswith(("registries.json", "demo-bank-xian.json"))
    ]
    found = set()
    for secret in secrets:
        forms = {secret, json.dumps(secret)[1:-1]}
        for where, value in dumped:
            if any(form in value for form in forms):
                found.add(f"{where} holds {secret[:1]}…")
    print("\n".join(sorted(found)))
    assert sorted(found) == []
