"""Contribution bases and amounts, by kind of insurance, and the late-payment surcharge.

Sources: D4 (Guobanfa 〔2019〕13: employer pension rate 16%, bases within 60%-300% of the
average wage used for bases), D3 (individual 8%, all to the individual account), D7 (Social
Insurance Law; art. 86 late payment 0.05% a day), D11 (Social Insurance Law arts. 10, 12:
individual payers such as flexible workers pay themselves, by a frequency the province offers).
Rates are parameters: a province may differ.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from onestop.rules.values import RuleError, YearMonth, echoed, money


class Insurance(StrEnum):
    PENSION = "pension"
    UNEMPLOYMENT = "unemployment"
    WORK_INJURY = "work_injury"


@dataclass(frozen=True)
class Rates:
    """Rates of one province and year (fractions: 0.16 is 16%)."""

    pension_employer: Decimal = Decimal("0.16")
    pension_individual: Decimal = Decimal("0.08")
    flexible_total: Decimal = Decimal("0.20")
    flexible_to_account: Decimal = Decimal("0.08")
    unemployment_employer: Decimal = Decimal("0.005")
    unemployment_individual: Decimal = Decimal("0.005")
    #: Work injury: employer only, by industry risk class 1..8 (base rates per class).
    work_injury_by_class: tuple[Decimal, ...] = (
        Decimal("0.002"),
        Decimal("0.004"),
        Decimal("0.007"),
        Decimal("0.009"),
        Decimal("0.011"),
        Decimal("0.013"),
        Decimal("0.015"),
        Decimal("0.019"),
    )
    base_floor_ratio: Decimal = Decimal("0.6")
    base_ceiling_ratio: Decimal = Decimal("3")
    late_daily_rate: Decimal = Decimal("0.0005")


@dataclass(frozen=True)
class Contribution:
    insurance: Insurance
    base: Decimal
    employer: Decimal
    individual: Decimal
    to_account: Decimal

    @property
    def total(self) -> Decimal:
        return self.employer + self.individual

    @property
    def pooled(self) -> Decimal:
        """What goes to the pooled fund: everything not credited to the individual account."""
        return self.total - self.to_account


def _non_negative(value: Decimal, what_zh: str, what_en: str) -> None:
    if value < 0:
        raise RuleError(
            f"{what_zh}不能为负数。", f"The {what_en} cannot be negative.", code="negative"
        )


def _positive_average(average_wage: Decimal) -> None:
    if average_wage <= 0:
        raise RuleError(
            "平均工资必须大于零。", "The average wage must be positive.", code="average_wage"
        )


def contribution_base(*, wage: Decimal, average_wage: Decimal, rates: Rates) -> Decimal:
    """``min(max(wage, 60% A), 300% A)`` rounded to 0.01 (D4)."""
    _non_negative(wage, "工资", "wage")
    _positive_average(average_wage)
    floor = average_wage * rates.base_floor_ratio
    ceiling = average_wage * rates.base_ceiling_ratio
    return money(min(max(wage, floor), ceiling))


@dataclass(frozen=True)
class BaseBound:
    """A wage outside [60%, 300%] of the average wage, and the base it gives (D4)."""

    bound: str  # "floor" (raised) or "cap" (lowered)
    ratio: Decimal  # 0.6 or 3: the fraction of the average wage the base is
    base: Decimal

    @property
    def percent(self) -> str:
        """The ratio as a percentage without trailing zeros: ``60``, ``300``."""
        return f"{(self.ratio * 100).normalize():f}"


def base_bound(*, wage: Decimal, average_wage: Decimal, rates: Rates) -> BaseBound | None:
    """Which bound of D4 sets the base of ``wage``: ``None`` when the base is the wage
    itself, else the floor (60% of the average wage) it was raised to or the cap (300%) it
    was lowered to. Example (pension-rules §1): A 8000, wage 3000 -> floor, base 4800.00;
    wage 30000 -> cap, base 24000.00; wage 8000 -> None."""
    base = contribution_base(wage=wage, average_wage=average_wage, rates=rates)
    if base == money(wage):
        return None
    if wage < base:
        return BaseBound("floor", rates.base_floor_ratio, base)
    return BaseBound("cap", rates.base_ceiling_ratio, base)


def pension_contribution(*, wage: Decimal, average_wage: Decimal, rates: Rates) -> Contribution:
    """Employee's pension contribution: employer 16% and individual 8% of the base (D3, D4).

    The individual part goes wholly to the individual account.
    Example (pension-rules §1): A 8000, wage 3000 -> base 4800.00, employer 768.00,
    individual 384.00.
    """
    base = contribution_base(wage=wage, average_wage=average_wage, rates=rates)
    individual = money(base * rates.pension_individual)
    return Contribution(
        Insurance.PENSION, base, money(base * rates.pension_employer), individual, individual
    )


def flexible_contribution(
    *, chosen_base: Decimal, average_wage: Decimal, rates: Rates
) -> Contribution:
    """Flexible employment: 20% of a base chosen within 60%-300%, 8% of it to the account.

    A chosen base outside the range is refused rather than clamped: the person chose it.
    """
    _non_negative(chosen_base, "缴费基数", "base")
    _positive_average(average_wage)
    floor = money(average_wage * rates.base_floor_ratio)
    ceiling = money(average_wage * rates.base_ceiling_ratio)
    if not floor <= chosen_base <= ceiling:
        raise RuleError(
            f"灵活就业缴费基数应在{floor}至{ceiling}之间。",
            f"A flexible-employment base must be between {floor} and {ceiling}.",
            code="base_range",
        )
    base = money(chosen_base)
    return Contribution(
        Insurance.PENSION,
        base,
        Decimal("0.00"),
        money(base * rates.flexible_total),
        money(base * rates.flexible_to_account),
    )


class Frequency(StrEnum):
    """How often an individual payer pays (D11 art. 12; the choices are provincial policy)."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"


#: Months one payment covers; periods are calendar-aligned (quarters from January, April,
#: July and October; half-years from January and July; years from January).
FREQUENCY_MONTHS: dict[Frequency, int] = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.YEARLY: 12,
}


#: Each frequency's Chinese name, for refusals that list the codes to a Chinese reader.
FREQUENCY_ZH: dict[Frequency, str] = {
    Frequency.MONTHLY: "按月",
    Frequency.QUARTERLY: "按季",
    Frequency.HALF_YEARLY: "按半年",
    Frequency.YEARLY: "按年",
}


def parse_frequency(text: str) -> Frequency:
    """The frequency named by its code, or a ``RuleError`` listing the codes (in Chinese
    with each code's name)."""
    try:
        return Frequency(text)
    except ValueError:
        codes = ", ".join(f.value for f in Frequency)
        named = "、".join(f"{FREQUENCY_ZH[f]}（{f.value}）" for f in Frequency)
        raise RuleError(
            f"未知的缴费方式{echoed(text)}，可选：{named}。",
            f"Unknown payment frequency {echoed(text)}; use one of {codes}.",
            code="frequency",
        ) from None


@dataclass(frozen=True)
class PeriodDue:
    """What an individual payer owes for one payment period of ``months`` months."""

    monthly: Contribution
    frequency: Frequency
    first_month: YearMonth
    last_month: YearMonth
    months: int
    amount: Decimal
    to_account: Decimal
    pooled: Decimal


def flexible_period(*, frequency: Frequency, month: YearMonth) -> tuple[YearMonth, YearMonth]:
    """The calendar-aligned payment period of ``frequency`` that contains ``month``."""
    length = FREQUENCY_MONTHS[frequency]
    first = YearMonth(month.year, (month.month - 1) // length * length + 1)
    return first, first.plus(length - 1)


def flexible_due(
    *,
    chosen_base: Decimal,
    average_wage: Decimal,
    rates: Rates,
    frequency: Frequency,
    month: YearMonth,
) -> PeriodDue:
    """Amount due for the payment period containing ``month`` (D11 art. 12, D3, D4).

    Each month is ``flexible_contribution`` (20% of the chosen base, 8 points of it to the
    individual account, the rest pooled), rounded per month as a monthly payer pays it; the
    period owes that times its months, so any frequency sums to the same year.
    Example (pension-rules §1, A 8000): base 4800, quarterly -> 2880.00, of which 1152.00 to
    the account and 1728.00 pooled.
    """
    monthly = flexible_contribution(chosen_base=chosen_base, average_wage=average_wage, rates=rates)
    first, last = flexible_period(frequency=frequency, month=month)
    months = FREQUENCY_MONTHS[frequency]
    return PeriodDue(
        monthly=monthly,
        frequency=frequency,
        first_month=first,
        last_month=last,
        months=months,
        amount=monthly.individual * months,
        to_account=monthly.to_account * months,
        pooled=monthly.pooled * months,
    )


def unemployment_contribution(
    *, wage: Decimal, average_wage: Decimal, rates: Rates
) -> Contribution:
    """Unemployment insurance on the same base, employer and individual parts (D7 art. 44)."""
    base = contribution_base(wage=wage, average_wage=average_wage, rates=rates)
    return Contribution(
        Insurance.UNEMPLOYMENT,
        base,
        money(base * rates.unemployment_employer),
        money(base * rates.unemployment_individual),
        Decimal("0.00"),
    )


def work_injury_contribution(
    *, wage: Decimal, average_wage: Decimal, risk_class: int, rates: Rates
) -> Contribution:
    """Work-injury insurance: employer only, at the rate of the industry risk class (D7 art. 35)."""
    if not 1 <= risk_class <= len(rates.work_injury_by_class):
        raise RuleError(
            f"行业风险类别应为1至{len(rates.work_injury_by_class)}。",
            f"The industry risk class must be 1 to {len(rates.work_injury_by_class)}.",
            code="risk_class",
        )
    base = contribution_base(wage=wage, average_wage=average_wage, rates=rates)
    rate = rates.work_injury_by_class[risk_class - 1]
    return Contribution(
        Insurance.WORK_INJURY, base, money(base * rate), Decimal("0.00"), Decimal("0.00")
    )


@dataclass(frozen=True)
class EmployeeMonth:
    """One employee's month in a declaration: the base, the bound of D4 that set it
    (``None`` when the base is the wage) and each insurance's parts, as
    ``pension_contribution``, ``unemployment_contribution`` and ``work_injury_contribution``
    give them (work injury ``0.00`` when the employer is not registered for it)."""

    base: Decimal
    bound: BaseBound | None
    pension_employer: Decimal
    pension_individual: Decimal
    unemployment_employer: Decimal
    unemployment_individual: Decimal
    work_injury_employer: Decimal


def employee_month(
    *, average_wage: Decimal, rates: Rates, risk_class: int | None
) -> Callable[[Decimal], EmployeeMonth]:
    """The amounts of a declared wage, for a whole declaration of one province, year and
    employer: the base is computed once per wage instead of once per insurance (D3, D4, D7
    arts. 35, 44), with the same results as the functions per insurance. ``risk_class``
    ``None``: no work-injury insurance. RuleError for a bad average wage or risk class now,
    for a negative wage when it is given."""
    _positive_average(average_wage)
    if risk_class is not None and not 1 <= risk_class <= len(rates.work_injury_by_class):
        raise RuleError(
            f"行业风险类别应为1至{len(rates.work_injury_by_class)}。",
            f"The industry risk class must be 1 to {len(rates.work_injury_by_class)}.",
            code="risk_class",
        )
    floor = average_wage * rates.base_floor_ratio
    ceiling = average_wage * rates.base_ceiling_ratio
    injury = rates.work_injury_by_class[risk_class - 1] if risk_class is not None else None
    zero = Decimal("0.00")

    def amounts(wage: Decimal) -> EmployeeMonth:
        _non_negative(wage, "工资", "wage")
        base = money(min(max(wage, floor), ceiling))
        bound = None
        if base != money(wage):
            bound = (
                BaseBound("floor", rates.base_floor_ratio, base)
                if wage < base
                else BaseBound("cap", rates.base_ceiling_ratio, base)
            )
        individual = money(base * rates.pension_individual)
        return EmployeeMonth(
            base,
            bound,
            money(base * rates.pension_employer),
            individual,
            money(base * rates.unemployment_employer),
            money(base * rates.unemployment_individual),
            money(base * injury) if injury is not None else zero,
        )

    return amounts


def late_surcharge(*, overdue: Decimal, days: int, rates: Rates) -> Decimal:
    """0.05% of the overdue amount per day late (D7 art. 86), rounded once at the end."""
    _non_negative(overdue, "欠缴金额", "overdue amount")
    if days < 0:
        raise RuleError("滞纳天数不能为负数。", "Days late cannot be negative.", code="negative")
    return money(overdue * rates.late_daily_rate * days)


@dataclass(frozen=True)
class LateFee:
    """The surcharge a bill has earned: ``days_late`` is the days it is late today while
    something is owed, else the days it was late when the payment that settled it came."""

    days_late: int
    surcharge: Decimal


def late_fee_accrued(
    *,
    owed: Decimal,
    due_date: dt.date,
    payments: Sequence[tuple[dt.date, Decimal]],
    today: dt.date,
    rates: Rates,
) -> LateFee:
    """The surcharge earned on a bill of ``owed`` due on ``due_date`` (D7 art. 86: 0.05% of
    the overdue amount for each day it is overdue): each payment, taken in date order and
    applied up to what is still owed, earns the days it was late on its paid date; what is
    still owed earns the days late ``today``. Paying the principal late does not undo the
    surcharge already earned. A bill owing nothing (a refund) earns none. Rounded once, at
    the end."""
    remaining = max(owed, Decimal(0))
    exact = Decimal(0)
    days_late = 0
    for paid_on, amount in sorted(payments, key=lambda p: p[0]):
        applied = min(max(amount, Decimal(0)), remaining)
        if applied <= 0:
            continue
        remaining -= applied
        days_late = max(0, (paid_on - due_date).days)
        exact += applied * rates.late_daily_rate * days_late
    if remaining > 0:
        days_late = max(0, (today - due_date).days)
        exact += remaining * rates.late_daily_rate * days_late
    return LateFee(days_late, money(exact))
