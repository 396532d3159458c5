"""Survivors' benefits: the funeral grant, the survivor benefit's months schedule and the
inheritable account balance."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.rules.survivor import (
    SurvivorPolicy,
    inheritable_balance,
    survivor_benefits,
)
from onestop.rules.values import RuleError

POLICY = SurvivorPolicy(
    funeral_multiple=Decimal(2), months_min=6, months_per_year=Decimal(1), months_max=24
)


def test_twice_the_income_and_one_month_a_year_within_the_bounds() -> None:
    # 3760.00 a month; 17 years 11 months contributed -> 17 months.
    found = survivor_benefits(
        monthly_income=Decimal("3760.00"), contribution_months=215, policy=POLICY
    )
    assert (found.funeral_grant, found.survivor_months, found.survivor_benefit) == (
        Decimal("7520.00"),
        17,
        Decimal("63920.00"),
    )
    assert found.total == Decimal("71440.00")
    low = survivor_benefits(monthly_income=Decimal("3760"), contribution_months=30, policy=POLICY)
    high = survivor_benefits(monthly_income=Decimal("3760"), contribution_months=480, policy=POLICY)
    assert (low.survivor_months, high.survivor_months) == (6, 24)


@pytest.mark.parametrize(
    ("income", "months", "policy"),
    [
        (Decimal(0), 12, POLICY),
        (Decimal(100), -1, POLICY),
        (Decimal(100), 12, SurvivorPolicy(Decimal(2), 10, Decimal(1), 5)),
        (Decimal(100), 12, SurvivorPolicy(Decimal(2), 1, Decimal(-1), 5)),
    ],
)
def test_bad_inputs_are_refused(income: Decimal, months: int, policy: SurvivorPolicy) -> None:
    with pytest.raises(RuleError):
        survivor_benefits(monthly_income=income, contribution_months=months, policy=policy)


@given(
    income=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2),
    months=st.integers(min_value=0, max_value=720),
)
def test_the_months_stay_within_the_bounds_and_grow_with_years(
    income: Decimal, months: int
) -> None:
    found = survivor_benefits(monthly_income=income, contribution_months=months, policy=POLICY)
    later = survivor_benefits(monthly_income=income, contribution_months=months + 12, policy=POLICY)
    assert 6 <= found.survivor_months <= 24
    assert found.survivor_months <= later.survivor_months <= found.survivor_months + 1
    assert found.survivor_benefit == (income * found.survivor_months).quantize(Decimal("0.01"))


def test_the_inheritable_balance_is_what_the_account_pension_left() -> None:
    # 74469.31 at retirement, 515.36 a month from the account, 21 months paid.
    assert inheritable_balance(
        account_balance=Decimal("74469.31"), account_pension=Decimal("515.36"), months_paid=21
    ) == Decimal("63646.75")
    assert inheritable_balance(
        account_balance=Decimal("1000"), account_pension=Decimal("515.36"), months_paid=3
    ) == Decimal("0.00")
    with pytest.raises(RuleError):
        inheritable_balance(
            account_balance=Decimal("-1"), account_pension=Decimal("1"), months_paid=1
        )
