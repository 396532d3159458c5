"""The public unemployment benefit calculator: the rules fed with the province's versioned
parameters of the year (or the latest published year, said so in the explanation)."""

from __future__ import annotations

from dataclasses import dataclass

from onestop.identity.references import labelled_pair
from onestop.parameters import selectors as parameters
from onestop.rules.award import Line
from onestop.rules.unemployment import Assessment, assess, parse_separation


@dataclass(frozen=True)
class BenefitEstimate:
    assessment: Assessment
    parameters: str
    year: int
    stand_in: bool
    illustrative: bool


def benefit(
    *,
    province: str,
    year: int,
    contribution_months: int,
    separation: str,
    registered_unemployed: bool,
    months_since_last_benefit: int | None = None,
    carried_months: int = 0,
) -> BenefitEstimate:
    """How long and how much unemployment benefit a person could draw (D10 arts. 14, 17, 18).

    ``contribution_months`` are all months the employers and the person paid unemployment
    insurance; ``months_since_last_benefit`` those since an earlier benefit ended (counted
    afresh, art. 17), ``None`` for a first claim; ``carried_months`` the earlier spell's
    unused months.
    """
    data, stand_in = parameters.province_year_or_latest(
        province=parameters.known_province(province), year=year
    )
    if data.minimum_wage is None:
        zh, en = labelled_pair(data.reference)
        raise parameters.ParametersMissing(
            f"{zh}尚未公布最低工资标准，无法计算失业保险金。",
            f"{en} state no minimum wage, so the benefit cannot be computed.",
            code="minimum_wage_missing",
        )
    counted = (
        contribution_months if months_since_last_benefit is None else months_since_last_benefit
    )
    found = assess(
        lifetime_contribution_months=contribution_months,
        contribution_months=counted,
        carried_months=carried_months,
        separation=parse_separation(separation),
        registered_unemployed=registered_unemployed,
        minimum_wage=data.minimum_wage,
        share=data.unemployment_benefit_share,
        parameters=data.reference,
    )
    if stand_in:
        first = found.explanation[0]
        note = Line(
            first.label_zh,
            first.label_en,
            first.formula,
            f"{first.value} (latest published year {data.year} stands in for {year})",
            first.source,
        )
        found = Assessment(
            found.eligibility,
            found.entitlement,
            found.monthly_amount,
            found.total,
            (note, *found.explanation[1:]),
        )
    return BenefitEstimate(
        found, data.reference, data.year, stand_in, "ILLUSTRATIVE" in data.sources
    )
