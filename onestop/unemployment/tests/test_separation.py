"""A removal reason that does not settle the separation, or one the person contests, goes to
the county case worker, who determines it on the claim (SX-SI-009) before deciding."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.applications import services as applications
from onestop.applications.models import Application, Status
from onestop.audit.models import Entry
from onestop.common.errors import ServiceError
from onestop.unemployment.models import UnemploymentBenefit, UnemploymentRegistration
from onestop.unemployment.tests.test_filing import (
    ACCOUNT,
    MONTHS,
    browser,
    insured,
    register_online,
)

pytestmark = pytest.mark.django_db


def claim(world: Any, **answers: str) -> Application:
    return applications.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-009",
        applicant=world.alice,
        answers={"bank_account": ACCOUNT, **answers},
    ).application


def test_a_free_text_reason_goes_to_the_case_worker_who_determines_it(world: Any) -> None:
    """bob removed alice for "moved to another city": registered with the separation blank;
    her claim is not refused but waits for carol, who must determine the separation before
    approving; a voluntary one cannot be approved; an involuntary one is recorded on the
    registration, journaled, and the benefit opens."""
    insured(world, MONTHS, reason="moved to another city")
    assert register_online(world).status_code == 201
    registration = UnemploymentRegistration.objects.get()
    assert (registration.separation, registration.employer_reason) == ("", "moved to another city")
    notes = browser(world.alice.user).get("/api/v1/applications/precheck?item_code=SX-SI-009")
    assert "case worker determines it" in notes.content.decode()
    case = claim(world)
    assert case.status == Status.SUBMITTED
    assert [r[:2] for r in case.ready] == [["review", "case_worker"]]
    assert case.facts["establish"] == ["separation_determined"]
    assert case.facts["employer_reason"] == "moved to another city"
    assert case.facts["unemployment"]["months"] == 12
    assert applications.to_establish(case) == ["separation_determined"]
    page = browser(world.carol).get(f"/applications/{case.number}/").content.decode()
    assert 'id="separation-notice"' in page and 'name="review-separation_determined"' in page
    # alice sees where her case stands, not the instruction to the case worker.
    own = browser(world.alice.user).get(f"/applications/{case.number}/", HTTP_ACCEPT_LANGUAGE="en")
    text = own.content.decode()
    assert 'id="separation-status"' in text and "is being determined by the case worker" in text
    assert 'id="separation-notice"' not in text and "Determine it from" not in text
    for established, code in ((None, "establish"), ("resigned", "separation_voluntary")):
        with pytest.raises(ServiceError) as refused:
            applications.application_act(
                actor=world.carol,
                application=case,
                task="review",
                decision="approve",
                established={"separation_determined": established} if established else None,
            )
        assert refused.value.code == code
        assert not UnemploymentBenefit.objects.exists()
        registration.refresh_from_db()
        assert registration.separation == ""
    applications.application_act(
        actor=world.carol,
        application=case,
        task="review",
        decision="approve",
        established={"separation_determined": "ended_by_employer"},
    )
    registration.refresh_from_db()
    assert registration.separation == "ended_by_employer"
    assert UnemploymentBenefit.objects.get().months == 12
    entry = Entry.objects.get(action="unemployment.separation_determined")
    assert entry.changes["before"] == "" and entry.changes["separation"] == "ended_by_employer"
    assert entry.actor_label == "carol" or entry.actor_id == world.carol.pk


def test_the_person_contests_a_voluntary_reason_with_evidence(world: Any) -> None:
    """bob recorded "resigned"; alice says she left because wages were unpaid: without a
    contest the claim is refused at once; with one, carol determines it and may approve."""
    insured(world, MONTHS, reason="resigned")
    register_online(world)
    refused = claim(world)
    assert refused.status == Status.REJECTED
    contested = claim(world, contest_separation="欠薪三个月后本人解除劳动合同")
    assert contested.status == Status.SUBMITTED
    assert contested.facts["separation_contested"] == "欠薪三个月后本人解除劳动合同"
    assert contested.facts["establish"] == ["separation_determined"]
    applications.application_act(
        actor=world.carol,
        application=contested,
        task="review",
        decision="approve",
        established={"separation_determined": "employer_breach"},
    )
    assert UnemploymentRegistration.objects.get().separation == "employer_breach"
    assert Entry.objects.get(action="unemployment.separation_determined").changes["contested"]


def test_a_case_worker_may_reject_after_determining_a_voluntary_end(world: Any) -> None:
    insured(world, MONTHS, reason="moved to another city")
    register_online(world)
    case = claim(world)
    applications.application_act(
        actor=world.carol,
        application=case,
        task="review",
        decision="reject",
        note="本人申请离职。 The person asked to leave.",
        established={"separation_determined": "resigned"},
    )
    case.refresh_from_db()
    assert case.status == Status.REJECTED
    assert not UnemploymentBenefit.objects.exists()
