"""What other contexts receive: the parameters of a province and year as rule objects."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from onestop.rules.adjustment import AdjustmentRule
from onestop.rules.award import CoefficientTransitional, DivisorPolicy
from onestop.rules.contributions import Rates
from onestop.rules.interest import Method
from onestop.rules.survivor import SurvivorPolicy


@dataclass(frozen=True)
class ProvinceYear:
    province: str
    year: int
    version: int
    average_wage: Decimal
    benefit_base: Decimal
    rates: Rates
    interest_method: Method
    divisor_policy: DivisorPolicy
    transitional: CoefficientTransitional | None
    adjustment: AdjustmentRule | None
    sources: str
    # The income behind survivors' benefits (None until published) and the schedule.
    residents_monthly_income: Decimal | None = None
    survivor: SurvivorPolicy | None = None
    # The unemployment benefit: the minimum wage (None until published) and its share.
    minimum_wage: Decimal | None = None
    unemployment_benefit_share: Decimal = Decimal("0.9")
    # The medical insurance contribution paid for a benefit recipient each month (or None).
    unemployment_medical_contribution: Decimal | None = None

    @property
    def reference(self) -> str:
        """How a result names the data it used, e.g. ``610000/2025/v2``."""
        return f"{self.province}/{self.year}/v{self.version}"


@dataclass(frozen=True)
class Rate:
    year: int
    rate: Decimal
    provisional: bool
    version: int
    source: str
