"""Working-day arithmetic for time limits, with chinese-calendar's official calendar.

chinese-calendar knows public holidays and adjusted working days (调休) for the years its
data covers. Beyond them a date counts as a working day when it is Monday to Friday and not one
of the holidays fixed on the Gregorian calendar by the State Council's Measures on National
Holidays (全国年节及纪念日放假办法, art. 2 as revised 2024-11-10): New Year's Day (1 January),
Labour Day (1-2 May) and National Day (1-3 October). The lunar holidays and the adjusted
Saturdays are announced each year, so such a result says it is provisional: a deadline is never
silently computed on a guess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar

# (month, day) of the statutory holidays fixed on the Gregorian calendar (see the docstring).
FIXED_STATUTORY_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    provisional: bool  # True when a day outside the official calendar's data was counted


# The calendar is data fixed for the process's life: a day's answer never changes, and a
# queue page asks about the same few hundred days for every case on it.
@lru_cache(maxsize=8192)
def is_working_day(day: dt.date) -> tuple[bool, bool]:
    """Whether ``day`` is a working day, and whether the official data covered it.

    Outside the data, a fixed statutory holiday is never a working day and any other Monday to
    Friday is (provisionally) one.
    """
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        if (day.month, day.day) in FIXED_STATUTORY_HOLIDAYS:
            return False, False
        return day.weekday() < 5, False


def add_working_days(start: dt.date, days: int) -> Deadline:
    """The date ``days`` working days after ``start`` (the day of filing does not count)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day, counted, provisional = start, 0, False
    while counted < days:
        day += dt.timedelta(days=1)
        working, known = is_working_day(day)
        provisional = provisional or not known
        if working:
            counted += 1
    return Deadline(day, provisional)


@lru_cache(maxsize=8192)
def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day)[0]:
            count += 1
    return count
