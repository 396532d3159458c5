"""Working days follow the official calendar: holidays and adjusted working days."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.common.workdays import add_working_days, is_working_day, working_days_between


def test_national_day_holiday_is_skipped() -> None:
    """2026-09-30 (Wednesday) + 1 working day skips the National Day week."""
    deadline = add_working_days(dt.date(2026, 9, 30), 1)
    assert deadline.date > dt.date(2026, 10, 7)
    assert not deadline.provisional
    assert is_working_day(dt.date(2026, 10, 1)) == (False, True)


def test_ordinary_week() -> None:
    """Monday 2026-11-23 + 5 working days is Monday 2026-11-30."""
    assert add_working_days(dt.date(2026, 11, 23), 5).date == dt.date(2026, 11, 30)
    assert working_days_between(dt.date(2026, 11, 23), dt.date(2026, 11, 30)) == 5
    assert working_days_between(dt.date(2026, 11, 30), dt.date(2026, 11, 23)) == 0
    assert add_working_days(dt.date(2026, 11, 23), 0).date == dt.date(2026, 11, 23)


def test_beyond_the_calendar_data_is_flagged() -> None:
    deadline = add_working_days(dt.date(2026, 12, 28), 10)
    assert deadline.provisional
    assert deadline.date.weekday() < 5
    with pytest.raises(ValueError):
        add_working_days(dt.date(2026, 1, 1), -1)


@pytest.mark.parametrize(
    "day", ["2027-01-01", "2031-01-01", "2027-05-01", "2027-05-03", "2030-10-01", "2030-10-03"]
)
def test_fixed_statutory_holidays_count_beyond_the_data(day: str) -> None:
    """New Year's Day, Labour Day and National Day are holidays in any year, flagged provisional.

    2027-05-03 is a Monday: not a fixed holiday, so a provisional working day.
    """
    date = dt.date.fromisoformat(day)
    working, known = is_working_day(date)
    assert not known
    assert working is (day == "2027-05-03")


def test_new_years_day_beyond_the_data_is_skipped() -> None:
    """Thursday 2026-12-31 + 1 working day: 2027-01-01 (Friday) is a holiday, so Monday 01-04."""
    deadline = add_working_days(dt.date(2026, 12, 31), 1)
    assert deadline == type(deadline)(dt.date(2027, 1, 4), provisional=True)
