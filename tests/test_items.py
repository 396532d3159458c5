"""Catalogue items filed end to end through their own processes: the person's proof of
insurance (SX-SI-004), decided at once by a service task."""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.middleware.csrf import _get_new_csrf_string  # type: ignore[attr-defined]
from django.test import Client

from onestop.applications import services as applications
from onestop.applications.models import Application, Status, Step
from onestop.audit.models import Entry
from onestop.contributions import services as contributions
from onestop.contributions.models import Employment
from onestop.contributions.services import DeclaredRow
from onestop.exchange.models import Certificate, Message
from onestop.identity import demo
from onestop.identity import services as identity
from onestop.identity.auth import resident_id_index
from onestop.identity.models import Person, User
from onestop.reviews.models import DIMENSIONS
from onestop.simulators.registries import RegistrySimulator

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


def employ(employer: Any, person: Person, months: list[int], wage: str = "6000") -> None:
    """``person`` employed by ``employer`` and declared for ``months``."""
    contributions.insurance_register(
        actor=None, employer=employer, insurances=["pension"], since_period=months[0]
    )
    contributions.employment_start(
        actor=None,
        employer=employer,
        resident_id=person.resident_id,
        start_period=months[0],
        wage=Decimal(wage),
    )
    for period in months:
        result = contributions.declaration_submit(
            actor=None,
            employer=employer,
            period=period,
            rows=[DeclaredRow(2, person.resident_id, wage)],
            today=TODAY,
        )
        assert result.accepted, result.reply


def browser(user: User) -> Client:
    """A signed-in browser: CSRF enforced, the token sent as the page's script sends it."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


# --- SX-SI-004: proof of insurance, decided at once ---------------------------------------


def test_proof_of_insurance_is_decided_at_once_and_delivered(world: Any) -> None:
    """alice, with three months on record, files SX-SI-004 through the API: the case is
    approved by the service task with no human step, journaled, the signed proof of
    insurance comes at once, and she can rate the case."""
    employ(world.acme, world.alice, [202609, 202610, 202611])
    client = browser(world.alice.user)
    answer = client.post(
        "/api/v1/applications",
        {"item_code": "SX-SI-004", "answers": {"purpose": "租房"}},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "approved"
    case = Application.objects.get(number=answer.json()["number"])
    assert case.ready == [] and case.completed_at is not None
    assert not case.open_steps.exists()
    assert case.facts["insured"] is True and case.facts["contribution_months"] == 3
    assert list(case.steps.values_list("action", "task", "actor_label")) == [
        ("submitted", "", world.alice.user.get_username()),
        ("approve", "decide", "system"),
    ]
    actions = set(Entry.objects.filter(target_id=str(case.pk)).values_list("action", flat=True))
    assert {"applications.submitted", "applications.decide.approve"} <= actions
    pdf = client.get(f"/applications/{case.number}/result.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    proof = Certificate.objects.get(kind="proof_of_insurance")
    assert proof.person == world.alice
    assert proof.payload["facts"]["contribution_months"] == 3
    assert proof.payload["facts"]["case"] == case.number
    rated = client.post(
        f"/api/v1/applications/{case.number}/review",
        {"level": 5, "scores": dict.fromkeys(DIMENSIONS, 5), "comment": "立等可取"},
        content_type="application/json",
    )
    assert rated.status_code == 201, rated.content


def test_proof_of_insurance_without_a_record_is_refused_with_the_reason(world: Any) -> None:
    """bob has no contribution month: the case is refused at once with the reason, and no
    proof is issued (the decision notice states the reason)."""
    filed = applications.application_submit(
        actor=world.bob.user, item_code="SX-SI-004", applicant=world.bob, answers={}
    )
    case = filed.application
    assert case.status == Status.REJECTED
    refusal = Step.objects.get(application=case, action="reject")
    assert "no contribution record" in refusal.note
    applications.decision_notice_pdf(actor=world.bob.user, case=case, absolute=str)
    assert list(Certificate.objects.values_list("kind", flat=True)) == ["decision_notice"]


def test_proof_of_insurance_at_the_counter(world: Any) -> None:
    """carol files it at the Yanta counter for alice, with her consent: decided at once."""
    employ(world.acme, world.alice, [202611])
    case = applications.application_submit(
        actor=world.carol,
        item_code="SX-SI-004",
        applicant=world.alice,
        answers={},
        channel="counter",
        consent=True,
    ).application
    assert case.status == Status.APPROVED and case.channel == "counter"


# --- SX-SI-002: employee enrolment, never insured before -----------------------------------

NEWCOMER_NAME = "张新来"
NEWCOMER_ID = demo.resident_id(random.Random(20), "610113", dt.date(2002, 4, 9), male=True)


class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def registries(settings: Any) -> Iterator[RegistrySimulator]:
    """The departments' registries behind the gateway, the newcomer in the household
    register."""
    app = RegistrySimulator()
    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ONESTOP_REGISTRY_URL = f"http://127.0.0.1:{server.server_port}"
    app.put("public_security", "household", NEWCOMER_ID, {"name": NEWCOMER_NAME})
    yield app
    server.shutdown()


def enrol(client: Client, employer: Any, **answers: Any) -> Any:
    return client.post(
        "/api/v1/applications",
        {
            "item_code": "SX-SI-002",
            "answers": {
                "employer_credit_code": employer.credit_code,
                "employee_name": NEWCOMER_NAME,
                "employee_resident_id": NEWCOMER_ID,
                "start_month": "2026-11",
                "wage": "5200",
                "post_category": "general",
                **answers,
            },
        },
        content_type="application/json",
    )


def test_a_never_insured_person_is_enrolled_and_declared_the_same_month(
    world: Any, registries: RegistrySimulator
) -> None:
    """bob enrols a first-job hire for acme: the household register confirms name and ID,
    the person and the employment are created at once (journaled, the register query logged
    under the new person), and acme declares them for 2026-11 the same month."""
    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202601
    )
    client = browser(world.bob.user)
    answer = enrol(client, world.acme)
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "approved"
    case = Application.objects.get(number=answer.json()["number"])
    assert case.region == world.acme.region
    assert case.facts["identity_matched"] is True and case.facts["newly_insured"] is True
    person = Person.objects.get(resident_id_index=resident_id_index(NEWCOMER_ID))
    assert person.name == NEWCOMER_NAME and person.region == world.acme.region
    employment = Employment.objects.get(person=person)
    assert (employment.employer, employment.start_period, employment.wage) == (
        world.acme,
        202611,
        Decimal("5200.00"),
    )
    journal = list(Entry.objects.values_list("action", flat=True))
    assert "identity.person.registered" in journal
    assert "contributions.employment.started" in journal
    assert Message.objects.filter(resource="public_security.household", outcome="found").exists()
    result = contributions.declaration_submit(
        actor=world.bob.user,
        employer=world.acme,
        period=202611,
        rows=[DeclaredRow(2, NEWCOMER_ID, "5200")],
        today=TODAY,
    )
    assert result.accepted, result.reply


@pytest.mark.parametrize(
    ("name", "dead", "reason"),
    [
        ("张信来", False, "do not match the household register"),
        (NEWCOMER_NAME, True, "records this person's death"),
    ],
)
def test_an_enrolment_the_register_does_not_confirm_is_refused(
    world: Any, registries: RegistrySimulator, name: str, dead: bool, reason: str
) -> None:
    """A name that differs from the household register, or a registered death: the case is
    refused at once with the reason; no person, no employment."""
    if dead:
        registries.put("public_security", "deaths", NEWCOMER_ID, {"date": "2026-10-01"})
    answer = enrol(browser(world.bob.user), world.acme, employee_name=name)
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "rejected"
    case = Application.objects.get()
    assert reason in case.steps.get(action="reject").note
    assert not Person.objects.filter(resident_id_index=resident_id_index(NEWCOMER_ID)).exists()
    assert not Employment.objects.exists()


def test_enrolling_someone_employed_elsewhere_asks_first_and_records_the_answer(
    world: Any, registries: RegistrySimulator
) -> None:
    """alice works for acme; bob's Baoji employer enrols her: refused with the rule until he
    confirms a concurrent employment, which is journaled with the other employer."""
    employ(world.acme, world.alice, [202611])
    baoji = identity.employer_register(
        actor=None,
        name="宝鸡秦川机械有限公司",
        credit_code=demo.credit_code(random.Random(5), "610302"),
        region=world.regions["610302"],
        legal_representative="白博文",
    )
    identity.employer_role_grant(actor=None, employer=baoji, person=world.bob, role="agent")
    client = browser(world.bob.user)
    asked = enrol(
        client,
        baoji,
        employee_name=world.alice.name,
        employee_resident_id=world.alice.resident_id,
    )
    assert asked.status_code == 400
    assert asked.json()["code"] == "concurrent"
    assert "one employer only" in asked.json()["message_en"]
    assert "只能由一个单位缴纳" in asked.json()["message_zh"]
    assert not Application.objects.exists()
    confirmed = enrol(
        client,
        baoji,
        employee_name=world.alice.name,
        employee_resident_id=world.alice.resident_id,
        concurrent_confirmed=True,
    )
    assert confirmed.status_code == 201 and confirmed.json()["status"] == "approved"
    entry = Entry.objects.get(
        action="contributions.employment.started",
        target_id=str(Employment.objects.get(employer=baoji).pk),
    )
    assert entry.changes["concurrent_with"] == [world.acme.pk]


def test_only_the_employers_own_users_enrol(world: Any, registries: RegistrySimulator) -> None:
    """alice does not act for acme: refused, nothing filed."""
    answer = enrol(browser(world.alice.user), world.acme)
    assert answer.status_code == 400 and answer.json()["code"] == "employer"
    assert not Application.objects.exists() and not Employment.objects.exists()
