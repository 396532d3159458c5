"""The work queue: claim and release, transfer, a supervisor's reassignment, comments,
escalation; the step clock. Every refusal leaves the case, timeline and journal unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from onestop.applications import selectors, services
from onestop.applications.models import Application, Comment, OpenStep, Status, Step
from onestop.audit.models import Entry
from onestop.catalogue.models import ServiceItem
from onestop.catalogue.services import item_publish
from onestop.common.errors import NotPermitted, ServiceError
from onestop.common.workdays import add_working_days
from onestop.identity import services as identity
from onestop.identity.models import StaffRole
from onestop.notifications.models import Notification
from onestop.pensions.testing import worked_elsewhere

pytestmark = pytest.mark.django_db

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}


def file(world: Any) -> Application:
    return services.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    ).application


def colleague(world: Any, name: str = "chloe", region: str = "610113") -> Any:
    agency = "610113-si" if region == "610113" else f"{region}-si"
    return identity.staff_create(
        actor=None,
        username=name,
        display_name=name,
        password=PASSWORD,
        agency=world.agencies[agency],
        role=StaffRole.CASE_WORKER,
        region=world.regions[region],
    )


def holder(case: Application) -> int | None:
    """The holder of the case's single open staff step (None: unclaimed or none open)."""
    held = list(OpenStep.objects.filter(application=case).values_list("assignee_id", flat=True))
    assert len(held) <= 1
    return held[0] if held else None


def snapshot(case: Application) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        holder(case),
        case.escalated_to_id,
        case.status,
        case.workflow_state,
        Step.objects.filter(application=case).count(),
        Comment.objects.count(),
        Entry.objects.count(),
    )


def test_claim_release_and_a_claimed_step_belongs_to_its_holder(world: Any) -> None:
    chloe = colleague(world)
    case = file(world)
    case = services.application_claim(actor=world.carol, application=case)
    assert holder(case) == world.carol.pk
    assert [c.number for c in selectors.queue_for(actor=world.carol, mine=True)] == [case.number]
    assert selectors.queue_for(actor=chloe, mine=True) == []
    # chloe still sees it in the team's queue but cannot act on it, claim it or release it.
    assert [c.number for c in selectors.queue_for(actor=chloe)] == [case.number]
    before = snapshot(case)
    with pytest.raises(ServiceError) as claimed:
        services.application_act(actor=chloe, application=case, task="accept", decision="accept")
    assert claimed.value.code == "claimed"
    with pytest.raises(ServiceError):
        services.application_claim(actor=chloe, application=case)
    with pytest.raises(NotPermitted):
        services.application_release(actor=chloe, application=case)
    assert snapshot(case) == before
    services.application_release(actor=world.carol, application=case)
    case = services.application_claim(actor=chloe, application=case)
    case = services.application_act(actor=chloe, application=case, task="accept", decision="accept")
    assert (case.status, holder(case)) == (Status.IN_REVIEW, None)  # next step is free
    actions = list(Step.objects.filter(application=case).values_list("action", "actor_label"))
    assert actions[0][0] == "submitted"
    assert actions[1:] == [
        ("claimed", "carol"),
        ("released", "carol"),
        ("claimed", "chloe"),
        ("accept", "chloe"),
    ]


def test_transfer_and_reassignment_go_only_to_eligible_staff(world: Any) -> None:
    chloe = colleague(world)
    case = file(world)
    before = snapshot(case)
    for actor, to, error in (
        (world.carol, world.rita, ServiceError),  # a reviewer cannot accept
        (world.carol, world.mallory, ServiceError),  # another county
        (world.carol, world.carol, ServiceError),  # not to oneself
        (world.rita, chloe, NotPermitted),  # rita may not act on acceptance
        (world.alice.user, chloe, NotPermitted),
    ):
        with pytest.raises(error):
            services.application_transfer(actor=actor, application=case, to=to)
    with pytest.raises(NotPermitted):  # only supervisors reassign
        services.application_reassign(actor=world.carol, application=case, to=chloe)
    assert snapshot(case) == before
    assert [u.username for u in selectors.handover_candidates(case=case)] == ["carol", "chloe"]

    case = services.application_transfer(actor=world.carol, application=case, to=chloe, note="休假")
    assert holder(case) == chloe.pk
    with pytest.raises(NotPermitted):  # carol no longer holds it
        services.application_transfer(actor=world.carol, application=case, to=world.carol)
    case = services.application_reassign(actor=world.sam, application=case, to=world.carol)
    assert holder(case) == world.carol.pk
    notes = list(
        Step.objects.filter(application=case, action__in=["transferred", "reassigned"])
        .order_by("pk")
        .values_list("action", "actor_label", "note")
    )
    assert notes == [("transferred", "carol", "→ chloe: 休假"), ("reassigned", "sam", "→ carol")]
    assert Notification.objects.filter(recipient=chloe, event="applications.task").count() == 2
    # Supervisors outside the case's region cannot reassign it.
    outsider = identity.staff_create(
        actor=None,
        username="yan_sup",
        display_name="yan_sup",
        password=PASSWORD,
        agency=world.agencies["610600-si"],
        role=StaffRole.SUPERVISOR,
        region=world.regions["610600"],
    )
    with pytest.raises(NotPermitted):
        services.application_reassign(actor=outsider, application=case, to=chloe)


def test_comments_are_for_staff_who_may_see_the_case(world: Any) -> None:
    case = file(world)
    comment = services.application_comment(
        actor=world.rita, application=case, body="  已电话核实 verified by phone  "
    )
    assert comment.body == "已电话核实 verified by phone"
    before = snapshot(case)
    for actor in (world.alice.user, world.mallory, world.erin):
        with pytest.raises(NotPermitted):
            services.application_comment(actor=actor, application=case, body="x")
    with pytest.raises(ServiceError):
        services.application_comment(actor=world.carol, application=case, body="   ")
    assert snapshot(case) == before
    assert selectors.comments_for(actor=world.alice.user, case=case) == []
    assert [c.body for c in selectors.comments_for(actor=world.sam, case=case)] == [comment.body]


def test_escalation_moves_the_case_a_level_up(world: Any) -> None:
    xian_worker = colleague(world, "xavier", "610100")
    case = file(world)
    before = snapshot(case)
    with pytest.raises(ServiceError):  # a reason is required
        services.application_escalate(actor=world.carol, application=case, note=" ")
    for actor in (world.rita, world.sam, world.alice.user, world.mallory):
        with pytest.raises(NotPermitted):
            services.application_escalate(actor=actor, application=case, note="x")
    assert snapshot(case) == before
    case = services.application_escalate(actor=world.carol, application=case, note="疑难案件")
    assert case.escalated_to is not None and case.escalated_to.code == "610100"
    # The county no longer acts; Xi'an's case worker does, and was told.
    assert selectors.queue_for(actor=world.carol) == []
    assert [c.number for c in selectors.queue_for(actor=xian_worker)] == [case.number]
    with pytest.raises(NotPermitted):
        services.application_act(
            actor=world.carol, application=case, task="accept", decision="accept"
        )
    assert Notification.objects.filter(
        recipient=xian_worker, event="applications.escalated"
    ).exists()
    # Nobody at the province may accept: the escalation is refused and the case stays put.
    with pytest.raises(ServiceError) as nobody:
        services.application_escalate(actor=xian_worker, application=case, note="再提级")
    assert nobody.value.code == "nobody"
    case.refresh_from_db()
    assert case.escalated_to is not None and case.escalated_to.code == "610100"
    paula = colleague(world, "paula", "610000")
    case = services.application_escalate(actor=xian_worker, application=case, note="再提级")
    assert case.escalated_to is not None and case.escalated_to.code == "610000"
    with pytest.raises(NotPermitted):  # xavier is below the province now
        services.application_escalate(actor=xian_worker, application=case, note="again")
    with pytest.raises(ServiceError) as top:
        services.application_escalate(actor=None, application=case, note="x", automatic=True)
    assert top.value.code == "top"
    # The timeline names each level by its name in the reader's language, never its code.
    from django.test import Client

    client = Client()
    client.force_login(paula)
    for language, first, second, reason in (
        ("zh-hans", "西安市", "陕西省", "疑难案件"),
        ("en", "Xi'an", "Shaanxi", "疑难案件"),
    ):
        page = client.get(f"/applications/{case.number}/", HTTP_ACCEPT_LANGUAGE=language)
        timeline = page.content.decode().split('<ol id="timeline">')[1].split("</ol>")[0]
        assert "610100" not in timeline and "610000" not in timeline
        assert f"→ {first}: {reason}" in timeline.replace("&#x27;", "'")
        assert f"→ {second}: 再提级" in timeline


def test_step_limits_and_excluded_steps_drive_the_step_clock(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    worked_elsewhere(world.alice)  # 180 months: the retirement can be approved
    item_publish(
        actor=None,
        code="SX-SI-006",
        values={"step_limits": {"accept": 2, "review": 30}},
        note="step limits",
    )
    today = timezone.localdate()
    case = file(world)
    # The version just published (the migrations' latest, then one more).
    assert case.item_version == ServiceItem.objects.filter(code="SX-SI-006").count()
    assert case.step_started == today
    assert case.step_deadline == add_working_days(today, 2).date
    case = services.application_act(
        actor=world.carol, application=case, task="accept", decision="accept"
    )
    # The review's own limit (30) is longer than what is left of the case: the case wins.
    assert (case.step_started, case.step_deadline) == (today, case.deadline)

    item_publish(
        actor=None, code="SX-SI-006", values={"clock_excluded_steps": ["review"]}, note="x"
    )
    other = file(world)
    later = add_working_days(today, 4).date
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: later)
    other = services.application_act(
        actor=world.carol, application=other, task="accept", decision="accept"
    )
    assert (other.paused_since, other.step_deadline) == (later, None)  # review is off the clock
    deadline = other.deadline
    final = add_working_days(later, 3).date
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: final)
    other = services.application_act(
        actor=world.rita,
        application=other,
        task="review",
        decision="approve",
        established={"post_category": "worker"},  # alice's post is not on record
    )
    assert other.deadline == add_working_days(deadline, 3).date and other.paused_since is None


def test_the_applicant_is_notified_at_each_status_change(world: Any) -> None:
    case = file(world)
    services.application_act(
        actor=world.carol, application=case, task="accept", decision="supplement", note="缺档案"
    )
    services.application_act(actor=world.alice.user, application=case, task="supplement")
    services.application_act(actor=world.carol, application=case, task="accept", decision="accept")
    services.application_act(
        actor=world.rita,
        application=case,
        task="review",
        decision="reject",
        note="缴费年限不足 contributions too short",
    )
    events = list(
        Notification.objects.filter(recipient=world.alice.user)
        .order_by("pk")
        .values_list("event", flat=True)
    )
    assert events == [
        "applications.submitted",
        "applications.supplement",
        "applications.accepted",
        "applications.rejected",
    ]
    rejected = Notification.objects.get(event="applications.rejected")
    assert "缴费年限不足" in rejected.body_zh and rejected.link == f"/applications/{case.number}/"
    staff_events = list(
        Notification.objects.filter(recipient__in=[world.carol, world.rita])
        .order_by("pk")
        .values_list("recipient__username", "event")
    )
    assert staff_events == [
        ("carol", "applications.task"),
        ("carol", "applications.task"),  # accept again after the supplement
        ("rita", "applications.task"),
    ]


def test_the_retirement_process_gathers_the_record_itself(world: Any) -> None:
    case = file(world)
    assert case.facts == {
        "record_found": True,
        "contribution_months": 0,
        "paid_months": 0,
        "last_contribution_month": None,
    }


def test_the_queue_page_reads_a_fixed_number_of_queries(world: Any) -> None:
    """carol's queue page costs the same queries with two cases as with five: the item names
    are read once, the counts come from the list the page has just read, and the session is
    not rewritten on every request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(world.carol)
    client.get("/staff/queue/")  # the session's first last-seen time is written here

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/staff/queue/")
        assert response.status_code == 200
        return len(captured.captured_queries)

    for _ in range(2):
        file(world)
    two = queries()
    for _ in range(3):
        file(world)
    five = queries()
    assert five == two
    assert [row["case"].number for row in client.get("/staff/queue/").context["cases"]] == list(
        Application.objects.order_by("deadline", "submitted_at").values_list("number", flat=True)
    )
    assert client.get("/staff/queue/").context["counts"]["todo"] == 5


@pytest.mark.parametrize("name", ["carol", "erin", "adam", "sean", "audrey"])
def test_the_queue_and_the_workbench_link_the_case_search_only_to_whom_may_open_it(
    world: Any, client: Any, name: str
) -> None:
    """Every link to the case search on a staff member's queue and workbench opens (200), in
    either language: carol has it, and staff whom the search refuses (403) are not shown it."""
    import re

    client.force_login(getattr(world, name))
    may = client.get("/staff/cases/").status_code
    assert may == (200 if name == "carol" else 403)
    for language in ("zh-hans", "en"):
        for page in ("/staff/queue/", "/"):
            answer = client.get(page, HTTP_ACCEPT_LANGUAGE=language)
            assert answer.status_code == 200
            links = re.findall(r'href="(/staff/cases/[^"]*)"', answer.content.decode())
            assert bool(links) == (name == "carol"), (page, language)
            for link in links:
                target = client.get(link.replace("&amp;", "&"), HTTP_ACCEPT_LANGUAGE=language)
                assert target.status_code == 200, link
