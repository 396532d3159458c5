"""Whether and when a person may retire: the statutory month, the flexible window, the
minimum contribution, and when it is not met the two ways to meet it with their prices.

Months counted are those recorded in the ledger before the month of retirement, plus, while
the person is employed, the months still to come until then (their employer declares them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from onestop.applications.prefill import retirement_category
from onestop.common.errors import ServiceError
from onestop.contributions import selectors as contributions
from onestop.identity.models import Person
from onestop.parameters import selectors as parameters
from onestop.rules.retirement import (
    RetirementDate,
    Shortfall,
    flexible_retirement_check,
    minimum_contribution_months,
    shortfall,
    statutory_retirement,
)
from onestop.rules.values import RuleError, YearMonth


@dataclass(frozen=True)
class Outlook:
    statutory: RetirementDate | None  # None: a woman whose post (and so category) is unknown
    target: YearMonth  # the month asked about (the statutory one unless chosen)
    recorded_months: int
    projected_months: int
    minimum_months: int
    shortfall: Shortfall | None
    prices_year: int | None

    @property
    def months(self) -> int:
        return self.recorded_months + self.projected_months


def _this_month(today: dt.date) -> YearMonth:
    return YearMonth(today.year, today.month)


def outlook(
    *,
    person: Person,
    today: dt.date,
    chosen: YearMonth | None = None,
    statement: contributions.Statement | None = None,
) -> Outlook:
    category = retirement_category(person)
    birth = YearMonth(person.birth_date.year, person.birth_date.month)
    statutory = statutory_retirement(birth=birth, category=category) if category else None
    target = chosen or (statutory.retirement_month if statutory else _this_month(today))
    periods = sorted(
        {
            m.period
            for m in (statement or contributions.statement_of(person=person)).months
            if m.period < str(target) and m.paid  # months declared but unpaid do not count
        }
    )
    projected = 0
    if contributions.current_employer_id(person=person) is not None:
        start = _this_month(today)
        if periods:
            start = max(start, YearMonth.parse(periods[-1]).plus(1))
        projected = max(0, start.months_until(target))
    if statutory is not None and target >= statutory.retirement_month:
        minimum = statutory.minimum_contribution_months  # late: the statutory year's
    else:
        minimum = minimum_contribution_months(target.year)
    province = person.region.code[:2] + "0000"
    year = parameters.latest_year(province=province)
    gap = None
    if year is not None:
        prices = parameters.province_year(province=province, year=year)
        gap = shortfall(
            contribution_months=len(periods) + projected,
            minimum_months=minimum,
            from_month=max(target, _this_month(today)),
            average_wage=prices.average_wage,
            floor_ratio=prices.rates.base_floor_ratio,
            rate=prices.rates.flexible_total,
        )
    return Outlook(statutory, target, len(periods), projected, minimum, gap, year)


def shortfall_message(gap: Shortfall, months: int, minimum: int) -> ServiceError:
    return ServiceError(
        f"累计缴费{months}个月，不足最低缴费年限{minimum}个月，差{gap.gap_months}个月。"
        f"可继续按月缴费至{gap.keep_paying_until}（按最低基数{gap.monthly_base}，每月"
        f"{gap.monthly_amount}元），或一次性补缴{gap.lump_sum}元后申请。",
        f"{months} contribution months is short of the minimum {minimum} by {gap.gap_months}. "
        f"Keep paying monthly until {gap.keep_paying_until} ({gap.monthly_amount} a month at the "
        f"lowest base {gap.monthly_base}), or pay {gap.lump_sum} at once, then apply.",
        code="minimum",
    )


def retirement_check(*, person: Person, answers: dict[str, Any], today: dt.date) -> None:
    """Refuse a retirement month the person may not choose: outside the flexible window, or
    an early retirement asked less than three months ahead. The minimum contribution is a
    condition the agency decides on (the case is accepted and the award shows the shortfall
    and both options), not a form error."""
    try:
        chosen = YearMonth.parse(str(answers.get("retirement_month", "")))
    except RuleError as exc:
        raise ServiceError(exc.zh, exc.en, code="retirement_month") from exc
    category = retirement_category(person)
    if category is None:
        return  # a woman whose post is unknown: the reviewer establishes the category
    birth = YearMonth(person.birth_date.year, person.birth_date.month)
    check = flexible_retirement_check(
        statutory=statutory_retirement(birth=birth, category=category),
        chosen=chosen,
        contribution_months=0,
        requested_on=_this_month(today),
    )
    problems = [r for r in check.reasons if r.code != "minimum"]
    if problems:
        raise ServiceError(
            "".join(r.zh for r in problems), " ".join(r.en for r in problems), code="window"
        )


def shortfall_facts(seen: Outlook) -> dict[str, Any] | None:
    """The shortfall and its two options as plain values (for the award and the API)."""
    gap = seen.shortfall
    if gap is None:
        return None
    return {
        "gap_months": gap.gap_months,
        "monthly_base": f"{gap.monthly_base:.2f}",
        "monthly_amount": f"{gap.monthly_amount:.2f}",
        "keep_paying_until": str(gap.keep_paying_until),
        "keep_paying_total": f"{gap.keep_paying_total:.2f}",
        "lump_sum": f"{gap.lump_sum:.2f}",
        "prices_year": seen.prices_year,
    }
