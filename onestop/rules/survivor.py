"""Survivors' benefits at the death of an insured person or a pensioner: the funeral grant
and the survivor benefit (丧葬补助金、抚恤金), and the account balance the heirs inherit.

Sources: D7 art. 17 (survivors of an insured person who died of illness or not at work
receive a funeral grant and a survivor benefit) and art. 14 (the individual account balance
may be inherited); MOHRSS [2021] 18 interim measures on survivors' benefits (the funeral grant
is twice the province's urban residents' monthly disposable income per person of the year
before the death; the survivor benefit is that income times a number of months set by
contribution years). The months schedule is [policy]: each province states a minimum, the
months per whole contribution year and a maximum, as data.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from onestop.rules.values import RuleError, money


@dataclass(frozen=True)
class SurvivorPolicy:
    funeral_multiple: Decimal  # months of income for the funeral grant
    months_min: int
    months_per_year: Decimal
    months_max: int


@dataclass(frozen=True)
class SurvivorBenefits:
    funeral_grant: Decimal
    survivor_months: int
    survivor_benefit: Decimal

    @property
    def total(self) -> Decimal:
        return self.funeral_grant + self.survivor_benefit


def survivor_benefits(
    *, monthly_income: Decimal, contribution_months: int, policy: SurvivorPolicy
) -> SurvivorBenefits:
    """Funeral grant ``income * multiple``; survivor benefit ``income * months`` where months
    is ``whole contribution years * months_per_year`` (rounded down) kept within the
    province's minimum and maximum. Each amount rounded once to 0.01."""
    if monthly_income <= 0:
        raise RuleError("月人均可支配收入应为正数。", "The monthly income must be positive.")
    if contribution_months < 0:
        raise RuleError("缴费月数不能为负数。", "Contribution months cannot be negative.")
    if not 0 <= policy.months_min <= policy.months_max or policy.months_per_year < 0:
        raise RuleError("抚恤金月数政策无效。", "The survivor months policy is not valid.")
    by_years = int(Decimal(contribution_months // 12) * policy.months_per_year)
    months = min(max(by_years, policy.months_min), policy.months_max)
    return SurvivorBenefits(
        funeral_grant=money(monthly_income * policy.funeral_multiple),
        survivor_months=months,
        survivor_benefit=money(monthly_income * months),
    )


def inheritable_balance(
    *, account_balance: Decimal, account_pension: Decimal, months_paid: int
) -> Decimal:
    """What is left of a pensioner's individual account (D7 art. 14): the balance at
    retirement less the account part of each month's pension paid, never below zero (the
    pooled fund pays on once the account is used up)."""
    if account_balance < 0 or account_pension < 0 or months_paid < 0:
        raise RuleError("账户余额、账户养老金和月数不能为负数。", "Amounts cannot be negative.")
    return max(money(account_balance - account_pension * months_paid), Decimal("0.00"))
