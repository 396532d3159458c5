"""The monthly pension at retirement, with its explanation.

Source D3 (Guofa 〔2005〕38): basic pension ``P * (1 + Z) / 2 * N * 1%``; individual account
pension ``balance / divisor(age)`` with D3's divisor table. The transitional pension for years
before the individual-account reform is a provincial formula, plugged in per province.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Protocol

from onestop.rules.values import Age, RuleError, money

#: D3 divisor table (months) by whole retirement age. Some copies print 208 for age 47;
#: this table follows the version in pension-rules.md (207).
DIVISORS: dict[int, int] = {
    40: 233,
    41: 230,
    42: 226,
    43: 223,
    44: 220,
    45: 216,
    46: 212,
    47: 207,
    48: 204,
    49: 199,
    50: 195,
    51: 190,
    52: 185,
    53: 180,
    54: 175,
    55: 170,
    56: 164,
    57: 158,
    58: 152,
    59: 145,
    60: 139,
    61: 132,
    62: 125,
    63: 117,
    64: 109,
    65: 101,
    66: 93,
    67: 84,
    68: 75,
    69: 65,
    70: 56,
}
DIVISOR_SOURCE = "D3 Guofa [2005] 38, annex: months of individual account pension"
TENTH = Decimal("0.1")
ONE_PERCENT = Decimal("0.01")


class DivisorPolicy(StrEnum):
    """Ages with months: no national table, so provincial policy picks one of these."""

    WHOLE_AGE = "whole_age"
    INTERPOLATED = "interpolated"


@dataclass(frozen=True)
class Line:
    """One step of an explanation: what was computed, how, from what, under which rule."""

    label_zh: str
    label_en: str
    formula: str
    value: str
    source: str


def divisor(age: Age, policy: DivisorPolicy) -> Decimal:
    """Months the account pension is divided by, for a retirement age (D3 table).

    Whole-age policy uses the completed years; interpolated takes the straight line between
    the two whole ages, rounded to 0.1 (60y1m -> 138.4).
    """
    if age.years not in DIVISORS or (age.months and age.years + 1 not in DIVISORS):
        raise RuleError(
            f"计发月数表适用于40至70岁，收到{age}。",
            f"The divisor table covers ages 40 to 70, got {age}.",
            code="age",
        )
    low = Decimal(DIVISORS[age.years])
    if policy is DivisorPolicy.WHOLE_AGE or age.months == 0:
        return low
    high = Decimal(DIVISORS[age.years + 1])
    value = low + (high - low) * Decimal(age.months) / 12
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def basic_pension(
    *, benefit_base: Decimal, average_index: Decimal, contribution_months: int
) -> Decimal:
    """``P * (1 + Z) / 2 * N * 1%`` with N in years of months / 12 (D3).

    Example (pension-rules §3): P 11883, Z 1.0, N 25 years -> 2970.75.
    """
    if benefit_base <= 0 or average_index < 0 or contribution_months < 0:
        raise RuleError(
            "计发基数须为正，缴费指数和缴费月数不能为负。",
            "The benefit base must be positive; index and months non-negative.",
            code="negative",
        )
    return money(
        benefit_base * (1 + average_index) / 2 * Decimal(contribution_months) / 12 * ONE_PERCENT
    )


def account_pension(*, balance: Decimal, months: Decimal) -> Decimal:
    """``balance / divisor`` (D3). Example: 100000 at 55 (170) -> 588.24."""
    if balance < 0:
        raise RuleError(
            "个人账户余额不能为负数。", "The account balance cannot be negative.", code="negative"
        )
    return money(balance / months)


class TransitionalFormula(Protocol):
    """A province's transitional pension for deemed (pre-reform) contribution years."""

    @property
    def name(self) -> str: ...

    @property
    def source(self) -> str: ...

    def amount(
        self, *, benefit_base: Decimal, deemed_index: Decimal, deemed_months: int
    ) -> Decimal: ...


@dataclass(frozen=True)
class CoefficientTransitional:
    """The common shape ``P * Z_deemed * N_deemed * k`` (k between 1.0% and 1.4%)."""

    coefficient: Decimal
    source: str
    name: str = "P * Z_deemed * N_deemed * k"

    def amount(
        self, *, benefit_base: Decimal, deemed_index: Decimal, deemed_months: int
    ) -> Decimal:
        if not Decimal("0.01") <= self.coefficient <= Decimal("0.014"):
            raise RuleError(
                "过渡系数应在1.0%至1.4%之间。",
                "The transitional coefficient must be 1.0% to 1.4%.",
                code="coefficient",
            )
        return money(benefit_base * deemed_index * Decimal(deemed_months) / 12 * self.coefficient)


@dataclass(frozen=True)
class AwardInput:
    retirement_age: Age
    contribution_months: int
    average_index: Decimal
    account_balance: Decimal
    benefit_base: Decimal
    divisor_policy: DivisorPolicy
    deemed_months: int = 0
    deemed_index: Decimal | None = None
    transitional: TransitionalFormula | None = None
    benefit_base_source: str = ""


@dataclass(frozen=True)
class Award:
    basic_pension: Decimal
    account_pension: Decimal
    transitional_pension: Decimal
    divisor: Decimal
    benefit_base: Decimal
    explanation: tuple[Line, ...] = field(default_factory=tuple)

    @property
    def total(self) -> Decimal:
        return self.basic_pension + self.account_pension + self.transitional_pension


def pension_award(data: AwardInput) -> Award:
    """The monthly pension and a line-by-line explanation (D3 and the provincial plug-in).

    N counts actual and deemed contribution months; the transitional pension uses the deemed
    months with the deemed index (the average index when none is recorded).
    """
    if data.deemed_months < 0 or data.deemed_months > data.contribution_months + 600:
        raise RuleError("视同缴费月数无效。", "The deemed months are not valid.", code="deemed")
    months_total = data.contribution_months + data.deemed_months
    p, z = data.benefit_base, data.average_index
    basic = basic_pension(benefit_base=p, average_index=z, contribution_months=months_total)
    n_years = Decimal(months_total) / 12
    d = divisor(data.retirement_age, data.divisor_policy)
    account = account_pension(balance=data.account_balance, months=d)
    lines = [
        Line("计发基数 P", "Benefit base P", "input", f"{p}", data.benefit_base_source or "input"),
        Line("平均缴费指数 Z", "Average contribution index Z", "input", f"{z}", "input"),
        Line(
            "缴费年限 N（含视同）",
            "Contribution years N (with deemed)",
            f"({data.contribution_months} + {data.deemed_months}) / 12",
            f"{n_years.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP)}",
            "D3: N counts months / 12 including deemed years",
        ),
        Line(
            "基础养老金",
            "Basic pension",
            f"{p} * (1 + {z}) / 2 * {months_total}/12 * 1%",
            f"{basic}",
            "D3 Guofa [2005] 38, art. 6",
        ),
        Line(
            "计发月数",
            "Divisor",
            f"table({data.retirement_age}, {data.divisor_policy.value})",
            f"{d}",
            DIVISOR_SOURCE,
        ),
        Line(
            "个人账户养老金",
            "Individual account pension",
            f"{money(data.account_balance)} / {d}",
            f"{account}",
            "D3 Guofa [2005] 38, art. 6",
        ),
    ]
    transitional = Decimal("0.00")
    if data.deemed_months and data.transitional is not None:
        deemed_index = data.deemed_index if data.deemed_index is not None else z
        transitional = data.transitional.amount(
            benefit_base=p, deemed_index=deemed_index, deemed_months=data.deemed_months
        )
        lines.append(
            Line(
                "过渡性养老金",
                "Transitional pension",
                f"{data.transitional.name}: {p} * {deemed_index} * {data.deemed_months}/12 * k",
                f"{transitional}",
                data.transitional.source,
            )
        )
    total = basic + account + transitional
    lines.append(
        Line(
            "月养老金合计",
            "Monthly pension, total",
            f"{basic} + {account} + {transitional}",
            f"{total}",
            "sum",
        )
    )
    return Award(basic, account, transitional, d, p, tuple(lines))


def transitional_for(
    province: str, plugins: Mapping[str, TransitionalFormula]
) -> TransitionalFormula | None:
    """The plug-in a province registered, or None (no transitional pension computed)."""
    return plugins.get(province)
