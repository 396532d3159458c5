"""The ownership invariant: every open case step has someone who can act on it (its holder,
or an active eligible staff member). Escalation, deactivation and reassignment keep it, and
``onestop cases verify`` (and the supervisors' daily check) finds any step that lost it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from conftest import PASSWORD
from onestop.applications import selectors, services
from onestop.applications.models import Application, OpenStep
from onestop.audit.models import Entry
from onestop.common.errors import ServiceError
from onestop.identity import services as identity
from onestop.identity.models import StaffProfile, StaffRole, User
from onestop.notifications.models import Notification
from onestop.supervision.services import ownership_check

pytestmark = pytest.mark.django_db

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}


def file(world: Any) -> Application:
    return services.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    ).application


def case_worker(world: Any, name: str, region: str = "610113") -> User:
    return identity.staff_create(
        actor=None,
        username=name,
        display_name=name,
        password=PASSWORD,
        agency=world.agencies[f"{region}-si"],
        role=StaffRole.CASE_WORKER,
        region=world.regions[region],
    )


def holders(case: Application) -> dict[str, str | None]:
    return {
        s.name: s.assignee.username if s.assignee else None
        for s in OpenStep.objects.filter(application=case).select_related("assignee")
    }


def invariant_holds() -> None:
    assert selectors.steps_stranded() == []
    call_command("cases", "verify")  # exits non-zero otherwise


def test_escalation_deactivation_and_reassignment_keep_every_step_actionable(
    world: Any,
) -> None:
    chloe = case_worker(world, "chloe")
    late, other = file(world), file(world)
    invariant_holds()
    services.application_claim(actor=chloe, application=late)
    services.application_claim(actor=chloe, application=other)
    assert holders(late) == {"accept": "chloe"}

    # Escalation: Xi'an has no case worker, but its reviewer handles an escalated case's
    # HRSS steps; chloe's claim goes back to the queue, now Xi'an's.
    services.application_escalate(actor=None, application=late, note="超期", automatic=True)
    assert holders(late) == {"accept": None}
    assert [c.number for c in selectors.queue_for(actor=world.rita)] == [late.number]
    assert late.number not in [c.number for c in selectors.queue_for(actor=chloe)]
    assert late.number not in [c.number for c in selectors.queue_for(actor=world.carol)]
    invariant_holds()
    # The province has no HRSS case worker or reviewer: escalating further is refused.
    with pytest.raises(ServiceError) as nobody:
        services.application_escalate(actor=world.rita, application=late, note="再提级")
    assert nobody.value.code == "nobody"
    late.refresh_from_db()
    assert late.escalated_to is not None and late.escalated_to.code == "610100"
    invariant_holds()

    # Deactivation: chloe leaves; the step she held returns to Yanta's queue.
    identity.staff_deactivate(actor=world.sean, user=chloe)
    assert holders(other) == {"accept": None}
    assert [c.number for c in selectors.queue_for(actor=world.carol)] == [other.number]
    assert Entry.objects.filter(action="identity.staff.deactivated").count() == 1
    invariant_holds()
    # carol is now the only one who can accept in Yanta: she cannot be deactivated.
    before = Entry.objects.count()
    with pytest.raises(ServiceError) as last:
        identity.staff_deactivate(actor=world.sean, user=world.carol)
    assert last.value.code == "last_one" and other.number in last.value.en
    assert User.objects.get(pk=world.carol.pk).is_active
    assert Entry.objects.count() == before
    invariant_holds()

    # Reassignment: sam gives the escalated case to rita, who decides it.
    services.application_reassign(actor=world.sam, application=late, to=world.rita, note="请办理")
    assert holders(late) == {"accept": "rita"}
    invariant_holds()
    case = services.application_act(
        actor=world.rita, application=late, task="accept", decision="accept"
    )
    assert holders(case) == {"review": None}
    invariant_holds()


def test_verify_lists_a_step_whose_holder_may_no_longer_act_and_supervisors_hear_of_it(
    world: Any,
) -> None:
    case = file(world)
    services.application_claim(actor=world.carol, application=case)
    # carol moves to Baota (an administrator's edit): she still holds a Yanta step.
    StaffProfile.objects.filter(user=world.carol).update(region=world.regions["610602"])
    stranded = selectors.steps_stranded()
    assert [(s.number, s.task, s.holder, s.reason) for s in stranded] == [
        (case.number, "accept", "carol", "holder_cannot_act")
    ]
    with pytest.raises(CommandError):
        call_command("cases", "verify")
    assert ownership_check() == 1
    told = Notification.objects.filter(event="supervision.stranded")
    assert [n.recipient.username for n in told] == ["sam"]
    assert case.number in told.get().body_en
    # sam reassigns it from the case page (a supervisor in scope); the invariant is back.
    sam = Client(enforce_csrf_checks=True)
    sam.force_login(world.sam)
    sam.get(f"/applications/{case.number}/")
    token = sam.cookies["csrftoken"].value
    chloe = case_worker(world, "chloe")
    response = sam.post(
        f"/applications/{case.number}/handover/",
        {"task": "accept", "handover-accept-to": chloe.pk, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert holders(case) == {"accept": "chloe"}
    invariant_holds()
    assert ownership_check() == 0


def test_nobody_eligible_is_reported(world: Any) -> None:
    case = file(world)
    User.objects.filter(pk=world.carol.pk).update(is_active=False)  # bypassing the check
    stranded = selectors.steps_stranded()
    assert [(s.number, s.reason) for s in stranded] == [(case.number, "nobody_eligible")]
    with pytest.raises(CommandError):
        call_command("cases", "verify")
    # The daily check sends it up to the nearest level where someone may act on it, and
    # journals why; nothing is stranded any more.
    assert ownership_check() == 0
    case.refresh_from_db()
    assert case.escalated_to is not None and case.escalated_to != case.region
    assert selectors.steps_stranded() == []
    # The platform's reason, kept in each language apart.
    notes = [(s.note, s.note_en) for s in case.steps.filter(action="escalated")]
    assert any(
        zh.endswith("无在岗的可办理人员，自动提级")
        and en.endswith("Nobody at this level may act: escalated automatically")
        for zh, en in notes
    ), notes
    call_command("cases", "verify")


def test_deactivation_is_for_the_security_administrator_in_scope(world: Any) -> None:
    chloe = case_worker(world, "chloe")
    for actor in (world.sam, world.carol, world.adam):
        with pytest.raises(Exception):  # noqa: B017 - NotPermitted, whichever the reason
            identity.staff_deactivate(actor=actor, user=chloe)
    assert User.objects.get(pk=chloe.pk).is_active
    page = Client(enforce_csrf_checks=True)
    page.force_login(world.sean)
    page.get("/security/staff/")
    token = page.cookies["csrftoken"].value
    response = page.post(f"/security/staff/{chloe.pk}/deactivate/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert not User.objects.get(pk=chloe.pk).is_active
