"""What depends on today's date holds at any instant, the hostile ones included.

These tests compute their expectations from the instant they run at (conftest.test_instant),
never from a hard-coded day, so .ci/run can run them at the last second of a year in
Asia/Shanghai (UTC still on the previous day), on 29 February, on an adjusted working Saturday
and past the working-day calendar's data.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from typing import Any

import pytest
from django.utils import timezone

from conftest import test_instant
from onestop.applications import services as applications
from onestop.applications.prefill import prefill
from onestop.catalogue.selectors import item_get
from onestop.common.workdays import add_working_days, is_working_day
from onestop.contributions.periods import current_period
from onestop.identity import demo
from onestop.identity import services as identity
from onestop.parameters import selectors as parameters
from onestop.rules.values import YearMonth

pytestmark = [pytest.mark.date_sensitive, pytest.mark.django_db]

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def shanghai_today() -> dt.date:
    return test_instant().astimezone(SHANGHAI).date()


def test_today_is_the_date_in_shanghai() -> None:
    """The platform's today and current period are Asia/Shanghai's, whatever UTC says."""
    assert timezone.localdate() == shanghai_today()
    today = shanghai_today()
    assert current_period(timezone.localdate()) == today.year * 100 + today.month


def test_a_case_filed_now_is_due_on_a_working_day_after_today(world: Any) -> None:
    """The promised limit counts working days from today; beyond the data it says provisional."""
    filed = applications.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers={"retirement_month": "2026-05", "bank_account": "6222020200112233446"},
    )
    case = filed.application
    item = item_get(code="SX-SI-006")
    expected = add_working_days(shanghai_today(), item.promised_limit_days)
    assert case.deadline == expected.date > shanghai_today()
    assert is_working_day(case.deadline)[0]
    assert case.deadline_provisional is expected.provisional
    # The calendar's data ends with 2026: anything later is flagged, never silently guessed.
    assert case.deadline_provisional is (case.deadline.year > 2026)
    assert case.number.startswith(f"SX{shanghai_today():%Y%m%d}")


def test_retirement_month_prefilled_from_this_month_in_shanghai(world: Any) -> None:
    """A man born 1965-12 (statutory 2026-03, window to 2029-03) still at work: the form offers
    the month after this one while the window is open, else his statutory month; never a month
    past the last one whose award can be computed (December after the latest published year)."""
    person = identity.person_register(
        actor=None,
        name="周建国",
        resident_id=demo.resident_id(random.Random(1965), "610113", dt.date(1965, 12, 5), True),
        region=world.regions["610113"],
        phone="13800000009",
    )
    item = item_get(code="SX-SI-006")
    today = shanghai_today()
    nxt = YearMonth(today.year, today.month).plus(1)
    statutory, latest = YearMonth(2026, 3), YearMonth(2029, 3)
    expected = nxt if statutory < nxt.plus(-1) and nxt <= latest else statutory
    published = parameters.latest_year(province="610000")
    assert published is not None
    expected = min(expected, YearMonth(published + 1, 12))
    assert prefill(person=person, item=item)["retirement_month"] == str(expected)


def test_fixed_statutory_holidays_hold_today() -> None:
    """Today is a working day exactly as the calendar (or, past it, the fixed holidays) says."""
    today = shanghai_today()
    working, known = is_working_day(today)
    if (today.month, today.day) in {(1, 1), (10, 1), (10, 2), (10, 3), (5, 1)}:
        assert not working
    if today == dt.date(2026, 2, 14):  # a Spring Festival adjusted working Saturday
        assert working and known
    assert known is (today.year <= 2026)
