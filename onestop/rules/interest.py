"""Individual account interest with the national book rate.

Source D5 (MOHRSS 〔2017〕31: one national book rate a year from 2016, published mid next year).
Two crediting methods, chosen by provincial policy:

* annual: ``interest = B_prev * r + C * r * 1.083 * 1/2`` (1.083 * 1/2 = 6.5/12 is the average
  time a month's credit earns when each month's credit earns from its own month to December);
* month-product: each monthly credit ``c_j`` earns ``r * (13 - j) / 12``.

A part year (retirement or transfer in month ``m``) credits up to and including month ``m``:
the opening balance earns ``r * m / 12``; under the annual method the year's contributions
earn ``r * 1.083 * 1/2 * m / 12``; under month-product credit ``j`` earns ``r * (m - j + 1)/12``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from onestop.rules.values import RuleError, money

ANNUAL_FACTOR = Decimal("1.083")


class Method(StrEnum):
    ANNUAL = "annual"
    MONTH_PRODUCT = "month_product"


#: National book interest rates (D5 and the yearly MOHRSS/MOF notices).
BOOK_RATES: dict[int, Decimal] = {
    2016: Decimal("0.0831"),
    2017: Decimal("0.0712"),
    2018: Decimal("0.0829"),
    2019: Decimal("0.0761"),
    2020: Decimal("0.0604"),
    2021: Decimal("0.0669"),
    2022: Decimal("0.0612"),
    2023: Decimal("0.0397"),
    2024: Decimal("0.0262"),
}


class RateMissing(RuleError):
    """No book rate is published for the year and no provisional rate was given."""


def book_rate(
    year: int, *, rates: Mapping[int, Decimal] = BOOK_RATES, provisional: Decimal | None = None
) -> tuple[Decimal, bool]:
    """The rate of ``year`` and whether it is provisional. Never a silent default."""
    if year in rates:
        return rates[year], False
    if provisional is not None:
        return provisional, True
    raise RateMissing(
        f"{year}年记账利率尚未公布，请提供临时利率。",
        f"No book rate is published for {year}; give a provisional rate.",
        code="rate_missing",
    )


@dataclass(frozen=True)
class YearInterest:
    rate: Decimal
    interest: Decimal
    closing_balance: Decimal


def credit_year(
    *,
    opening_balance: Decimal,
    contributions: Decimal | Sequence[Decimal],
    rate: Decimal,
    method: Method = Method.ANNUAL,
    months: int = 12,
) -> YearInterest:
    """Interest and closing balance of one year (or its first ``months`` months).

    ``contributions`` is the year's total for the annual method, or the monthly credits
    (January first) for month-product. Rounded once to 0.01.
    Example (pension-rules §2): B_prev 100000.00, C 9600.00, r 2.62% -> 2756.20, 112356.20.
    """
    if not 1 <= months <= 12:
        raise RuleError("计息月数应为1至12。", "Months credited must be 1 to 12.", code="months")
    if opening_balance < 0:
        raise RuleError(
            "期初余额不能为负数。", "The opening balance cannot be negative.", code="negative"
        )
    if isinstance(contributions, Decimal):
        if method is Method.MONTH_PRODUCT:
            raise RuleError(
                "按月积数法需要逐月缴费额。",
                "The month-product method needs the monthly credits.",
                code="monthly",
            )
        total = contributions
        monthly: Sequence[Decimal] = ()
    else:
        monthly = list(contributions)
        if len(monthly) > months:
            raise RuleError(
                "逐月缴费额多于计息月数。",
                "More monthly credits than months credited.",
                code="monthly",
            )
        total = sum(monthly, Decimal(0))
    if total < 0 or any(c < 0 for c in monthly):
        raise RuleError("缴费额不能为负数。", "Contributions cannot be negative.", code="negative")
    share = Decimal(months) / 12
    if method is Method.ANNUAL:
        raw = opening_balance * rate * share + total * rate * ANNUAL_FACTOR / 2 * share
    else:
        raw = opening_balance * rate * share + sum(
            (c * rate * (months - j) / 12 for j, c in enumerate(monthly)), Decimal(0)
        )
    interest = money(raw)
    return YearInterest(rate, interest, money(opening_balance + total + interest))
