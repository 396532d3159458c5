"""Small value objects shared by the rules: months, ages, money."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import total_ordering

CENT = Decimal("0.01")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


#: The most characters of a refused input a message quotes back: enough to recognise a
#: typing slip, never a wall of pasted text.
ECHO_LIMIT = 32


def echoed(value: object) -> str:
    """A refused input as a message quotes it: ``repr`` of at most ``ECHO_LIMIT``
    characters, an ellipsis marking the cut."""
    text = str(value)
    return repr(text if len(text) <= ECHO_LIMIT else text[:ECHO_LIMIT] + "…")


class RuleError(ValueError):
    """Input a rule cannot accept, with a message in Chinese and English."""

    def __init__(self, zh: str, en: str, *, code: str = "invalid") -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en
        self.code = code


def money(value: Decimal | int | str) -> Decimal:
    """Round to 0.01 with ROUND_HALF_UP, the rounding the rules state."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@total_ordering
@dataclass(frozen=True)
class YearMonth:
    """A calendar month, the unit of contribution records and retirement dates."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise RuleError(
                f"月份应为1至12，收到{self.month}。",
                f"The month must be 1 to 12, got {self.month}.",
                code="month",
            )
        if not 1900 <= self.year <= 2200:
            raise RuleError(
                f"年份应在1900至2200之间，收到{self.year}。",
                f"The year must be 1900 to 2200, got {self.year}.",
                code="year",
            )

    @classmethod
    def parse(cls, text: str) -> YearMonth:
        """Parse ``YYYY-MM``."""
        match = _YEAR_MONTH.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise RuleError(
                f"月份格式应为YYYY-MM，收到{echoed(text)}。",
                f"A month must be written YYYY-MM, got {echoed(text)}.",
                code="format",
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def index(self) -> int:
        """Months since year 0, for arithmetic."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> YearMonth:
        return cls(index // 12, index % 12 + 1)

    def plus(self, months: int) -> YearMonth:
        return YearMonth.from_index(self.index + months)

    def months_until(self, other: YearMonth) -> int:
        """``other`` minus ``self`` in months."""
        return other.index - self.index

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, YearMonth):
            return NotImplemented
        return self.index < other.index

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Age:
    """An age in whole years and months (60 years 4 months)."""

    years: int
    months: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.months <= 11 or not 0 <= self.years <= 130:
            raise RuleError(
                "年龄应为0至130岁、0至11个月。",
                "An age is 0 to 130 years and 0 to 11 months.",
                code="age",
            )

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    @classmethod
    def of_months(cls, months: int) -> Age:
        return cls(months // 12, months % 12)

    def __str__(self) -> str:
        return f"{self.years}y{self.months}m" if self.months else f"{self.years}y"
