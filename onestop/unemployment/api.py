"""The public unemployment benefit calculator (no sign-in)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from onestop.common.api_schemas import LineOut, line_out
from onestop.rules.unemployment import Separation
from onestop.unemployment import calculators

router = Router(tags=["calculators"], auth=None)


class ErrorOut(Schema):
    code: str
    message_zh: str
    message_en: str


class BenefitIn(Schema):
    province: str = Field(..., min_length=6, max_length=6, examples=["610000"])
    year: int | None = Field(
        None, ge=1990, le=2100, description="Year whose parameters apply; default this year"
    )
    contribution_months: int = Field(
        ..., ge=0, le=720, description="All months the employers and the person contributed"
    )
    separation: str = Field(
        ...,
        description="How the last employment ended: " + ", ".join(s.value for s in Separation),
        examples=["ended_by_employer"],
    )
    registered_unemployed: bool = Field(True, description="Registered as unemployed")
    months_since_last_benefit: int | None = Field(
        None,
        ge=0,
        le=720,
        description="Months contributed since an earlier benefit ended; omit for a first claim",
    )
    carried_months: int = Field(0, ge=0, le=24, description="Unused months of an earlier spell")


class RefusalOut(Schema):
    code: str
    message_zh: str
    message_en: str


class BenefitOut(Schema):
    eligible: bool
    refusals: list[RefusalOut]
    earned_months: int
    carried_months: int
    months: int
    monthly_amount: str
    total: str
    parameters: str
    illustrative: bool
    explanation: list[LineOut]


@router.post("/calculators/unemployment-benefit", response={200: BenefitOut, 422: ErrorOut})
def unemployment_benefit(request: HttpRequest, payload: BenefitIn) -> dict[str, Any]:
    """How long and how much unemployment benefit one could draw: the three conditions of
    the Unemployment Insurance Regulations art. 14 (each failure named), the months by
    art. 17 with an earlier spell's unused months, the monthly amount from the province's
    parameters (art. 18), every step explained. ``months`` is what would be paid: 0 when
    not eligible (``earned_months`` still says what the contributions earn)."""
    found = calculators.benefit(
        province=payload.province,
        year=payload.year or timezone.localdate().year,
        contribution_months=payload.contribution_months,
        separation=payload.separation,
        registered_unemployed=payload.registered_unemployed,
        months_since_last_benefit=payload.months_since_last_benefit,
        carried_months=payload.carried_months,
    )
    a = found.assessment
    return {
        "eligible": a.eligibility.eligible,
        "refusals": [
            {"code": r.code, "message_zh": r.zh, "message_en": r.en} for r in a.eligibility.refusals
        ],
        "earned_months": a.entitlement.earned_months,
        "carried_months": a.entitlement.carried_months,
        "months": a.entitlement.months if a.eligibility.eligible else 0,
        "monthly_amount": f"{a.monthly_amount:.2f}",
        "total": f"{a.total:.2f}",
        "parameters": found.parameters,
        "illustrative": found.illustrative,
        "explanation": [line_out(line) for line in a.explanation],
    }
