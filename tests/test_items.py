"""Catalogue items filed end to end through their own processes: the person's proof of
insurance (SX-SI-004), decided at once by a service task."""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import translation

from onestop.applications import services as applications
from onestop.applications.models import Application, Status, Step
from onestop.audit.models import Entry
from onestop.catalogue.models import ServiceItem
from onestop.common.errors import ServiceError
from onestop.contributions import services as contributions
from onestop.contributions.models import Declaration, Employment, InsuranceRegistration
from onestop.contributions.selectors import statement_of
from onestop.contributions.services import DeclaredRow
from onestop.contributions.verify import ledger_verify
from onestop.exchange.models import Certificate, Message
from onestop.identity import demo
from onestop.identity import services as identity
from onestop.identity.auth import resident_id_index
from onestop.identity.models import Employer, EmployerRole, Person, User
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
    assert "no contribution record" in refusal.note_en
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
    assert reason in case.steps.get(action="reject").note_en
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


# --- SX-SI-001: employer registration ------------------------------------------------------

STARTUP_CODE = demo.credit_code(random.Random(7), "610113")
STARTUP = "西安新星软件有限公司"


def register(client: Client, role: str = "legal_representative") -> Any:
    return client.post(
        "/api/v1/applications",
        {
            "item_code": "SX-SI-001",
            "answers": {"credit_code": STARTUP_CODE, "filer_role": role, "address": "雁塔路1号"},
        },
        content_type="application/json",
    )


def test_an_employer_registered_by_its_legal_representative_manages_its_users(
    world: Any, registries: RegistrySimulator
) -> None:
    """alice registers her company: the registry names her as legal representative, carol
    approves, the employer exists in Yanta with pension insurance, alice is its legal
    representative and adds bob as an agent on the employer's users page, then removes him."""
    registries.put(
        "market_regulation",
        "enterprises",
        STARTUP_CODE,
        {"name": STARTUP, "status": "存续", "legal_representative": world.alice.name},
    )
    alice = browser(world.alice.user)
    answer = register(alice)
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "submitted"
    case = Application.objects.get()
    assert case.region == world.regions["610113"]
    assert case.facts["enterprise_ok"] is True and case.facts["representative_matched"] is True
    assert [r[:2] for r in case.ready] == [["review", "case_worker"]]
    applications.application_act(
        actor=world.carol, application=case, task="review", decision="approve"
    )
    employer = Employer.objects.get(credit_code=STARTUP_CODE)
    assert (employer.name, employer.region, employer.legal_representative) == (
        STARTUP,
        world.regions["610113"],
        world.alice.name,
    )
    assert list(employer.roles.values_list("person_id", "role")) == [
        (world.alice.pk, "legal_representative")
    ]
    assert list(
        InsuranceRegistration.objects.filter(employer=employer).values_list(
            "insurance", "since_period"
        )
    ) == [("pension", 202611)]
    page = f"/employer/{employer.pk}/users/"
    added = alice.post(page, {"resident_id": world.bob.resident_id, "role": "agent", "add": "1"})
    assert added.status_code == 302
    grant = EmployerRole.objects.get(employer=employer, person=world.bob, revoked_at=None)
    assert browser(world.bob.user).get(f"/employer/{employer.pk}/employees/").status_code == 200
    removed = alice.post(page, {"remove": str(grant.pk)})
    assert removed.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert browser(world.bob.user).get(f"/employer/{employer.pk}/employees/").status_code == 404
    journal = set(Entry.objects.values_list("action", flat=True))
    assert {
        "identity.employer.registered",
        "identity.employer_role.granted",
        "identity.employer_role.revoked",
        "applications.review.approve",
    } <= journal


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (
            {"name": STARTUP, "status": "注销", "legal_representative": "李爱丽"},
            "deregistered",
        ),
        (
            {"name": STARTUP, "status": "存续", "legal_representative": "王五"},
            "names another legal representative",
        ),
        (None, "has no company with this credit code"),
    ],
)
def test_a_registration_the_registry_does_not_bear_out_is_refused(
    world: Any, registries: RegistrySimulator, record: dict[str, str] | None, reason: str
) -> None:
    """Deregistered, another legal representative, or unknown: refused at once with the
    reason, no employer."""
    if record is not None:
        registries.put("market_regulation", "enterprises", STARTUP_CODE, record)
    answer = register(browser(world.alice.user))
    assert answer.status_code == 201 and answer.json()["status"] == "rejected"
    assert reason in Application.objects.get().steps.get(action="reject").note_en
    assert not Employer.objects.filter(credit_code=STARTUP_CODE).exists()


def test_an_agent_registers_and_becomes_the_administrator(
    world: Any, registries: RegistrySimulator
) -> None:
    """bob files as an agent for a company whose legal representative is someone else: the
    case worker reviews it; approval makes bob its administrator, who may add users; an
    employer on the platform already cannot be registered twice."""
    registries.put(
        "market_regulation",
        "enterprises",
        STARTUP_CODE,
        {"name": STARTUP, "status": "存续", "legal_representative": "王五"},
    )
    bob = browser(world.bob.user)
    case = Application.objects.get(number=register(bob, "agent").json()["number"])
    applications.application_act(
        actor=world.carol, application=case, task="review", decision="approve"
    )
    employer = Employer.objects.get(credit_code=STARTUP_CODE)
    assert employer.roles.get().role == "administrator"
    added = bob.post(
        f"/employer/{employer.pk}/users/",
        {"resident_id": world.alice.resident_id, "role": "agent", "add": "1"},
    )
    assert added.status_code == 302
    again = register(browser(world.alice.user), "agent")
    assert again.status_code == 400 and again.json()["code"] == "duplicate"


def test_only_the_legal_representative_or_administrator_manages_users(world: Any) -> None:
    """An agent sees the employer's users but cannot add or remove: 403, nothing changed."""
    identity.employer_role_grant(actor=None, employer=world.acme, person=world.alice, role="agent")
    alice = browser(world.alice.user)
    assert alice.get(f"/employer/{world.acme.pk}/users/").status_code == 200
    before = EmployerRole.objects.count()
    refused = alice.post(
        f"/employer/{world.acme.pk}/users/",
        {"resident_id": world.dave.resident_id, "role": "agent", "add": "1"},
    )
    assert refused.status_code == 403
    assert EmployerRole.objects.count() == before
    assert browser(world.mallory).get(f"/employer/{world.acme.pk}/users/").status_code == 404


# --- SX-SI-003: contribution correction ----------------------------------------------------

PDF = b"%PDF-1.7\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n"


def correct(client: Client, employer: Any, lines: str) -> Any:
    return client.post(
        "/api/v1/applications",
        {
            "item_code": "SX-SI-003",
            "answers": {
                "employer_credit_code": employer.credit_code,
                "corrections": lines,
                "reason": "9、10月工资漏报绩效 Bonus left out",
            },
        },
        content_type="application/json",
    )


def evidence(world: Any, case: Application) -> None:
    for name in ("工资发放记录", "更正情况说明"):
        applications.material_upload(
            actor=world.bob.user, application=case, name=name, file_name="a.pdf", data=PDF
        )


def bases(person: Person) -> dict[str, Decimal]:
    return {m.period: m.base for m in statement_of(person=person).months}


def test_a_correction_reviewed_and_approved_posts_the_supplementary_declarations(
    world: Any,
) -> None:
    """acme declared alice at 6000 for 2026-09 and 2026-10; bob files the corrected wages
    with the evidence, carol approves: the supplementary declarations are posted, the ledger
    holds the corrected bases and every invariant."""
    employ(world.acme, world.alice, [202609, 202610])
    lines = f"2026-09, {world.alice.resident_id}, 6800\n2026-10,{world.alice.resident_id},7000"
    answer = correct(browser(world.bob.user), world.acme, lines)
    assert answer.status_code == 201, answer.content
    case = Application.objects.get()
    assert [r[:2] for r in case.ready] == [["review", "case_worker"]]
    with pytest.raises(ServiceError) as missing:  # no evidence yet
        applications.application_act(
            actor=world.carol, application=case, task="review", decision="approve"
        )
    assert missing.value.code == "materials"
    evidence(world, case)
    applications.application_act(
        actor=world.carol, application=case, task="review", decision="approve"
    )
    supplementary = Declaration.objects.filter(kind="supplementary").order_by("period")
    assert list(supplementary.values_list("period", "idempotency_key")) == [
        (202609, f"{case.number}-202609"),
        (202610, f"{case.number}-202610"),
    ]
    assert bases(world.alice) == {"2026-09": Decimal("6800.00"), "2026-10": Decimal("7000.00")}
    assert ledger_verify() == []
    case.refresh_from_db()
    assert case.status == Status.APPROVED


def test_correction_lines_are_checked_when_filed_all_at_once(world: Any) -> None:
    """A current month, a bad ID and a bad amount: refused at filing, each line named."""
    employ(world.acme, world.alice, [202609])
    answer = correct(
        browser(world.bob.user),
        world.acme,
        f"2026-11, {world.alice.resident_id}, 6800\n2026-09, 123, 6800\n"
        f"2026-09, {world.alice.resident_id}, 6,8OO",
    )
    assert answer.status_code == 400 and answer.json()["code"] == "corrections"
    for line in ("line 1", "line 2", "line 3"):
        assert line in answer.json()["message_en"]
    assert not Application.objects.exists()


def test_a_correction_the_ledger_refuses_refuses_the_approval_whole(world: Any) -> None:
    """The lines are checked again at approval (records change after filing): a line that
    now names dave, not employed by acme in 2026-09, refuses the approval with the ledger's
    reason; nothing is posted for either month and the case stays in review; the case
    worker then rejects it."""
    employ(world.acme, world.alice, [202609, 202610])
    lines = f"2026-10, {world.alice.resident_id}, 7000\n2026-09, {world.alice.resident_id}, 5000"
    assert correct(browser(world.bob.user), world.acme, lines).status_code == 201
    case = Application.objects.get()
    case.answers = {
        **case.answers,
        "corrections": lines.replace(
            f"2026-09, {world.alice.resident_id}", f"2026-09, {world.dave.resident_id}"
        ),
    }
    case.save(update_fields=["answers"])
    evidence(world, case)
    with pytest.raises(ServiceError) as refused:
        applications.application_act(
            actor=world.carol, application=case, task="review", decision="approve"
        )
    assert refused.value.code == "declaration" and "2026-09" in refused.value.en
    assert not Declaration.objects.filter(kind="supplementary").exists()
    assert bases(world.alice)["2026-10"] == Decimal("6000.00")
    case = applications.application_act(
        actor=world.carol, application=case, task="review", decision="reject", note="证据不足"
    )
    assert case.status == Status.REJECTED
    assert not Declaration.objects.filter(kind="supplementary").exists()


def test_a_correction_the_ledger_would_refuse_is_refused_when_filed(world: Any) -> None:
    """What the approval would refuse is refused at filing, so no case is stranded: a month
    without employment at acme (1900-01, dave) and a wage beyond any declaration, each line
    named in both languages; nothing is filed."""
    employ(world.acme, world.alice, [202609])
    answer = correct(
        browser(world.bob.user),
        world.acme,
        f"1900-01, {world.alice.resident_id}, 5000\n"
        f"2026-09, {world.dave.resident_id}, 5000\n"
        f"2026-09, {world.alice.resident_id}, 10000001",
    )
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert body["code"] == "corrections"
    for said in ("1900-01: The month is before", "line 2 (2026-09)", "line 3 (2026-09)"):
        assert said in body["message_en"]
    assert "第 2 行（2026-09）" in body["message_zh"]
    assert not any("a" <= c <= "z" for c in body["message_zh"])
    assert not Application.objects.exists()


# --- an eleventh item, added in the admin without code -------------------------------------

ELEVENTH_PROCESS = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="Definitions_details_change" targetNamespace="https://onestop.example/bpmn">
  <bpmn:collaboration id="Collaboration_details_change">
    <bpmn:participant id="Participant_details_change" processRef="details_change" />
  </bpmn:collaboration>
  <bpmn:process id="details_change" name="Change of personal details" isExecutable="true">
    <bpmn:laneSet id="LaneSet_details_change">
      <bpmn:lane id="Lane_case_worker" name="case_worker">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>decision_gateway</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>approved</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>rejected</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="review" name="Check and decide" />
    <bpmn:exclusiveGateway id="decision_gateway" />
    <bpmn:endEvent id="approved" />
    <bpmn:endEvent id="rejected" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="decision_gateway" />
    <bpmn:sequenceFlow id="f3" sourceRef="decision_gateway" targetRef="approved">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
        >decision == "approve"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="decision_gateway" targetRef="rejected">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
        >decision == "reject"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>
"""

ELEVENTH_FORM = {
    "type": "object",
    "required": ["new_address"],
    "properties": {
        "new_address": {
            "type": "string",
            "maxLength": 200,
            "title": "新通讯地址",
            "x-title-en": "New address",
        },
        "moved_on": {
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "title": "迁入日期",
            "x-title-en": "Moved on (YYYY-MM-DD)",
        },
    },
}


def add_the_eleventh_item(world: Any) -> None:
    """adam loads its process and adds the item in the admin: no code."""
    admin = Client()
    admin.force_login(world.adam)
    loaded = admin.post(
        "/admin/workflow/processversion/add/",
        {
            "name": "details_change.bpmn",
            "note": "new item SX-SI-011",
            "upload": SimpleUploadedFile("details_change.bpmn", ELEVENTH_PROCESS, "text/xml"),
        },
    )
    assert loaded.status_code == 302, loaded.content.decode()[:2000]
    added = admin.post(
        "/admin/catalogue/serviceitem/add/",
        {
            "code": "SX-SI-011",
            "name": "参保人员通讯地址变更",
            "name_en": "Change of an insured person's address",
            "kind": "public_service",
            "agency_kind": "si_agency",
            "level": "county",
            "legal_basis": "《社会保险法》第七十四条。 SIL art. 74.",
            "conditions": "参保人员本人。",
            "conditions_en": "The insured person.",
            "materials": json.dumps(
                [
                    {
                        "name": "居住证明",
                        "name_en": "Proof of residence",
                        "required": False,
                        "copies": 1,
                        "replaceable_by": "",
                    }
                ]
            ),
            "legal_limit_days": "5",
            "promised_limit_days": "2",
            "visits_required": "0",
            "channels": json.dumps(["online", "counter"]),
            "fee": "不收费",
            "fee_en": "Free of charge",
            "form_schema": json.dumps(ELEVENTH_FORM, ensure_ascii=False),
            "process": "details_change.bpmn",
            "step_limits": "{}",
            "clock_excluded_steps": "[]",
            "published": "on",
            "note": "eleventh item",
        },
    )
    assert added.status_code == 302, (added.context_data or {})["adminform"].form.errors


def test_an_eleventh_item_added_in_the_admin_is_filed_on_every_channel(world: Any) -> None:
    """SX-SI-011 added in the admin shows in the catalogue, the guide and the API, is filed
    online page by page, through the API and at the counter, and decided by a case worker,
    with no code change."""
    add_the_eleventh_item(world)
    assert "SX-SI-011" in [i["code"] for i in Client().get("/api/v1/catalogue/items").json()]
    guide = Client().get("/services/SX-SI-011/").content.decode()
    assert "居住证明" in guide and "/services/SX-SI-011/apply/" in guide
    alice = browser(world.alice.user)
    form = alice.get("/services/SX-SI-011/apply/").content.decode()
    assert "新通讯地址" in form
    assert (
        alice.post(
            "/services/SX-SI-011/apply/", {"page": "0", "new_address": "雁塔路2号"}
        ).status_code
        == 302
    )
    filed = alice.post("/services/SX-SI-011/apply/", {"action": "submit"})
    assert filed.status_code == 302
    online = Application.objects.get(channel="online")
    assert online.answers == {"new_address": "雁塔路2号"}
    api = alice.post(
        "/api/v1/applications",
        {"item_code": "SX-SI-011", "answers": {"new_address": "x", "moved_on": "11/2026"}},
        content_type="application/json",
    )
    assert api.status_code == 400 and api.json()["code"] == "form"
    api = alice.post(
        "/api/v1/applications",
        {"item_code": "SX-SI-011", "answers": {"new_address": "小寨路3号"}},
        content_type="application/json",
    )
    assert api.status_code == 201, api.content
    carol = browser(world.carol)
    counter = carol.post(
        "/counter/SX-SI-011/apply/",
        {"resident_id": world.alice.resident_id, "new_address": "长安路4号", "consent": "on"},
    )
    assert counter.status_code == 302, counter.content.decode()[:2000]
    at_counter = Application.objects.get(channel="counter")
    assert at_counter.process_version == 1 and at_counter.ready[0][:2] == ["review", "case_worker"]
    decided = applications.application_act(
        actor=world.carol, application=online, task="review", decision="approve"
    )
    assert decided.status == Status.APPROVED


def test_the_admin_refuses_an_item_whose_materials_or_form_cannot_be_used(world: Any) -> None:
    """A material without a name, or a form that is not a JSON Schema of an object: the
    admin page says so (200 with the errors), nothing is published, the API keeps working."""
    admin = Client()
    admin.force_login(world.adam)
    before = ServiceItem.objects.count()
    refused = admin.post(
        "/admin/catalogue/serviceitem/add/",
        {
            "code": "SX-SI-012",
            "name": "坏事项",
            "name_en": "A broken item",
            "kind": "public_service",
            "agency_kind": "si_agency",
            "level": "county",
            "legal_basis": "-",
            "conditions": "-",
            "materials": json.dumps([{"name_en": "no name"}]),
            "legal_limit_days": "5",
            "promised_limit_days": "2",
            "visits_required": "0",
            "channels": json.dumps(["online"]),
            "fee": "-",
            "form_schema": json.dumps({"type": "array"}),
            "process": "",
            "step_limits": "{}",
            "clock_excluded_steps": "[]",
            "published": "on",
        },
    )
    assert refused.status_code == 200 and refused.context_data is not None
    errors = refused.context_data["adminform"].form.errors
    assert set(errors) == {"materials", "form_schema"}
    assert ServiceItem.objects.count() == before
    assert Client().get("/api/v1/catalogue/items").status_code == 200


SECOND_ID = demo.resident_id(random.Random(21), "610113", dt.date(2001, 8, 3), male=False)


def enrolment_csv(*rows: tuple[str, str]) -> SimpleUploadedFile:
    lines = ["姓名,公民身份号码,参保起始月份,月工资"] + [f"{n},{i},2026-11,5000" for n, i in rows]
    return SimpleUploadedFile("enrol.csv", "\n".join(lines).encode(), content_type="text/csv")


def test_employees_are_enrolled_from_a_file_all_or_none(
    world: Any, registries: RegistrySimulator
) -> None:
    """bob uploads two first-job hires for acme: both are checked and enrolled, one case
    each. A file with a row the register does not confirm enrols nobody, naming the row."""
    registries.put("public_security", "household", SECOND_ID, {"name": "王小二"})
    bob = browser(world.bob.user)
    refused = bob.post(
        f"/employer/{world.acme.pk}/enrol/",
        {"file": enrolment_csv((NEWCOMER_NAME, NEWCOMER_ID), ("王小三", SECOND_ID))},
    )
    assert refused.status_code == 200
    assert "line 3" in refused.content.decode() or "第 3 行" in refused.content.decode()
    assert not Application.objects.exists() and not Employment.objects.exists()
    assert not Person.objects.filter(resident_id_index=resident_id_index(NEWCOMER_ID)).exists()
    enrolled = bob.post(
        f"/employer/{world.acme.pk}/enrol/",
        {"file": enrolment_csv((NEWCOMER_NAME, NEWCOMER_ID), ("王小二", SECOND_ID))},
    )
    assert enrolled.status_code == 302
    assert sorted(Application.objects.values_list("item_code", "status")) == [
        ("SX-SI-002", "approved"),
        ("SX-SI-002", "approved"),
    ]
    assert Employment.objects.filter(employer=world.acme, start_period=202611).count() == 2


def test_the_api_enrols_from_a_file_all_or_none_with_row_reasons(
    world: Any, registries: RegistrySimulator
) -> None:
    """``POST /api/v1/employers/{id}/enrolments/file``: a file with a row the register does
    not confirm is refused whole (422) with that row's reason in Chinese and English and
    nothing enrolled; the corrected file enrols both (201), names masked; alice (not acting
    for acme) gets 404 and a file above 1 MB is refused before it is read."""
    registries.put("public_security", "household", SECOND_ID, {"name": "王小二"})
    url = f"/api/v1/employers/{world.acme.pk}/enrolments/file"
    bob = browser(world.bob.user)
    refused = bob.post(
        url, {"file": enrolment_csv((NEWCOMER_NAME, NEWCOMER_ID), ("王小三", SECOND_ID))}
    )
    assert refused.status_code == 422, refused.content
    body = refused.json()
    assert (body["code"], body["accepted"]) == ("rows", False)
    assert body["errors"] == [
        {
            "line": 3,
            "field": "identity",
            "message_zh": "姓名与公民身份号码在户籍登记中不一致（或无此户籍）。",
            "message_en": "The name and resident ID do not match the household register (or "
            "it has no such record).",
        }
    ]
    assert not Application.objects.exists() and not Employment.objects.exists()
    bad_month = bob.post(
        url,
        {
            "file": SimpleUploadedFile(
                "enrol.csv",
                f"name,resident_id,start_month,wage\n{NEWCOMER_NAME},{NEWCOMER_ID},2026-13,5000\n".encode(),
            )
        },
    )
    assert bad_month.status_code == 422
    (row,) = bad_month.json()["errors"]
    assert (row["line"], row["field"]) == (2, "start_month")
    assert "2026-11" in row["message_zh"] and "real month" in row["message_en"]
    too_big = bob.post(url, {"file": SimpleUploadedFile("enrol.csv", b"x" * (1024 * 1024 + 1))})
    assert too_big.status_code == 400 and too_big.json()["code"] == "file_size"
    denied = browser(world.alice.user).post(
        url, {"file": enrolment_csv((NEWCOMER_NAME, NEWCOMER_ID))}
    )
    assert denied.status_code == 404
    assert not Application.objects.exists() and not Employment.objects.exists()
    enrolled = bob.post(
        url, {"file": enrolment_csv((NEWCOMER_NAME, NEWCOMER_ID), ("王小二", SECOND_ID))}
    )
    assert enrolled.status_code == 201, enrolled.content
    body = enrolled.json()
    assert body["count"] == 2
    assert [(c["status"], c["start_month"]) for c in body["cases"]] == [
        ("approved", "2026-11"),
        ("approved", "2026-11"),
    ]
    assert NEWCOMER_ID not in enrolled.content.decode()
    assert NEWCOMER_NAME not in enrolled.content.decode()
    assert Employment.objects.filter(employer=world.acme, start_period=202611).count() == 2


def test_a_second_employer_cannot_declare_the_pension_of_a_concurrent_employee(
    world: Any, registries: RegistrySimulator
) -> None:
    """alice works for acme (October declared); bob's Baoji employer enrols her as a
    confirmed concurrent employment: its October declaration listing her is refused with the
    rule, and one leaving her out is accepted."""
    employ(world.acme, world.alice, [202610])
    baoji = identity.employer_register(
        actor=None,
        name="宝鸡秦川机械有限公司",
        credit_code=demo.credit_code(random.Random(5), "610302"),
        region=world.regions["610302"],
        legal_representative="白博文",
    )
    identity.employer_role_grant(actor=None, employer=baoji, person=world.bob, role="agent")
    contributions.insurance_register(
        actor=None, employer=baoji, insurances=["pension"], since_period=202610
    )
    client = browser(world.bob.user)
    enrolled = enrol(client, baoji, start_month="2026-10", concurrent_confirmed=True)
    assert enrolled.status_code == 201
    confirmed = enrol(
        client,
        baoji,
        employee_name=world.alice.name,
        employee_resident_id=world.alice.resident_id,
        start_month="2026-10",
        concurrent_confirmed=True,
    )
    assert confirmed.status_code == 201 and confirmed.json()["status"] == "approved"
    rows = [
        {"resident_id": NEWCOMER_ID, "wage": "5200"},
        {"resident_id": world.alice.resident_id, "wage": "6000"},
    ]
    refused = client.post(
        f"/api/v1/employers/{baoji.pk}/declarations",
        {"period": "2026-10", "rows": rows},
        content_type="application/json",
    )
    assert refused.status_code == 422
    (row,) = refused.json()["errors"]
    assert row["line"] == 2 and "只能由一个单位缴纳" in row["message_zh"]
    assert not Declaration.objects.filter(employer=baoji).exists()
    accepted = client.post(
        f"/api/v1/employers/{baoji.pk}/declarations",
        {"period": "2026-10", "rows": rows[:1]},
        content_type="application/json",
    )
    assert accepted.status_code == 201, accepted.content
    assert ledger_verify() == []


def test_a_database_seeded_before_gets_the_processes_as_new_versions(world: Any) -> None:
    """The migrations' step: an item whose latest version has no process gets version n+1
    with its process, form and materials; one that has it is left alone."""
    from onestop.catalogue.seed import publish_processes
    from onestop.catalogue.services import item_publish

    n = ServiceItem.objects.filter(code="SX-SI-004").count()  # the migrations' versions
    before = ServiceItem.objects.filter(code="SX-SI-006").count()
    item_publish(actor=None, code="SX-SI-004", values={"process": "", "form_schema": {}})
    publish_processes(ServiceItem, ["SX-SI-004", "SX-SI-006"], "test")
    latest = ServiceItem.objects.filter(code="SX-SI-004").order_by("-version").first()
    assert latest is not None
    assert (latest.version, latest.process, latest.note) == (
        n + 2,
        "proof_of_insurance.bpmn",
        "test",
    )
    assert "purpose" in latest.form_schema["properties"]
    assert ServiceItem.objects.filter(code="SX-SI-006").count() == before


def test_one_open_registration_per_company_whoever_files_it(
    world: Any, registries: RegistrySimulator
) -> None:
    """A stranger files as agent for alice's company; alice's own filing is refused while
    that case is open (without the stranger's case number), and so is the stranger's second;
    once the first is refused by the case worker, alice files."""
    registries.put(
        "market_regulation",
        "enterprises",
        STARTUP_CODE,
        {"name": STARTUP, "status": "存续", "legal_representative": world.alice.name},
    )
    first = register(browser(world.bob.user), "agent")
    assert first.status_code == 201 and first.json()["status"] == "submitted"
    number = first.json()["number"]
    again = register(browser(world.bob.user), "agent")
    assert again.status_code == 409 and again.json()["code"] == "open_case"
    assert number in again.json()["message_zh"] and number in again.json()["message_en"]
    hers = register(browser(world.alice.user))
    assert hers.status_code == 409 and hers.json()["code"] == "open_case"
    assert number not in hers.content.decode()
    assert Application.objects.count() == 1
    applications.application_act(
        actor=world.carol,
        application=Application.objects.get(number=number),
        task="review",
        decision="reject",
        note="未见授权委托书",
    )
    assert register(browser(world.alice.user)).status_code == 201


@pytest.mark.parametrize(
    ("start", "status", "said"),
    [
        ("2199-12", 400, "too far ahead"),
        ("1900-01", 400, "before the employee turns 16"),
        # More than two months back online: a back payment for the counter; nothing kept.
        ("2024-01", 400, "back payment"),
        ("2026-09", 201, ""),
    ],
)
def test_an_employer_dates_a_hire_only_within_the_lawful_window(
    world: Any, registries: RegistrySimulator, start: str, status: int, said: str
) -> None:
    """Online and by API the first insured month is from two months back (SIL art. 58) to
    next month, never before 16 (Labour Law art. 15); the add-employee API says the same."""
    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202001
    )
    client = browser(world.bob.user)
    answer = enrol(client, world.acme, start_month=start)
    assert answer.status_code == status, answer.content
    if said:
        assert said in answer.json()["message_en"] and answer.json()["message_zh"]
        assert answer.json()["code"] == "start_month"
        assert not Employment.objects.exists()
        assert not Person.objects.filter(resident_id_index=resident_id_index(NEWCOMER_ID))
        added = client.post(
            f"/api/v1/employers/{world.acme.pk}/employments",
            {"resident_id": world.alice.resident_id, "start": start, "wage": "5000"},
            content_type="application/json",
        )
        assert added.status_code == 400 and added.json()["code"] == "start_month"
    else:
        assert Employment.objects.get().start_period == 202609


def test_a_registration_refuses_a_formula_as_contact_phone(
    world: Any, registries: RegistrySimulator
) -> None:
    """A contact phone is digits and the signs numbers are written with, never ``=1+1``."""
    answer = browser(world.alice.user).post(
        "/api/v1/applications",
        {
            "item_code": "SX-SI-001",
            "answers": {
                "credit_code": STARTUP_CODE,
                "filer_role": "legal_representative",
                "contact_phone": "=1+1",
            },
        },
        content_type="application/json",
    )
    assert answer.status_code == 400, answer.content
    assert "phone number" in answer.json()["message_en"]
    assert not Application.objects.exists()


def test_the_review_step_of_a_correction_reads_in_the_page_language(world: Any) -> None:
    """carol's queue names the open step of bob's correction in Chinese on a Chinese page and
    in English on an English one, never the process file's English on a Chinese page."""
    employ(world.acme, world.alice, [202609])
    lines = f"2026-09, {world.alice.resident_id}, 6800"
    assert correct(browser(world.bob.user), world.acme, lines).status_code == 201
    carol = browser(world.carol)
    chinese = carol.get("/staff/queue/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = carol.get("/staff/queue/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "审核证明材料并决定" in chinese and "Review the evidence" not in chinese
    assert "Review the evidence and decide" in english and "审核证明材料" not in english


def test_the_apply_pages_and_labels_read_as_written_in_each_language(world: Any) -> None:
    """One working day is singular in English; the correction lines' label has its quotation
    marks closed in Chinese and none left over in English; content kinds are capitalized."""
    alice, bob = browser(world.alice.user), browser(world.bob.user)
    english = alice.get("/services/SX-SI-001/apply/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = alice.get("/services/SX-SI-001/apply/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "done within 1 working day." in english and "1 working days" not in english
    assert "承诺1个工作日内办结" in chinese.content.decode()
    english = bob.get("/services/SX-SI-003/apply/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = bob.get("/services/SX-SI-003/apply/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "Corrections: one line each" in english and "”" not in english
    assert "每行“年月, 公民身份号码, 更正后工资”" in chinese.content.decode()
    english = alice.get("/content/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Frequently asked question</a>" in english and ">News</a>" in english
    from onestop.reviews.forms import RatingForm

    with translation.override("en"):
        assert str(RatingForm().fields["score_efficiency"].label) == "Efficiency"


def test_a_proof_case_page_labels_its_facts_and_names_its_decision_in_each_language(
    world: Any,
) -> None:
    """alice's proof of insurance case lists what the platform read by label, never by key,
    and its timeline names the decision the platform took when filed, not a benefit award."""
    employ(world.acme, world.alice, [202609, 202610])
    client = browser(world.alice.user)
    answer = client.post(
        "/api/v1/applications",
        {"item_code": "SX-SI-004", "answers": {"purpose": "租房"}},
        content_type="application/json",
    )
    number = answer.json()["number"]
    chinese = client.get(f"/applications/{number}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = client.get(f"/applications/{number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    gathered = chinese.content.decode().split('id="gathered"')[1].split("</dl>")[0]
    for key in ("<dt>insured", "<dt>last_month", "<dt>employer"):
        assert key not in gathered and key not in english
    assert "<dt>在本省参保</dt><dd>是</dd>" in gathered and "<dt>最后缴费月份</dt>" in gathered
    assert "<dt>Insured in this province</dt><dd>yes</dd>" in english
    timeline = chinese.content.decode().split('id="timeline"')[1]
    assert "核定待遇" not in timeline and "(提交时由平台自动办结)" in timeline
    assert "Decide the benefits" not in english and "decided by the platform when filed" in english
