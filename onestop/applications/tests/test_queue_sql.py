"""The staff queue in SQL returns exactly the cases, steps, clocks and order of the earlier
Python filter (kept here as the reference, ``reference_queue_for``), for every persona and
view, on varied cases: lanes of both HRSS roles and of other departments, claimed and
unclaimed steps, escalated cases, paused clocks and deadlines on every side of today; and
it pages in the database."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import PASSWORD, World
from onestop.applications import selectors, services
from onestop.applications.models import FINAL, Application, OpenStep
from onestop.applications.selectors import COLOURS, QueueFilter, queue_for, work_counts
from onestop.applications.services import clock_of, may_act
from onestop.identity import policy
from onestop.identity import services as identity
from onestop.identity.models import StaffRole

pytestmark = pytest.mark.django_db

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}
PERSONAS = ("carol", "rita", "sam", "mallory", "cheng", "mei", "erin", "adam")
LANES = ("case_worker", "case_worker", "reviewer", "civil_affairs", "medical_insurance")


def reference_queue_for(
    *, actor: Any, mine: bool = False, supervising: bool = False, filters: Any = None
) -> list[Any]:
    """The queue before it was paged in SQL: every open case in scope loaded, filtered by
    ``may_act`` and the clock colour in Python."""
    profile = policy.staff_profile(actor)
    if profile is None:
        return []
    filters = filters or QueueFilter()
    today = timezone.localdate()
    found_cases = (
        Application.objects.exclude(status__in=FINAL)
        .filter(region__code__startswith=profile.region.scope_prefix, open_steps__isnull=False)
        .distinct()
    )
    cases = found_cases.select_related("applicant", "region", "escalated_to").order_by(
        "deadline", "submitted_at", "pk"
    )
    cases = cases.prefetch_related(
        Prefetch("open_steps", queryset=OpenStep.objects.select_related("assignee").order_by("pk"))
    )
    if mine:
        cases = cases.filter(open_steps__assignee=actor)
    found = []
    for case in cases:
        steps = [
            s
            for s in case.open_steps.all()
            if (supervising and s.lane != "applicant") or may_act(actor, case, s.lane)
        ]
        if mine or filters.mine:
            steps = [s for s in steps if s.assignee_id == actor.pk]
        if not steps:
            continue
        case.clock = clock_of(case, today)  # type: ignore[attr-defined]
        if filters.colour and case.clock.colour != filters.colour:  # type: ignore[attr-defined]
            continue
        case.my_steps = steps  # type: ignore[attr-defined]
        found.append(case)
    return found


def shape(cases: Any) -> list[tuple[Any, ...]]:
    return [(c.number, [s.pk for s in c.my_steps], c.clock) for c in cases]


def scramble(world: World, cases: list[Application], staff: list[Any], rng: random.Random) -> None:
    """Random lanes, holders, escalations, clocks and deadlines on the open steps' cases."""
    today = timezone.localdate()
    regions = [None, None, world.regions["610100"], world.regions["610000"]]
    for case in cases:
        step = OpenStep.objects.filter(application=case).first()
        assert step is not None
        step.lane = rng.choice(LANES)
        step.assignee = rng.choice([None, None, *staff])
        step.save()
        if rng.random() < 0.3:
            OpenStep.objects.create(
                application=case,
                task_id=f"extra-{case.pk}",
                name="joint",
                lane=rng.choice(LANES),
                assignee=rng.choice([None, *staff]),
                opened_at=timezone.now(),
            )
        deadline = today + dt.timedelta(days=rng.randint(-8, 25))
        Application.objects.filter(pk=case.pk).update(
            escalated_to=rng.choice(regions),
            deadline=deadline,
            step_deadline=rng.choice([None, today + dt.timedelta(days=rng.randint(-5, 15))]),
            step_started=rng.choice([None, today - dt.timedelta(days=rng.randint(0, 20))]),
            paused_since=rng.choice([None, None, None, today]),
        )


@pytest.fixture
def varied(world: World) -> World:
    """Cases handled in Yanta, Beilin and Baoji, and case workers at the
    province and city levels besides the personas."""
    identity.staff_create(
        actor=None,
        username="paula",
        display_name="paula",
        password=PASSWORD,
        agency=world.agencies["610000-si"],
        role=StaffRole.CASE_WORKER,
        region=world.regions["610000"],
    )
    identity.staff_create(
        actor=None,
        username="cyril",
        display_name="cyril",
        password=PASSWORD,
        agency=world.agencies["610100-si"],
        role=StaffRole.CASE_WORKER,
        region=world.regions["610100"],
    )
    for region in ("610113", "610103", "610602", "610113", "610103", "610113", "610113"):
        case = services.application_submit(
            actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
        ).application
        # Handled elsewhere (a survivor's claim goes where the deceased was insured).
        Application.objects.filter(pk=case.pk).update(region=world.regions[region])
    return world


def test_the_sql_queue_equals_the_python_filter(varied: World) -> None:
    """For every persona, supervising or not, mine or the team's, each colour: the same
    cases with the same steps and clocks, in the same order."""
    from onestop.identity.models import User

    world = varied
    actors = [getattr(world, name) for name in PERSONAS] + [
        User.objects.get(username="paula"),
        User.objects.get(username="cyril"),
    ]
    cases = list(Application.objects.filter(open_steps__isnull=False).distinct())
    assert len(cases) >= 5
    compared = 0
    for seed in range(4):
        sid = transaction.savepoint()
        try:
            scramble(world, cases, actors[:4] + actors[-2:], random.Random(seed))
            for actor in actors:
                for supervising in (False, True):
                    for mine in (False, True):
                        for colour in ("", *COLOURS):
                            filters = QueueFilter(colour=colour)
                            expected = shape(
                                reference_queue_for(
                                    actor=actor, mine=mine, supervising=supervising, filters=filters
                                )
                            )
                            got = queue_for(
                                actor=actor, mine=mine, supervising=supervising, filters=filters
                            )
                            assert shape(got) == expected, (
                                actor.username,
                                supervising,
                                mine,
                                colour,
                            )
                            assert len(got) == len(expected)
                            compared += bool(expected)
                old = reference_queue_for(actor=actor)
                today = timezone.localdate()
                colours = [clock_of(c, today).colour for c in old]
                assert work_counts(actor=actor) == {
                    "todo": sum(
                        1 for c in old if any(s.assignee_id in (None, actor.pk) for s in c.my_steps)
                    ),
                    "mine": sum(
                        1 for c in old if any(s.assignee_id == actor.pk for s in c.my_steps)
                    ),
                    "yellow": colours.count("yellow"),
                    "red": colours.count("red"),
                    "supplements": selectors.supplements_waiting(actor=actor),
                }
        finally:
            transaction.savepoint_rollback(sid)
    assert compared > 20  # the comparison was not of empty queues only


def test_a_page_of_the_queue_reads_one_page(varied: World) -> None:
    """The paginator's page and count come from the database: the same queries for a queue
    of six cases paged by two as for one case, and only the page's cases are loaded."""
    sam = varied.sam
    queue = queue_for(actor=sam, supervising=True)
    everything = shape(queue)
    assert len(everything) >= 5
    with CaptureQueriesContext(connection) as queries:
        page = Paginator(queue, 2).get_page(2)
        rows = shape(page.object_list)
    assert rows == everything[2:4]
    assert len(queries) == 3  # the count, the page's cases, their steps
