"""Cases through their processes: roles, regions, the clock, and refusals that change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from onestop.applications import selectors, services
from onestop.applications.models import Application, Channel, Status, Step
from onestop.audit.models import Entry
from onestop.catalogue.models import ServiceItem
from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.common.workdays import add_working_days
from onestop.identity import services as identity
from onestop.identity.models import StaffRole
from onestop.pensions.testing import worked_elsewhere

pytestmark = pytest.mark.django_db

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}


def file(world: Any, **kwargs: Any) -> services.Filed:
    return services.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers=ANSWERS,
        **kwargs,
    )


def act(
    world: Any,
    who: str,
    case: Application,
    task: str,
    decision: str = "done",
    note: str = "",
    **established: str,
) -> Application:
    return services.application_act(
        actor=world.user(who),
        application=case,
        task=task,
        decision=decision,
        note=note,
        established=established,
    )


def test_retirement_case_with_a_supplement(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    worked_elsewhere(world.alice)  # 180 months: the retirement can be approved
    filed = file(world)
    case = filed.application
    assert case.number.startswith("SX") and len(filed.code) == 8
    # Filed under the item's latest version (the migrations may have published several).
    latest = ServiceItem.objects.filter(code=case.item_code).order_by("-version").first()
    assert latest is not None
    assert (case.status, case.item_version, case.channel) == (
        Status.SUBMITTED,
        latest.version,
        "online",
    )
    assert case.deadline == add_working_days(timezone.localdate(), 10).date
    assert [r[:2] for r in case.ready] == [["accept", "case_worker"]]
    assert [c.number for c in selectors.queue_for(actor=world.carol)] == [case.number]
    assert selectors.queue_for(actor=world.rita) == []  # not the reviewer's step yet
    assert selectors.queue_for(actor=world.mallory) == []

    case = act(world, "carol", case, "accept", "supplement", "缺少人事档案 personnel file")
    assert (case.status, case.paused_since) == (Status.SUPPLEMENT, timezone.localdate())
    # Three working days later the applicant supplies it; the deadline moves three days.
    later = add_working_days(timezone.localdate(), 3).date
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: later)
    before = case.deadline
    case = act(world, "alice", case, "supplement")
    assert case.deadline == add_working_days(before, 3).date
    assert (case.status, case.paused_since) == (Status.SUBMITTED, None)
    case = act(world, "carol", case, "accept", "accept")
    assert case.status == Status.IN_REVIEW
    assert [c.number for c in selectors.queue_for(actor=world.rita)] == [case.number]
    # alice's post is not on record: the reviewer establishes it.
    case = act(world, "rita", case, "review", "approve", post_category="worker")
    assert (case.status, case.ready) == (Status.APPROVED, [])
    assert [s.action for s in Step.objects.filter(application=case)] == [
        "submitted",
        "supplement",
        "completed",
        "accept",
        "approve",
    ]
    assert selectors.status_public(number=case.number, code=filed.code).status == "approved"


@pytest.mark.parametrize(
    ("who", "task", "decision"),
    [
        ("mallory", "accept", "accept"),  # another county
        ("rita", "accept", "accept"),  # the reviewer does not accept
        ("alice", "accept", "accept"),  # the applicant does not accept her own case
        ("sam", "accept", "accept"),  # supervisors watch, they do not handle
        ("bob", "accept", "accept"),
        ("cheng", "accept", "accept"),  # civil affairs' case worker is not HRSS's
    ],
)
def test_only_the_lanes_role_in_scope_acts(world: Any, who: str, task: str, decision: str) -> None:
    case = file(world).application
    before = (Entry.objects.count(), Step.objects.count(), case.workflow_state)
    with pytest.raises(NotPermitted):
        act(world, who, case, task, decision)
    case.refresh_from_db()
    assert (Entry.objects.count(), Step.objects.count(), case.workflow_state) == before
    assert case.status == Status.SUBMITTED


def test_refusals_need_reasons_and_valid_decisions(world: Any) -> None:
    case = file(world).application
    for decision, note in (("supplement", ""), ("not_accept", " "), ("approve", "x")):
        with pytest.raises(ServiceError):
            act(world, "carol", case, "accept", decision, note)
    with pytest.raises(ServiceError):
        act(world, "carol", case, "review", "approve")  # not ready yet
    case = act(world, "carol", case, "accept", "not_accept", "不符合条件 not eligible")
    assert case.status == Status.NOT_ACCEPTED and case.completed_at is not None
    with pytest.raises(ServiceError):
        services.application_withdraw(actor=world.alice.user, application=case)


def test_form_is_validated_against_the_items_schema(world: Any) -> None:
    with pytest.raises(ServiceError) as error:
        services.application_submit(
            actor=world.alice.user,
            item_code="SX-SI-006",
            applicant=world.alice,
            answers={**ANSWERS, "bank_account": "12ab"},
        )
    # In plain words, naming the field as the form does; never the pattern.
    assert error.value.code == "form"
    assert error.value.zh == "“养老金发放银行账号”填写有误：应为12至19位数字。"
    assert (
        error.value.en
        == "“Bank account for the pension” is not valid: it should be 12 to 19 digits."
    )
    assert not Application.objects.exists()


def test_filing_channels(world: Any) -> None:
    with pytest.raises(NotPermitted):  # online, for someone else
        services.application_submit(
            actor=world.bob.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
        )
    with pytest.raises(ServiceError):  # counter without consent
        services.application_submit(
            actor=world.carol,
            item_code="SX-SI-006",
            applicant=world.alice,
            answers=ANSWERS,
            channel=Channel.COUNTER,
        )
    with pytest.raises(NotPermitted):  # counter out of scope
        services.application_submit(
            actor=world.mallory,
            item_code="SX-SI-006",
            applicant=world.alice,
            answers=ANSWERS,
            channel=Channel.COUNTER,
            consent=True,
        )
    filed = services.application_submit(
        actor=world.carol,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers=ANSWERS,
        channel=Channel.COUNTER,
        consent=True,
    )
    assert filed.application.consent_at is not None
    assert (
        selectors.application_for(actor=world.alice.user, number=filed.application.number).pk
        == filed.application.pk
    )
    with pytest.raises(NotFound):
        selectors.application_for(actor=world.mallory, number=filed.application.number)
    from onestop.catalogue.services import item_publish

    item_publish(
        actor=None,
        code="SX-TEST-NOPROC",
        values={
            "name": "无流程事项",
            "name_en": "An item with no process",
            "kind": "public_service",
            "level": "county",
            "legal_basis": "-",
            "conditions": "-",
            "legal_limit_days": 5,
            "promised_limit_days": 1,
            "visits_required": 0,
            "channels": ["online"],
            "materials": [{"name": "居民身份证", "name_en": "ID card", "required": True}],
            "process": "",
        },
    )
    with pytest.raises(ServiceError):  # no process for this item
        services.application_submit(
            actor=world.alice.user, item_code="SX-TEST-NOPROC", applicant=world.alice, answers={}
        )


def test_death_case_runs_its_joint_review(world: Any) -> None:
    def staff(name: str, agency: str, role: str = StaffRole.CASE_WORKER) -> Any:
        return identity.staff_create(
            actor=None,
            username=name,
            display_name=name,
            password=PASSWORD,
            agency=world.agencies[agency],
            role=role,
            region=world.regions["610000"],
        )

    civil = staff("ca", "610000-civil_affairs")
    medical = staff("mi", "610000-medical_insurance")
    # bob (Beilin) claims for alice: the case goes where the deceased was insured (Yanta).
    # At carol's counter: online, only the relative who registered the death claims.
    filed = services.application_submit(
        actor=world.carol,
        item_code="SX-SI-008",
        applicant=world.bob,
        answers={"deceased_resident_id": world.alice.resident_id, "relation": "parent"},
        channel="counter",
        consent=True,
    )
    assert filed.application.region == world.alice.region
    services.material_upload(
        actor=world.bob.user,
        application=filed.application,
        name="亲属关系证明",
        file_name="kinship.pdf",
        data=b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n",
    )
    case = act(world, "carol", filed.application, "accept", "accept")
    assert sorted(r[1] for r in case.ready) == ["case_worker", "civil_affairs", "medical_insurance"]
    assert [c.number for c in selectors.queue_for(actor=civil)] == [case.number]
    with pytest.raises(NotPermitted):
        services.application_act(
            actor=civil, application=case, task="medical_insurance_review", decision="confirm"
        )
    case = services.application_act(
        actor=civil, application=case, task="civil_affairs_review", decision="confirm"
    )
    case = services.application_act(
        actor=medical, application=case, task="medical_insurance_review", decision="confirm"
    )
    case = act(world, "carol", case, "hrss_review", "confirm")
    assert [r[:2] for r in case.ready] == [["decide", "reviewer"]]
    # No death is known for alice: the benefits cannot be computed, so no approval.
    assert "survivor_error" in case.facts
    with pytest.raises(ServiceError):
        act(world, "rita", case, "decide", "approve")
    case = act(world, "rita", case, "decide", "reject", "未查到死亡登记 no death registered")
    assert case.status == Status.REJECTED


def test_withdraw_and_public_status(world: Any) -> None:
    filed = file(world)
    with pytest.raises(NotPermitted):
        services.application_withdraw(actor=world.bob.user, application=filed.application)
    services.application_withdraw(actor=world.alice.user, application=filed.application)
    case = Application.objects.get()
    assert (case.status, case.ready) == (Status.WITHDRAWN, [])
    with pytest.raises(NotFound):
        selectors.status_public(number=case.number, code="WRONGCODE")
    assert services.overdue(case, dt.date(2099, 1, 1)) is False


def test_every_named_process_ships_with_the_platform() -> None:
    from onestop.catalogue import selectors as catalogue
    from onestop.workflow import engine

    named = [i.process for i in catalogue.items_current() if i.process]
    assert named == [
        "unemployment_registration.bpmn",
        "employer_registration.bpmn",
        "enrolment.bpmn",
        "contribution_correction.bpmn",
        "proof_of_insurance.bpmn",
        "flexible_enrolment.bpmn",
        "retirement.bpmn",
        "transfer.bpmn",
        "death_benefits.bpmn",
        "unemployment_benefit.bpmn",
    ]
    assert all(engine.has_process(name) for name in named)


def test_a_decided_case_delivers_a_signed_decision_notice(world: Any) -> None:
    from onestop.exchange import services as certificates
    from onestop.exchange import signing
    from onestop.exchange.models import Certificate

    case = file(world).application
    with pytest.raises(NotFound):  # not decided yet
        services.decision_notice_pdf(actor=world.alice.user, case=case, absolute=str)
    case = act(world, "carol", case, "accept", "accept")
    case = act(world, "rita", case, "review", "reject", "缴费不足 too few months")
    pdf = services.decision_notice_pdf(actor=world.alice.user, case=case, absolute=str)
    assert pdf.startswith(b"%PDF-")
    notice = Certificate.objects.get()
    assert notice.kind == "decision_notice" and notice.number.startswith("DN")
    facts = notice.payload["facts"]
    assert (facts["case"], facts["decision"], facts["reasons"]) == (
        case.number,
        "reject",
        "缴费不足 too few months",
    )
    assert signing.verify(notice.payload, notice.signature)
    for outsider in (world.mallory, world.bob.user):
        with pytest.raises(NotPermitted):
            certificates.decision_notice_issue(actor=outsider, person=world.alice, facts=facts)
    assert Certificate.objects.count() == 1


def test_the_public_status_page_names_the_steps(world: Any) -> None:
    """Looked up with the case number and query code, the status page lists the steps by
    their label in the reader's language ("已提交"), not the stored code, and names nobody."""
    from django.test import Client

    filed = file(world)
    page = Client().get(
        "/status/",
        {"number": filed.application.number, "code": filed.code},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    result = page.content.decode().split('id="status-result"', 1)[1]
    assert "· 已提交</li>" in result
    assert "· submitted</li>" not in result
    assert world.alice.user.username not in result
