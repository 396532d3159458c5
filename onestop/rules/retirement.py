"""Statutory retirement age after the 2024 reform, the flexible window, minimum contributions.

Sources: D1 (NPC Standing Committee decision and State Council measures of 2024-09-13, in force
2025-01-01, annexes 1-3 and articles 2-3) and D2 (MOHRSS 〔2024〕94 on flexible retirement).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from onestop.rules.values import Age, RuleError, YearMonth, echoed, money


class Category(StrEnum):
    """Who the rule applies to. Women's category follows the post held, not the ID (D1)."""

    MALE = "male"
    FEMALE_55 = "female_55"
    FEMALE_50 = "female_50"


@dataclass(frozen=True)
class Schedule:
    """One row of D1's annexes: original age, first affected birth month, pace, cap."""

    original_age_years: int
    first_affected: YearMonth
    birth_months_per_delay: int
    max_delay_months: int


#: D1 annexes 1-3.
SCHEDULES: dict[Category, Schedule] = {
    Category.MALE: Schedule(60, YearMonth(1965, 1), 4, 36),
    Category.FEMALE_55: Schedule(55, YearMonth(1970, 1), 4, 36),
    Category.FEMALE_50: Schedule(50, YearMonth(1975, 1), 2, 60),
}

#: D1 art. 3 / D2: how far the flexible window reaches either side of the statutory date.
FLEXIBLE_MONTHS = 36


@dataclass(frozen=True)
class RetirementDate:
    category: Category
    birth_month: YearMonth
    original_age: Age
    delay_months: int
    statutory_age: Age
    retirement_month: YearMonth
    earliest_month: YearMonth
    latest_month: YearMonth
    minimum_contribution_months: int


def delay_months(*, birth: YearMonth, category: Category) -> int:
    """Months of delay for a birth month (D1 annexes 1-3).

    ``k`` = months from the first affected birth month to the birth month; ``k < 0`` keeps the
    original age, else ``delay = min(cap, k // step + 1)``.
    """
    schedule = SCHEDULES[category]
    k = schedule.first_affected.months_until(birth)
    if k < 0:
        return 0
    return min(schedule.max_delay_months, k // schedule.birth_months_per_delay + 1)


def minimum_contribution_months(year: int) -> int:
    """Minimum contribution for a monthly pension in a retirement year (D1 art. 2).

    180 months up to 2029, then six more each year to 240 from 2039.
    """
    if year <= 2029:
        return 180
    return min(240, 180 + 6 * (year - 2029))


def statutory_retirement(*, birth: YearMonth, category: Category) -> RetirementDate:
    """The statutory retirement month and age, and the flexible window around it (D1, D2).

    Retirement month = birth month + original age + delay. The window reaches 36 months
    earlier, never below the original age, and 36 months later. The minimum contribution is
    the one for retiring at the statutory month.
    """
    schedule = SCHEDULES[category]
    delay = delay_months(birth=birth, category=category)
    original = Age(schedule.original_age_years)
    statutory = Age.of_months(original.total_months + delay)
    retirement = birth.plus(statutory.total_months)
    earliest = max(retirement.plus(-FLEXIBLE_MONTHS), birth.plus(original.total_months))
    return RetirementDate(
        category=category,
        birth_month=birth,
        original_age=original,
        delay_months=delay,
        statutory_age=statutory,
        retirement_month=retirement,
        earliest_month=earliest,
        latest_month=retirement.plus(FLEXIBLE_MONTHS),
        minimum_contribution_months=minimum_contribution_months(retirement.year),
    )


@dataclass(frozen=True)
class FlexibleCheck:
    allowed: bool
    minimum_contribution_months: int
    reasons: tuple[RuleError, ...]


def flexible_retirement_check(
    *,
    statutory: RetirementDate,
    chosen: YearMonth,
    contribution_months: int,
    requested_on: YearMonth | None = None,
) -> FlexibleCheck:
    """Whether retiring in ``chosen`` is allowed (D1 art. 2-3, D2).

    Early retirement: within the window, the minimum of the chosen year met, requested at
    least three months ahead. Late retirement: within the window, the statutory year's minimum
    applies. At the statutory month the minimum of that year applies.
    """
    reasons: list[RuleError] = []
    if chosen < statutory.earliest_month or chosen > statutory.latest_month:
        reasons.append(
            RuleError(
                f"可选退休时间为{statutory.earliest_month}至{statutory.latest_month}。",
                f"Retirement can be chosen from {statutory.earliest_month} to "
                f"{statutory.latest_month}.",
                code="window",
            )
        )
    year = chosen.year if chosen < statutory.retirement_month else (statutory.retirement_month.year)
    minimum = minimum_contribution_months(year)
    if contribution_months < minimum:
        reasons.append(
            RuleError(
                f"累计缴费{contribution_months}个月，不足最低缴费年限{minimum}个月。",
                f"{contribution_months} contribution months is short of the minimum {minimum}.",
                code="minimum",
            )
        )
    if (
        chosen < statutory.retirement_month
        and requested_on is not None
        and requested_on.months_until(chosen) < 3
    ):
        reasons.append(
            RuleError(
                "提前退休应至少提前3个月书面申请。",
                "Early retirement must be requested at least 3 months ahead.",
                code="notice",
            )
        )
    return FlexibleCheck(
        allowed=not reasons, minimum_contribution_months=minimum, reasons=tuple(reasons)
    )


@dataclass(frozen=True)
class Shortfall:
    """Short of the minimum at retirement: the two ways to meet it (D1 art. 2, D2), priced
    at the lowest base (60% of the average wage) and the flexible-employment rate."""

    gap_months: int
    monthly_base: Decimal
    monthly_amount: Decimal
    #: Keep paying monthly from ``from_month``: the last month to pay; retire the month after.
    keep_paying_until: YearMonth
    keep_paying_total: Decimal
    #: Or pay the gap at once and retire at the chosen month.
    lump_sum: Decimal


def shortfall(
    *,
    contribution_months: int,
    minimum_months: int,
    from_month: YearMonth,
    average_wage: Decimal,
    floor_ratio: Decimal,
    rate: Decimal,
) -> Shortfall | None:
    """None when the minimum is met; else the gap and what each option costs.

    Example: 170 of 180 months, average wage 8000, floor 60%, rate 20%: base 4800.00, 960.00 a
    month, 9600.00 at once, or paying from 2026-01 to 2026-10.
    """
    if contribution_months < 0 or average_wage <= 0 or not Decimal(0) < rate < Decimal(1):
        raise RuleError(
            "缴费月数、平均工资或费率无效。",
            "The contribution months, average wage or rate are not valid.",
            code="shortfall",
        )
    gap = minimum_months - contribution_months
    if gap <= 0:
        return None
    base = money(average_wage * floor_ratio)
    monthly = money(base * rate)
    return Shortfall(
        gap_months=gap,
        monthly_base=base,
        monthly_amount=monthly,
        keep_paying_until=from_month.plus(gap - 1),
        keep_paying_total=money(monthly * gap),
        lump_sum=money(monthly * gap),
    )


def parse_category(value: str) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise RuleError(
            f"未知的人员类别{echoed(value)}，应为 male、female_55 或 female_50。",
            f"Unknown category {echoed(value)}; use male, female_55 or female_50.",
            code="category",
        ) from None
