"""Periods as integers YYYYMM."""

from __future__ import annotations

import datetime as dt

from onestop.rules.values import YearMonth


def period_of(month: YearMonth) -> int:
    return month.year * 100 + month.month


def month_of(period: int) -> YearMonth:
    return YearMonth(period // 100, period % 100)


def current_period(today: dt.date) -> int:
    return today.year * 100 + today.month


def parse_period(text: str) -> int:
    """``YYYY-MM`` (or ``YYYYMM``) to an integer period; RuleError when malformed."""
    text = (text or "").strip()
    if len(text) == 6 and text.isdigit():
        text = f"{text[:4]}-{text[4:]}"
    return period_of(YearMonth.parse(text))
