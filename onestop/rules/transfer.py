"""Transfer of pension relations between provinces and who pays the pension.

Source D6 (Guobanfa 〔2009〕66, interim measures on transfer and continuation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from onestop.rules.values import RuleError, YearMonth, money

POOLED_SHARE = Decimal("0.12")
POOLED_FROM = YearMonth(1998, 1)


@dataclass(frozen=True)
class MonthlyBase:
    month: YearMonth
    base: Decimal


def pooled_transfer(bases: Sequence[MonthlyBase]) -> Decimal:
    """12% of the actual contribution bases from 1998-01 on, month by month (D6 art. 4).

    Example (pension-rules §5): base 5000 for 60 months -> 36000.00.
    """
    if any(b.base < 0 for b in bases):
        raise RuleError("缴费基数不能为负数。", "A base cannot be negative.", code="negative")
    return money(sum((b.base for b in bases if b.month >= POOLED_FROM), Decimal(0)) * POOLED_SHARE)


def account_transfer(
    *, balance: Decimal, before_1998_employer_part: Decimal = Decimal(0)
) -> Decimal:
    """The whole individual account moves; of years before 1998 only the individual's own
    part (D6 art. 4), so any employer-funded part of those years stays."""
    if balance < 0 or before_1998_employer_part < 0 or before_1998_employer_part > balance:
        raise RuleError("账户金额无效。", "The account amounts are not valid.", code="amounts")
    return money(balance - before_1998_employer_part)


def keeps_relation_at_old_place(*, male: bool, age_years: int, moving_to_hukou_place: bool) -> bool:
    """Men from 50 and women from 40 moving away from their household-registration place keep
    the relation at the old place; the new place opens a temporary account (D6 art. 6)."""
    if moving_to_hukou_place:
        return False
    return age_years >= (50 if male else 40)


@dataclass(frozen=True)
class Place:
    """A place where the person was insured, in order of time (the last is the current)."""

    code: str
    months: int
    is_hukou_place: bool
    temporary: bool = False


def payer_place(places: Sequence[Place], *, hukou_place: str) -> tuple[str, int]:
    """Who pays the pension: the place's code and the rule number that decided (D6 art. 8).

    (1) the relation is at the household-registration place -> it pays; (2) the current place
    has >= 10 years -> it pays; (3) else the most recent earlier place with >= 10 years;
    (4) else everything gathers at the household-registration place.
    """
    if not places:
        raise RuleError("没有参保地记录。", "No places of insurance.", code="places")
    current = places[-1]
    if current.is_hukou_place and not current.temporary:
        return current.code, 1
    if current.months >= 120 and not current.temporary:
        return current.code, 2
    for place in reversed(places[:-1]):
        if place.months >= 120 and not place.temporary:
            return place.code, 3
    return hukou_place, 4
