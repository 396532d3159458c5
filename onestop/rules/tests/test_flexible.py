"""Flexible employment (individual payers): the chosen base's bounds, the 20% split into the
account's 8 points and the pooled rest, and the amount due per payment frequency."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.rules.contributions import (
    FREQUENCY_MONTHS,
    Frequency,
    Rates,
    flexible_contribution,
    flexible_due,
    flexible_period,
    late_surcharge,
    parse_frequency,
    pension_contribution,
)
from onestop.rules.values import RuleError, YearMonth

RATES = Rates()


def test_published_flexible_example_by_frequency() -> None:
    """pension-rules §1 and §8 with A = 8000: base 4800 -> 960.00 a month, 384.00 to the
    account, 576.00 pooled; a quarter 2880.00, a half-year 5760.00, a year 11520.00."""
    expected = {
        Frequency.MONTHLY: ("960.00", "384.00", "576.00"),
        Frequency.QUARTERLY: ("2880.00", "1152.00", "1728.00"),
        Frequency.HALF_YEARLY: ("5760.00", "2304.00", "3456.00"),
        Frequency.YEARLY: ("11520.00", "4608.00", "6912.00"),
    }
    for frequency, (amount, account, pooled) in expected.items():
        due = flexible_due(
            chosen_base=D("4800"),
            average_wage=D("8000"),
            rates=RATES,
            frequency=frequency,
            month=YearMonth(2026, 1),
        )
        assert (due.amount, due.to_account, due.pooled) == (D(amount), D(account), D(pooled))
        assert due.months == FREQUENCY_MONTHS[frequency]


def test_bounds_are_60_and_300_percent() -> None:
    """Base 4800 and 24000 are the bounds at A = 8000; one cent outside is refused."""
    assert flexible_contribution(
        chosen_base=D("24000"), average_wage=D("8000"), rates=RATES
    ).individual == D("4800.00")
    for base in (D("4799.99"), D("24000.01")):
        with pytest.raises(RuleError) as caught:
            flexible_contribution(chosen_base=base, average_wage=D("8000"), rates=RATES)
        assert caught.value.zh == "灵活就业缴费基数应在4800.00至24000.00之间。"
    with pytest.raises(RuleError) as caught:
        flexible_contribution(chosen_base=D("4800"), average_wage=D("0"), rates=RATES)
    assert caught.value.code == "average_wage"


@pytest.mark.parametrize(
    ("frequency", "month", "first", "last"),
    [
        (Frequency.MONTHLY, YearMonth(2026, 5), YearMonth(2026, 5), YearMonth(2026, 5)),
        (Frequency.QUARTERLY, YearMonth(2026, 5), YearMonth(2026, 4), YearMonth(2026, 6)),
        (Frequency.QUARTERLY, YearMonth(2026, 12), YearMonth(2026, 10), YearMonth(2026, 12)),
        (Frequency.HALF_YEARLY, YearMonth(2026, 6), YearMonth(2026, 1), YearMonth(2026, 6)),
        (Frequency.HALF_YEARLY, YearMonth(2026, 7), YearMonth(2026, 7), YearMonth(2026, 12)),
        (Frequency.YEARLY, YearMonth(2026, 11), YearMonth(2026, 1), YearMonth(2026, 12)),
    ],
)
def test_periods_are_calendar_aligned(
    frequency: Frequency, month: YearMonth, first: YearMonth, last: YearMonth
) -> None:
    assert flexible_period(frequency=frequency, month=month) == (first, last)


def test_parse_frequency() -> None:
    assert parse_frequency("half_yearly") is Frequency.HALF_YEARLY
    with pytest.raises(RuleError) as caught:
        parse_frequency("weekly")
    assert caught.value.code == "frequency"
    assert "monthly, quarterly, half_yearly, yearly" in caught.value.en


def test_pooled_part_of_an_employee_is_the_employer_part() -> None:
    c = pension_contribution(wage=D("3000"), average_wage=D("8000"), rates=RATES)
    assert c.pooled == D("768.00")


def test_late_surcharge_on_a_quarter_as_for_employers() -> None:
    """0.05% a day (Social Insurance Law art. 86): 2880.00 thirty days late -> 43.20."""
    due = flexible_due(
        chosen_base=D("4800"),
        average_wage=D("8000"),
        rates=RATES,
        frequency=Frequency.QUARTERLY,
        month=YearMonth(2026, 7),
    )
    assert late_surcharge(overdue=due.amount, days=30, rates=RATES) == D("43.20")


@given(
    st.decimals(min_value=D("4800"), max_value=D("24000"), places=2),
    st.sampled_from(list(Frequency)),
)
def test_parts_add_up_and_a_year_costs_the_same_in_any_frequency(
    base: D, frequency: Frequency
) -> None:
    due = flexible_due(
        chosen_base=base,
        average_wage=D("8000"),
        rates=RATES,
        frequency=frequency,
        month=YearMonth(2026, 1),
    )
    assert due.to_account + due.pooled == due.amount
    assert due.amount * (12 // due.months) == due.monthly.individual * 12
