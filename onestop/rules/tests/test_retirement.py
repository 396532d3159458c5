"""Retirement age (D1), flexible window (D2), minimum contributions: examples and properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from onestop.rules.retirement import (
    SCHEDULES,
    Category,
    Shortfall,
    delay_months,
    flexible_retirement_check,
    minimum_contribution_months,
    parse_category,
    shortfall,
    statutory_retirement,
)
from onestop.rules.values import Age, RuleError, YearMonth


def test_man_born_1966_01_retires_2026_05_at_60y4m() -> None:
    """pension-rules §4 example."""
    r = statutory_retirement(birth=YearMonth(1966, 1), category=Category.MALE)
    assert r.delay_months == 4
    assert r.statutory_age == Age(60, 4)
    assert r.retirement_month == YearMonth(2026, 5)
    assert r.earliest_month == YearMonth(2026, 1)  # never below the original age 60
    assert r.latest_month == YearMonth(2029, 5)
    assert r.minimum_contribution_months == 180


def test_woman_50_born_1975_03_retires_2025_05() -> None:
    """pension-rules §4 example."""
    r = statutory_retirement(birth=YearMonth(1975, 3), category=Category.FEMALE_50)
    assert (r.delay_months, r.retirement_month, r.statutory_age) == (
        2,
        YearMonth(2025, 5),
        Age(50, 2),
    )


@pytest.mark.parametrize(
    ("category", "birth", "delay", "month"),
    [
        (Category.MALE, YearMonth(1964, 12), 0, YearMonth(2024, 12)),
        (Category.MALE, YearMonth(1965, 1), 1, YearMonth(2025, 2)),
        (Category.MALE, YearMonth(1965, 4), 1, YearMonth(2025, 5)),
        (Category.MALE, YearMonth(1965, 5), 2, YearMonth(2025, 7)),
        (Category.MALE, YearMonth(1976, 12), 36, YearMonth(2039, 12)),
        (Category.MALE, YearMonth(1990, 1), 36, YearMonth(2053, 1)),
        (Category.FEMALE_55, YearMonth(1969, 12), 0, YearMonth(2024, 12)),
        (Category.FEMALE_55, YearMonth(1970, 1), 1, YearMonth(2025, 2)),
        (Category.FEMALE_55, YearMonth(1981, 12), 36, YearMonth(2039, 12)),
        (Category.FEMALE_50, YearMonth(1975, 1), 1, YearMonth(2025, 2)),
        (Category.FEMALE_50, YearMonth(1984, 12), 60, YearMonth(2039, 12)),
    ],
)
def test_schedule_edges(category: Category, birth: YearMonth, delay: int, month: YearMonth) -> None:
    r = statutory_retirement(birth=birth, category=category)
    assert (r.delay_months, r.retirement_month) == (delay, month)


def test_minimum_contribution_by_year() -> None:
    assert [minimum_contribution_months(y) for y in (2025, 2029, 2030, 2031, 2038, 2039, 2050)] == [
        180,
        180,
        186,
        192,
        234,
        240,
        240,
    ]


MONTHS = st.builds(YearMonth, st.integers(1930, 2010), st.integers(1, 12))
CATEGORIES = st.sampled_from(list(Category))


@given(CATEGORIES, MONTHS, MONTHS)
def test_delay_is_monotone_in_birth_month_and_capped(
    category: Category, a: YearMonth, b: YearMonth
) -> None:
    early, late = min(a, b), max(a, b)
    d_early = delay_months(birth=early, category=category)
    d_late = delay_months(birth=late, category=category)
    assert 0 <= d_early <= d_late <= SCHEDULES[category].max_delay_months


@given(CATEGORIES, MONTHS)
def test_window_contains_statutory_month_and_respects_original_age(
    category: Category, birth: YearMonth
) -> None:
    r = statutory_retirement(birth=birth, category=category)
    assert r.earliest_month <= r.retirement_month <= r.latest_month
    assert birth.months_until(r.earliest_month) >= r.original_age.total_months
    assert r.retirement_month.months_until(r.latest_month) == 36


def test_flexible_early_retirement_rules() -> None:
    r = statutory_retirement(birth=YearMonth(1970, 1), category=Category.MALE)
    assert (r.delay_months, r.retirement_month) == (16, YearMonth(2031, 5))
    assert r.earliest_month == YearMonth(2030, 1)  # the original age 60 comes first
    ok = flexible_retirement_check(
        statutory=r,
        chosen=YearMonth(2030, 1),
        contribution_months=186,
        requested_on=YearMonth(2029, 9),
    )
    assert ok.allowed and ok.minimum_contribution_months == 186
    short = flexible_retirement_check(
        statutory=r, chosen=YearMonth(2030, 1), contribution_months=185
    )
    assert [e.code for e in short.reasons] == ["minimum"]
    too_early = flexible_retirement_check(
        statutory=r,
        chosen=YearMonth(2029, 12),
        contribution_months=300,
        requested_on=YearMonth(2029, 11),
    )
    assert [e.code for e in too_early.reasons] == ["window", "notice"]


def test_late_retirement_uses_the_statutory_years_minimum() -> None:
    r = statutory_retirement(birth=YearMonth(1970, 1), category=Category.MALE)
    late = flexible_retirement_check(
        statutory=r, chosen=YearMonth(2033, 1), contribution_months=192
    )
    assert late.allowed and late.minimum_contribution_months == 192
    too_late = flexible_retirement_check(
        statutory=r, chosen=YearMonth(2034, 6), contribution_months=300
    )
    assert [e.code for e in too_late.reasons] == ["window"]


def test_parsing_and_bad_input() -> None:
    assert YearMonth.parse("2026-05") == YearMonth(2026, 5)
    assert str(YearMonth(2026, 5)) == "2026-05"
    assert parse_category("female_55") is Category.FEMALE_55
    for bad in ("2026-13", "2026-00", "26-05", "2026/05", "abcd-ef", "0999-01"):
        with pytest.raises(RuleError) as error:
            YearMonth.parse(bad)
        assert error.value.zh and error.value.en
    with pytest.raises(RuleError):
        parse_category("female_60")
    with pytest.raises(RuleError):
        Age(60, 12)
    assert Age.of_months(724) == Age(60, 4) and str(Age(60, 4)) == "60y4m" and str(Age(60)) == "60y"
    assert YearMonth(2026, 1).__lt__("2026-02") is NotImplemented


def test_shortfall_prices_both_options_at_the_lowest_base() -> None:
    gap = shortfall(
        contribution_months=170,
        minimum_months=180,
        from_month=YearMonth(2026, 1),
        average_wage=Decimal("8000"),
        floor_ratio=Decimal("0.6"),
        rate=Decimal("0.20"),
    )
    assert gap == Shortfall(
        gap_months=10,
        monthly_base=Decimal("4800.00"),
        monthly_amount=Decimal("960.00"),
        keep_paying_until=YearMonth(2026, 10),
        keep_paying_total=Decimal("9600.00"),
        lump_sum=Decimal("9600.00"),
    )


def test_no_shortfall_when_the_minimum_is_met() -> None:
    kwargs = {
        "minimum_months": 180,
        "from_month": YearMonth(2026, 1),
        "average_wage": Decimal("8000"),
        "floor_ratio": Decimal("0.6"),
        "rate": Decimal("0.2"),
    }
    assert shortfall(contribution_months=180, **kwargs) is None  # type: ignore[arg-type]
    assert shortfall(contribution_months=300, **kwargs) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("months", "wage", "rate"),
    [(-1, "8000", "0.2"), (10, "0", "0.2"), (10, "8000", "0"), (10, "8000", "1")],
)
def test_shortfall_refuses_nonsense(months: int, wage: str, rate: str) -> None:
    with pytest.raises(RuleError) as caught:
        shortfall(
            contribution_months=months,
            minimum_months=180,
            from_month=YearMonth(2026, 1),
            average_wage=Decimal(wage),
            floor_ratio=Decimal("0.6"),
            rate=Decimal(rate),
        )
    assert caught.value.code == "shortfall"


@given(st.integers(min_value=0, max_value=239), st.integers(min_value=180, max_value=240))
@example(239, 180)  # both branches on every run (the coverage gate counts this file)
@example(0, 180)
def test_shortfall_gap_and_schedule_agree(months: int, minimum: int) -> None:
    start = YearMonth(2027, 3)
    gap = shortfall(
        contribution_months=months,
        minimum_months=minimum,
        from_month=start,
        average_wage=Decimal("7000"),
        floor_ratio=Decimal("0.6"),
        rate=Decimal("0.2"),
    )
    if months >= minimum:
        assert gap is None
    else:
        assert gap is not None
        assert months + gap.gap_months == minimum
        assert start.months_until(gap.keep_paying_until) + 1 == gap.gap_months
        assert gap.lump_sum == gap.monthly_amount * gap.gap_months
