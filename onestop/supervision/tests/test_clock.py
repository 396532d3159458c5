"""The time-limit clock: when warnings turn yellow and red, that each is raised once, that red
escalates, that closed steps resolve; and the supervisors' on-time rates."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from onestop.applications import services as cases
from onestop.applications.models import Application
from onestop.audit.models import Entry
from onestop.catalogue.services import item_publish
from onestop.common.errors import NotPermitted
from onestop.common.workdays import add_working_days, working_days_between
from onestop.notifications.models import Notification
from onestop.pensions.testing import worked_elsewhere
from onestop.supervision import selectors
from onestop.supervision.models import Warning
from onestop.supervision.services import clock_run, level_of

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}


@given(
    st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)),
    st.integers(0, 40),
    st.integers(-5, 60),
    st.floats(0.1, 1.0),
)
def test_level_follows_the_share_of_working_days(
    started: dt.date, days: int, offset: int, share: float
) -> None:
    due = add_working_days(started, days).date
    today = started + dt.timedelta(days=offset)
    level = level_of(started=started, due=due, today=today, share=share)
    if today > due:
        assert level == "red"
    elif days == 0 or working_days_between(started, today) >= share * days:
        assert level == "yellow"
    else:
        assert level is None


def test_level_examples() -> None:
    monday = dt.date(2026, 11, 23)  # a 10-working-day step: due 2026-12-07
    due = add_working_days(monday, 10).date
    assert due == dt.date(2026, 12, 7)
    assert level_of(started=monday, due=due, today=dt.date(2026, 12, 1), share=0.75) is None
    assert level_of(started=monday, due=due, today=dt.date(2026, 12, 3), share=0.75) == "yellow"
    assert level_of(started=monday, due=due, today=due, share=0.75) == "yellow"
    assert level_of(started=monday, due=due, today=dt.date(2026, 12, 8), share=0.75) == "red"


def file(world: Any) -> Application:
    return cases.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    ).application


@pytest.mark.django_db
def test_yellow_then_red_escalates_once_and_closing_the_step_resolves(world: Any) -> None:
    item_publish(actor=None, code="SX-SI-006", values={"step_limits": {"accept": 4}}, note="x")
    case = file(world)
    start = case.step_started
    assert start is not None
    assert clock_run(today=start).yellow == 0
    nearly = add_working_days(start, 3).date
    report = clock_run(today=nearly)
    assert (report.yellow, report.red) == (1, 0)
    assert clock_run(today=nearly).yellow == 0  # idempotent
    yellow = Warning.objects.get()
    assert (yellow.level, yellow.task, yellow.due) == (
        "yellow",
        "Accept the application",
        add_working_days(start, 4).date,
    )
    told = set(
        Notification.objects.filter(event="supervision.yellow").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"carol", "sam"}

    late = add_working_days(start, 5).date
    report = clock_run(today=late)
    assert (report.yellow, report.red, report.escalated) == (0, 1, 1)
    assert (clock_run(today=late).red, Warning.objects.count()) == (0, 2)
    case.refresh_from_db()
    assert case.escalated_to is not None and case.escalated_to.code == "610100"
    red = Warning.objects.get(level="red")
    assert red.escalated
    assert Entry.objects.filter(action="supervision.warning.red").count() == 1
    assert Entry.objects.filter(action="applications.escalated").count() == 1

    # A Xi'an case worker accepts it: the acceptance's warnings resolve; review is a new step.
    xavier = cases_worker(world)
    cases.application_act(actor=xavier, application=case, task="accept", decision="accept")
    assert clock_run(today=late).resolved == 2
    assert not Warning.objects.filter(resolved_at__isnull=True).exists()


def cases_worker(world: Any) -> Any:
    from conftest import PASSWORD
    from onestop.identity import services as identity

    return identity.staff_create(
        actor=None,
        username="xavier",
        display_name="xavier",
        password=PASSWORD,
        agency=world.agencies["610100-si"],
        role="case_worker",
        region=world.regions["610100"],
    )


@pytest.mark.django_db
def test_a_paused_case_raises_nothing(world: Any) -> None:
    case = file(world)
    cases.application_act(
        actor=world.carol, application=case, task="accept", decision="supplement", note="缺材料"
    )
    assert clock_run(today=dt.date(2099, 1, 1)) == clock_run(today=dt.date(2099, 1, 2))
    assert not Warning.objects.exists()


@pytest.mark.django_db
def test_on_time_rates_and_the_page(world: Any) -> None:
    worked_elsewhere(world.alice)  # 180 months: the retirement can be approved
    on_time = file(world)
    cases.application_act(
        actor=world.carol, application=on_time, task="accept", decision="not_accept", note="不符"
    )
    late = file(world)
    cases.application_act(actor=world.carol, application=late, task="accept", decision="accept")
    cases.application_act(
        actor=world.rita,
        application=late,
        task="review",
        decision="approve",
        established={"post_category": "worker"},  # alice's post is not on record
    )
    Application.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - dt.timedelta(1))
    open_case = file(world)
    clock_run(today=add_working_days(open_case.deadline, 1).date)

    [item] = selectors.rates_for(actor=world.sam, by="item")
    assert (item.key, item.decided, item.on_time, item.percent) == ("SX-SI-006", 2, 1, "50.0%")
    assert (item.open_yellow, item.open_red) == (0, 1)
    [agency] = selectors.rates_for(actor=world.sam, by="agency")
    assert (agency.label, agency.decided, agency.open_red) == ("雁塔区社会保险经办中心", 2, 1)
    assert [w.application_id for w in selectors.warnings_for(actor=world.sam)] == [open_case.pk]
    with pytest.raises(NotPermitted):
        selectors.rates_for(actor=world.carol, by="item")

    client = Client()
    client.force_login(world.sam)
    page = client.get("/supervision/?level=red").content.decode()
    assert open_case.number in page and "50.0%" in page
    # Each table's first column is headed by what it lists, not by a person's name.
    heads = re.findall(r'<table id="rates-(\w+)"><thead><tr><th scope="col">([^<]+)</th>', page)
    assert heads == [("item", "服务事项"), ("agency", "机构")]
    page = client.get("/supervision/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    heads = re.findall(r'<table id="rates-(\w+)"><thead><tr><th scope="col">([^<]+)</th>', page)
    assert heads == [("item", "Service"), ("agency", "Agency")]
    assert client.get("/api/v1/supervision/rates?by=agency").json()[0]["decided"] == 2
    assert [w["number"] for w in client.get("/api/v1/supervision/warnings").json()] == [
        open_case.number
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "paused", "yellow"),
    [
        ("zh-hans", "等待申请人补正，计时暂停", "黄牌"),
        ("en", "clock paused while waiting", "yellow"),
    ],
)
def test_a_case_waiting_for_a_supplement_is_shown_paused_not_as_a_warning(
    world: Any, language: str, paused: str, yellow: str
) -> None:
    """A yellow warning was raised; then carol asks alice for a supplement, which pauses the
    clock: sam's page lists the case as paused, with no level and no time left to count."""
    case = file(world)
    clock_run(today=case.step_deadline or case.deadline)  # due today: yellow
    assert Warning.objects.filter(application=case, resolved_at__isnull=True).exists()
    cases.application_act(
        actor=world.carol, application=case, task="accept", decision="supplement", note="补档案"
    )
    case.refresh_from_db()
    assert case.paused_since is not None
    if not Warning.objects.filter(application=case, resolved_at__isnull=True).exists():
        pytest.skip("the supplement resolved the warning: nothing left to show")
    client = Client()
    client.force_login(world.sam)
    page = client.get("/supervision/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{case.number}(?:(?!</tr>).)*</tr>", page, re.S)
    assert row is not None
    assert 'class="paused"' in row.group(0) and paused in row.group(0)
    assert "warning-yellow" not in row.group(0) and yellow not in row.group(0)
