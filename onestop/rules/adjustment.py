"""The annual pension adjustment: a percentage plus a fixed amount, per year and province.

Source: the yearly MOHRSS/MOF notice on adjusting basic pensions (national rate) and each
province's implementing plan (how the rise splits into fixed, linked and tilted parts). This
implements the fixed-plus-percentage form; the parameters are the province's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from onestop.rules.values import RuleError, money


@dataclass(frozen=True)
class AdjustmentRule:
    year: int
    percentage: Decimal
    fixed_amount: Decimal
    source: str = ""


def adjusted_pension(*, current: Decimal, rule: AdjustmentRule) -> Decimal:
    """``current * (1 + percentage) + fixed``, rounded once to 0.01."""
    if current < 0:
        raise RuleError("养老金不能为负数。", "A pension cannot be negative.", code="negative")
    if not Decimal("-0.2") <= rule.percentage <= Decimal("0.2") or rule.fixed_amount < 0:
        raise RuleError("调整比例或定额无效。", "The adjustment rule is not valid.", code="rule")
    return money(current * (1 + rule.percentage) + rule.fixed_amount)
