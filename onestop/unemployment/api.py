"""The public unemployment benefit calculator (no sign-in); one's own registrations and
benefits; the benefit payroll and recorded stops (staff)."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from onestop.common.api_schemas import LineOut, line_out
from onestop.common.errors import ServiceError, pick_message
from onestop.common.pagination import bounded
from onestop.contributions.periods import month_of, parse_period
from onestop.identity.api_auth import scoped
from onestop.identity.masking import mask_bank_account, mask_resident_id
from onestop.identity.references import labelled
from onestop.rules.unemployment import Separation
from onestop.rules.values import RuleError
from onestop.unemployment import benefits, calculators, medical, selectors
from onestop.unemployment.templatetags.unemployment_text import delivery

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
    message: str = Field(..., description="The reason in the request's language")
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
    parameters_label: str = Field(
        ..., description="The parameters in words, in the request's language (Accept-Language)"
    )
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
            {
                "code": r.code,
                "message": pick_message(r.zh, r.en),
                "message_zh": r.zh,
                "message_en": r.en,
            }
            for r in a.eligibility.refusals
        ],
        "earned_months": a.entitlement.earned_months,
        "carried_months": a.entitlement.carried_months,
        "months": a.entitlement.months if a.eligibility.eligible else 0,
        "monthly_amount": f"{a.monthly_amount:.2f}",
        "total": f"{a.total:.2f}",
        "parameters": found.parameters,
        "parameters_label": labelled(found.parameters),
        "illustrative": found.illustrative,
        "explanation": [line_out(line) for line in a.explanation],
    }


# --- the benefit: one's own, the payroll, recorded stops -------------------------------------


#: A code's label in the request's language (``Accept-Language``), next to the code.
LABEL = "``{}`` in words, in the request's language"


class BenefitPaymentOut(Schema):
    month: str
    kind: str
    kind_label: str = Field(..., description=LABEL.format("kind"))
    amount: str
    bank_account: str = Field(..., description="The account paid into, masked")


class MedicalContributionOut(Schema):
    month: str
    amount: str
    status: str = Field(
        ...,
        description="The batch's delivery to the medical insurance department: pending, "
        "delivered, failed (retried), or empty before a batch",
    )
    status_label: str = Field(..., description=LABEL.format("status"))


class BenefitRecordOut(Schema):
    id: int
    case_number: str
    start_month: str
    months: int
    last_month: str
    monthly_amount: str
    bank_account: str = Field(
        ..., description="The claim's account the benefit is paid into, masked"
    )
    status: str
    status_label: str = Field(..., description=LABEL.format("status"))
    stop_reason: str
    stop_reason_label: str = Field(
        ..., description=LABEL.format("stop_reason") + " (empty when not stopped)"
    )
    carried_out_months: int
    payments: list[BenefitPaymentOut]
    medical_contributions: list[MedicalContributionOut] = Field(
        ..., description="Basic medical insurance paid on the person's behalf, by month"
    )


class UnemploymentRegistrationOut(Schema):
    month: str
    status: str
    status_label: str = Field(..., description=LABEL.format("status"))
    end_month: str | None
    end_reason: str
    end_reason_label: str = Field(
        ..., description=LABEL.format("end_reason") + " (empty while registered)"
    )
    last_employment_end: str | None
    separation: str
    separation_label: str = Field(..., description=LABEL.format("separation"))


class MyUnemploymentOut(Schema):
    registrations: list[UnemploymentRegistrationOut]
    benefits: list[BenefitRecordOut]


def _month(period: int | None) -> str | None:
    return str(month_of(period)) if period else None


def _benefit_out(b: Any, *, payments: bool = True) -> dict[str, Any]:
    return {
        "id": b.pk,
        "case_number": b.case_number,
        "start_month": _month(b.start_period),
        "months": b.months,
        "last_month": _month(b.end_period),
        "monthly_amount": f"{b.monthly_amount:.2f}",
        "bank_account": mask_bank_account(b.bank_account),
        "status": b.status,
        "status_label": str(b.get_status_display()),
        "stop_reason": b.stop_reason,
        "stop_reason_label": str(b.get_stop_reason_display()) if b.stop_reason else "",
        "carried_out_months": b.carried_out_months,
        "payments": [
            {
                "month": _month(p.period),
                "kind": p.kind,
                "kind_label": str(p.get_kind_display()),
                "amount": f"{p.amount:.2f}",
                "bank_account": mask_bank_account(p.bank_account),
            }
            for p in b.payments.all()
        ]
        if payments
        else [],
        "medical_contributions": [
            {
                "month": _month(line.period),
                "amount": f"{line.amount:.2f}",
                "status": line.status,
                "status_label": delivery(line.status),
            }
            for line in medical.medical_lines_of_benefit(benefit=b)
        ]
        if payments
        else [],
    }


@router.get(
    "/me/unemployment",
    response=MyUnemploymentOut,
    auth=scoped("persons:read", own=True),
    tags=["unemployment"],
)
def mine(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's unemployment registrations and benefits, with every payment
    (empty for someone who is not a person on record)."""
    person = getattr(request.user, "person", None)
    if person is None:
        return {"registrations": [], "benefits": []}
    return {
        "registrations": [
            {
                "month": _month(r.period),
                "status": r.status,
                "status_label": str(r.get_status_display()),
                "end_month": _month(r.end_period),
                "end_reason": r.end_reason,
                "end_reason_label": str(r.get_end_reason_display()) if r.end_reason else "",
                "last_employment_end": _month(r.employment_end_period),
                "separation": r.separation,
                "separation_label": str(r.get_separation_display()),
            }
            for r in selectors.registrations_of(actor=request.user, person=person)
        ],
        "benefits": [
            _benefit_out(b) for b in selectors.benefits_of(actor=request.user, person=person)
        ],
    }


class BenefitRunIn(Schema):
    period: str = Field(..., description="Month to pay, YYYY-MM", examples=["2026-12"])


class MedicalBatchOut(Schema):
    count: int = Field(..., description="Lines: one per person and month")
    total: str
    status: str = Field(..., description="pending, delivered, failed (retried), or empty")
    status_label: str = Field(..., description=LABEL.format("status"))
    attempts: int
    acknowledgement: str = Field(..., description="The department's acknowledgement number")
    last_error: str
    delivered_at: str | None


class BenefitRunOut(Schema):
    period: str
    count: int
    total: str
    created_by: str
    medical: MedicalBatchOut = Field(
        ...,
        description="The basic medical insurance the unemployment fund paid for the run's "
        "recipients, sent to the medical insurance department",
    )


def _medical_out(found: medical.RunMedical | None) -> dict[str, Any]:
    sent = found.delivery if found else None
    return {
        "count": found.count if found else 0,
        "total": f"{found.total:.2f}" if found else "0.00",
        "status": sent.status if sent else "",
        "status_label": delivery(sent.status if sent else ""),
        "attempts": sent.attempts if sent else 0,
        "acknowledgement": str(sent.acknowledgement.get("ack_id", "")) if sent else "",
        "last_error": sent.last_error if sent else "",
        "delivered_at": sent.delivered_at.isoformat() if sent and sent.delivered_at else None,
    }


def _run_out(run: Any, found: medical.RunMedical | None = None) -> dict[str, Any]:
    if found is None:
        found = medical.medical_runs(runs=[run]).get(run.pk)
    return {
        "period": str(month_of(run.period)),
        "count": run.count,
        "total": f"{run.total:.2f}",
        "created_by": run.created_by,
        "medical": _medical_out(found),
    }


def _period(text: str) -> int:
    try:
        return parse_period(text)
    except RuleError as exc:
        raise ServiceError(
            "月份应为有效的年月，例如 2026-12。",
            "The month must be a real month, e.g. 2026-12.",
            code="period",
        ) from exc


@router.get(
    "/unemployment/payroll/runs",
    response={200: list[BenefitRunOut], 403: ErrorOut},
    auth=scoped("applications:read"),
    tags=["unemployment"],
)
@bounded
def runs(request: HttpRequest) -> list[dict[str, Any]]:
    """The unemployment benefit payroll's runs (staff who run the payroll)."""
    found = list(selectors.runs_for(actor=request.user))
    totals = medical.medical_runs(runs=found)
    return [_run_out(r, totals.get(r.pk)) for r in found]


class MedicalLineOut(Schema):
    month: str
    resident_id: str = Field(..., description="Masked")
    amount: str
    parameters: str = Field(..., description="The parameters the amount came from")
    parameters_label: str = Field(
        ..., description="The parameters in words, in the request's language (Accept-Language)"
    )


@router.get(
    "/unemployment/payroll/runs/{month}/medical",
    response={200: list[MedicalLineOut], 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=scoped("applications:read"),
    tags=["unemployment"],
)
@bounded
def run_medical(request: HttpRequest, month: str) -> list[dict[str, Any]]:
    """A payroll run's medical insurance lines (one per person and month), paid on the
    recipients' behalf and sent to the medical insurance department (staff who run the
    payroll; resident IDs masked)."""
    selectors.runs_for(actor=request.user)  # refused before the month is read
    run = selectors.run_for(actor=request.user, period=_period(month))
    return [
        {
            "month": str(month_of(line.period)),
            "resident_id": mask_resident_id(line.person.resident_id),
            "amount": f"{line.amount:.2f}",
            "parameters": line.parameters,
            "parameters_label": labelled(line.parameters),
        }
        for line in medical.medical_lines_of_run(run=run)
    ]


@router.post(
    "/unemployment/payroll/runs",
    response={201: BenefitRunOut, 400: ErrorOut, 403: ErrorOut},
    auth=scoped("applications:write"),
    tags=["unemployment"],
)
def run_payroll(request: HttpRequest, payload: BenefitRunIn) -> Status[dict[str, Any]]:
    """Run a month's unemployment benefit payroll: one set-based insert; the same month
    again returns its first run and pays nothing twice."""
    selectors.runs_for(actor=request.user)  # refused before the month is read
    run = benefits.payroll_run(actor=request.user, period=_period(payload.period))
    return Status(201, _run_out(run))


class BenefitStopIn(Schema):
    reason: str = Field(
        ...,
        description="One of: " + ", ".join(r.value for r in benefits.STAFF_STOPS),
        examples=["refused_job"],
    )
    month: str = Field(..., description="Month of the event, YYYY-MM (still paid)")


class BenefitStopOut(Schema):
    outcome: str = Field(..., description="What the stop did, in the request's language")
    outcome_zh: str = Field(..., description="What the stop did, in Chinese")
    outcome_en: str
    benefit: BenefitRecordOut


@router.post(
    "/unemployment/benefits/{benefit_id}/stop",
    response={200: BenefitStopOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=scoped("applications:write"),
    tags=["unemployment"],
)
def stop(request: HttpRequest, benefit_id: int, payload: BenefitStopIn) -> dict[str, Any]:
    """A case worker in scope records an event that stops the benefit from the next month
    (a suitable job offer refused, enlistment, settling abroad, a prison term, a pension,
    a death); what was paid for later months becomes a recovery line."""
    benefit = selectors.benefit_for(actor=request.user, benefit_id=benefit_id)
    outcome = benefits.benefit_stop_recorded(
        actor=request.user,
        benefit=benefit,
        reason=payload.reason,
        event_period=_period(payload.month),
    )
    benefit.refresh_from_db()
    return {**_outcome(outcome), "benefit": _benefit_out(benefit)}


_OUTCOME = re.compile(r"^stopped from (\S+); to recover (\S+)$")


def _outcome(outcome: str) -> dict[str, str]:
    """A stop's outcome in both languages ("stopped from 2027-01; to recover 1944.00")."""
    found = _OUTCOME.match(outcome)
    zh = f"自{found.group(1)}起停发；应追回{found.group(2)}元" if found else outcome
    return {"outcome": pick_message(zh, outcome), "outcome_en": outcome, "outcome_zh": zh}
