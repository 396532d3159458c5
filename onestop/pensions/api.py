"""Public calculators (no sign-in), one's own pension, the payroll. Money is returned as
strings with two decimals."""

from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from onestop.applications.services.cases import HRSS_AGENCIES
from onestop.common.amounts import Amount
from onestop.common.api_schemas import LineOut, line_out
from onestop.common.errors import NotFound, NotPermitted
from onestop.common.pagination import bounded
from onestop.common.templatetags.one_language import pick
from onestop.identity import policy
from onestop.identity import selectors as identity
from onestop.identity.api_auth import scoped
from onestop.identity.masking import mask_name, mask_resident_id
from onestop.identity.models import Region
from onestop.identity.references import labelled
from onestop.pensions import (
    calculators,
    eligibility,
    selectors,
    services,
    survivors,
    transfers,
)
from onestop.pensions.models import PayrollRun
from onestop.rules.values import Age, money

router = Router(tags=["calculators"], auth=None)


def amount(value: Decimal) -> str:
    return f"{money(value):.2f}"


class AgeSchema(Schema):
    years: int = Field(..., ge=0, le=130)
    months: int = Field(0, ge=0, le=11)


class RetirementOut(Schema):
    category: str
    birth_month: str
    original_age: AgeSchema
    statutory_age: AgeSchema
    delay_months: int
    retirement_month: str
    earliest_month: str
    latest_month: str
    minimum_contribution_months: int


class ErrorOut(Schema):
    code: str
    message_zh: str
    message_en: str


@router.get("/calculators/retirement", response={200: RetirementOut, 422: ErrorOut})
def retirement(request: HttpRequest, birth_month: str, category: str) -> dict[str, Any]:
    """Statutory retirement age and month after the 2024 reform, with the flexible window.

    ``birth_month`` is YYYY-MM; ``category`` is male, female_55 or female_50.
    """
    r = calculators.retirement(birth_month=birth_month, category=category)
    return {
        "category": r.category.value,
        "birth_month": str(r.birth_month),
        "original_age": {"years": r.original_age.years, "months": r.original_age.months},
        "statutory_age": {"years": r.statutory_age.years, "months": r.statutory_age.months},
        "delay_months": r.delay_months,
        "retirement_month": str(r.retirement_month),
        "earliest_month": str(r.earliest_month),
        "latest_month": str(r.latest_month),
        "minimum_contribution_months": r.minimum_contribution_months,
    }


class PensionIn(Schema):
    province: str = Field(..., min_length=6, max_length=6, examples=["610000"])
    retirement_month: str = Field(..., examples=["2026-05"])
    age: AgeSchema
    contribution_months: int = Field(..., ge=0, le=720)
    average_contribution_index: Decimal = Field(..., ge=0, le=5, decimal_places=4)
    account_balance: Amount = Field(..., le=100_000_000)
    benefit_base: Amount | None = Field(None, gt=0, le=1_000_000)
    deemed_months: int = Field(0, ge=0, le=600)


class PensionOut(Schema):
    basic_pension: str
    account_pension: str
    transitional_pension: str
    total: str
    divisor: str
    benefit_base: str
    parameters: str
    parameters_label: str = Field(
        ..., description="The parameters in words, in the request's language (Accept-Language)"
    )
    explanation: list[LineOut]


@router.post("/calculators/pension", response={200: PensionOut, 422: ErrorOut})
def pension(request: HttpRequest, payload: PensionIn) -> dict[str, Any]:
    """Monthly pension at retirement: basic, individual account and transitional parts,
    each step explained with its rule and source."""
    result = calculators.pension(
        province=payload.province,
        retirement_month=payload.retirement_month,
        age=Age(payload.age.years, payload.age.months),
        contribution_months=payload.contribution_months,
        average_index=payload.average_contribution_index,
        account_balance=payload.account_balance,
        benefit_base=payload.benefit_base,
        deemed_months=payload.deemed_months,
    )
    award = result.award
    return {
        "basic_pension": amount(award.basic_pension),
        "account_pension": amount(award.account_pension),
        "transitional_pension": amount(award.transitional_pension),
        "total": amount(award.total),
        "divisor": str(award.divisor),
        "benefit_base": amount(award.benefit_base),
        "parameters": result.parameters,
        "parameters_label": labelled(result.parameters),
        "explanation": [line_out(line) for line in award.explanation],
    }


class InterestIn(Schema):
    year: int = Field(..., ge=1990, le=2100)
    opening_balance: Amount = Field(..., le=100_000_000)
    contributions: (
        Annotated[Amount, Field(le=10_000_000)]
        | Annotated[list[Annotated[Amount, Field(le=1_000_000)]], Field(max_length=12)]
    ) = Field(..., description="The year's total, or the monthly credits from January (yuan)")
    method: str | None = Field(None, examples=["annual", "month_product"])
    months: int = Field(12, ge=1, le=12, description="Months credited (part year)")
    provisional_rate: Decimal | None = Field(None, ge=0, le=Decimal("0.2"), decimal_places=4)


class InterestOut(Schema):
    rate: str
    provisional: bool
    interest: str
    closing_balance: str


@router.post("/calculators/account-interest", response={200: InterestOut, 422: ErrorOut})
def account_interest(request: HttpRequest, payload: InterestIn) -> dict[str, Any]:
    """One year's individual account interest with the national book rate. A year with no
    published rate is refused unless ``provisional_rate`` is given."""
    result = calculators.account_interest(
        year=payload.year,
        opening_balance=payload.opening_balance,
        contributions=payload.contributions,
        method=payload.method,
        provisional_rate=payload.provisional_rate,
        months=payload.months,
    )
    return {
        "rate": str(result.result.rate),
        "provisional": result.provisional,
        "interest": amount(result.result.interest),
        "closing_balance": amount(result.result.closing_balance),
    }


class ContributionIn(Schema):
    province: str = Field(..., min_length=6, max_length=6)
    year: int = Field(..., ge=1990, le=2100)
    wage: Amount = Field(..., le=10_000_000)
    average_wage: Amount | None = Field(None, gt=0, le=1_000_000)
    flexible: bool = False


class ContributionOut(Schema):
    base: str
    employer: str
    individual: str
    total: str
    to_account: str


@router.post("/calculators/contribution", response={200: ContributionOut, 422: ErrorOut})
def contribution(request: HttpRequest, payload: ContributionIn) -> dict[str, str]:
    """Monthly pension contribution. For flexible employment ``wage`` is the chosen base."""
    c = calculators.contribution(
        province=payload.province,
        year=payload.year,
        wage=payload.wage,
        average_wage=payload.average_wage,
        flexible=payload.flexible,
    )
    return {
        "base": amount(c.base),
        "employer": amount(c.employer),
        "individual": amount(c.individual),
        "total": amount(c.total),
        "to_account": amount(c.to_account),
    }


class FlexibleIn(Schema):
    province: str = Field(..., min_length=6, max_length=6, examples=["610000"])
    year: int = Field(..., ge=1990, le=2100, examples=[2026])
    base: Amount = Field(..., le=10_000_000, description="The base chosen, a month")
    frequency: str = Field(
        ..., description="monthly, quarterly, half_yearly or yearly", examples=["quarterly"]
    )
    month: str | None = Field(
        None, description="A month of the period (YYYY-MM); default January", examples=["2026-04"]
    )
    days_late: int = Field(0, ge=0, le=calculators.MAX_DAYS_LATE)


class FlexibleOut(Schema):
    frequency: str
    first_month: str
    last_month: str
    months: int
    lowest_base: str
    highest_base: str
    base: str
    monthly: str
    monthly_to_account: str
    monthly_pooled: str
    amount: str
    to_account: str
    pooled: str
    days_late: int
    surcharge: str
    total: str
    parameters: str
    parameters_label: str = Field(
        ..., description="The parameters in words, in the request's language (Accept-Language)"
    )
    explanation: list[LineOut]


@router.post("/calculators/flexible-contribution", response={200: FlexibleOut, 422: ErrorOut})
def flexible_contribution(request: HttpRequest, payload: FlexibleIn) -> dict[str, Any]:
    """What a flexible-employment worker pays for one payment period: 20% of the base chosen
    within 60%-300% of the year's average wage, the account's 8 points and the pooled rest,
    times the period's months (calendar-aligned quarters, half-years, years); with
    ``days_late``, the 0.05%-a-day surcharge. Every step explained."""
    r = calculators.flexible(
        province=payload.province,
        year=payload.year,
        chosen_base=payload.base,
        frequency=payload.frequency,
        month=payload.month,
        days_late=payload.days_late,
    )
    due = r.due
    return {
        "frequency": due.frequency.value,
        "first_month": str(due.first_month),
        "last_month": str(due.last_month),
        "months": due.months,
        "lowest_base": amount(r.floor),
        "highest_base": amount(r.ceiling),
        "base": amount(due.monthly.base),
        "monthly": amount(due.monthly.individual),
        "monthly_to_account": amount(due.monthly.to_account),
        "monthly_pooled": amount(due.monthly.pooled),
        "amount": amount(due.amount),
        "to_account": amount(due.to_account),
        "pooled": amount(due.pooled),
        "days_late": r.days_late,
        "surcharge": amount(r.surcharge),
        "total": amount(r.total),
        "parameters": r.parameters,
        "parameters_label": labelled(r.parameters),
        "explanation": [line_out(line) for line in r.explanation],
    }


class PaymentOut(Schema):
    period: str
    kind: str
    #: ``kind``'s label in the request's language (``Accept-Language``).
    kind_label: str
    months: int
    amount: str


class PensionerOut(Schema):
    monthly_amount: str
    status: str
    #: ``status`` and why it is held or stopped, in the request's language.
    status_label: str
    reason_label: str
    retirement_month: str
    start_month: str
    case_number: str
    award: dict[str, Any]


class MyPensionOut(Schema):
    pensioner: PensionerOut | None
    payments: list[PaymentOut]


class RunIn(Schema):
    period: str = Field(..., examples=["2026-11"])


class RunOut(Schema):
    period: str
    count: int
    total: str
    report: dict[str, Any]


def _run_out(run: PayrollRun) -> dict[str, Any]:
    return {
        "period": run.period,
        "count": run.count,
        "total": f"{run.total:.2f}",
        "report": run.report,
    }


@router.get("/me/pension", response=MyPensionOut, auth=scoped("persons:read", own=True))
def my_pension(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's pension: the award with its explanation, and every payment."""
    pensioner = selectors.pensioner_of(actor=request.user)
    if pensioner is None:
        return {"pensioner": None, "payments": []}
    return {
        "pensioner": {
            "monthly_amount": f"{pensioner.monthly_amount:.2f}",
            "status": pensioner.status,
            "status_label": str(pensioner.get_status_display()),
            "reason_label": pensioner.get_reason_display(),
            "retirement_month": pensioner.retirement_month,
            "start_month": services.month_label(pensioner.start_index),
            "case_number": pensioner.case_number,
            "award": pensioner.award,
        },
        "payments": [
            {
                "period": services.month_label(p.period_index),
                "kind": p.kind,
                "kind_label": str(p.get_kind_display()),
                "months": p.months,
                "amount": f"{p.amount:.2f}",
            }
            for p in selectors.payments_of(pensioner=pensioner)
        ],
    }


@router.get(
    "/payroll/runs", response={200: list[RunOut], 403: ErrorOut}, auth=scoped("applications:read")
)
@bounded
def runs(request: HttpRequest) -> list[dict[str, Any]]:
    """Payroll runs with their reconciliation (staff who run the payroll)."""
    return [_run_out(r) for r in selectors.runs_for(actor=request.user)]


@router.post(
    "/payroll/runs",
    response={201: RunOut, 403: ErrorOut, 422: ErrorOut},
    auth=scoped("applications:write"),
)
def run_payroll(request: HttpRequest, payload: RunIn) -> Status[dict[str, Any]]:
    """Run a month's payroll (idempotent: the same month returns its first run)."""
    return Status(201, _run_out(services.payroll_run(actor=request.user, period=payload.period)))


class AdjustmentIn(Schema):
    year: int
    percentage: Decimal = Field(..., description="e.g. 0.02 for 2%")
    fixed_amount: Decimal


class AdjustmentOut(Schema):
    year: int
    status: str
    count: int
    increase: str
    effective_month: str


def _adjustment_out(a: Any) -> dict[str, Any]:
    return {
        "year": a.year,
        "status": a.status,
        "count": a.count,
        "increase": f"{a.increase:.2f}",
        "effective_month": services.month_label(a.effective_index),
    }


@router.post(
    "/adjustments",
    response={201: AdjustmentOut, 400: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    auth=scoped("applications:write"),
)
def adjustment_prepare(request: HttpRequest, payload: AdjustmentIn) -> Status[dict[str, Any]]:
    """Prepare a year's adjustment: every new amount computed and kept for review."""
    return Status(
        201,
        _adjustment_out(
            services.adjustment_prepare(
                actor=request.user,
                year=payload.year,
                percentage=payload.percentage,
                fixed_amount=payload.fixed_amount,
            )
        ),
    )


@router.post(
    "/adjustments/{year}/{action}",
    response={200: AdjustmentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=scoped("applications:write"),
)
def adjustment_act(request: HttpRequest, year: int, action: str) -> dict[str, Any]:
    """``apply`` a prepared adjustment, or ``reverse`` an applied one before it is paid."""
    operations = {"apply": services.adjustment_apply, "reverse": services.adjustment_reverse}
    if (
        action not in operations
        or not selectors.adjustments_for(actor=request.user).filter(year=year).exists()
    ):
        raise NotFound()
    return _adjustment_out(operations[action](actor=request.user, year=year))


class ShortfallOut(Schema):
    gap_months: int
    monthly_base: str
    monthly_amount: str
    keep_paying_until: str
    keep_paying_total: str
    lump_sum: str
    prices_year: int | None


class TransferOut(Schema):
    number: str
    direction: str
    place: str
    place_name: str = Field(..., description="The place's name in the request's language")
    place_name_zh: str
    place_name_en: str
    temporary: bool
    months: int
    account: str
    pooled: str
    at: str


class RetirementOutlookOut(Schema):
    statutory_month: str | None
    earliest_month: str | None
    latest_month: str | None
    recorded_months: int
    projected_months: int
    minimum_months: int
    shortfall: ShortfallOut | None
    transfers: list[TransferOut]


def _transfer_out(t: Any) -> dict[str, Any]:
    return {
        "number": t.number,
        "direction": t.direction,
        "place": t.counterpart,
        "place_name": pick(t, "counterpart_name"),
        "place_name_zh": t.counterpart_name,
        "place_name_en": t.counterpart_name_en or t.counterpart_name,
        "temporary": t.temporary,
        "months": t.months_count,
        "account": f"{t.account_amount:.2f}",
        "pooled": f"{t.pooled_amount:.2f}",
        "at": t.at.isoformat(timespec="seconds"),
    }


@router.get(
    "/me/retirement",
    response={200: RetirementOutlookOut, 404: ErrorOut},
    auth=scoped("persons:read", own=True),
)
def my_retirement(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's retirement: statutory month and flexible window, contribution
    months against the minimum, the two ways to meet a shortfall with their prices, and the
    transfers of their pension relation."""
    person = getattr(request.user, "person", None)
    if person is None:
        raise NotFound("没有参保人员信息。", "No insured person is linked to this account.")
    seen = eligibility.outlook(person=person, today=timezone.localdate())
    statutory = seen.statutory
    return {
        "statutory_month": str(statutory.retirement_month) if statutory else None,
        "earliest_month": str(statutory.earliest_month) if statutory else None,
        "latest_month": str(statutory.latest_month) if statutory else None,
        "recorded_months": seen.recorded_months,
        "projected_months": seen.projected_months,
        "minimum_months": seen.minimum_months,
        "shortfall": eligibility.shortfall_facts(seen),
        "transfers": [_transfer_out(t) for t in transfers.transfers_of(person=person)],
    }


@router.get(
    "/transfers", response={200: list[TransferOut], 403: ErrorOut}, auth=scoped("applications:read")
)
@bounded
def transfer_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Transfers of people in the caller's region scope (case workers, reviewers,
    supervisors)."""
    return [_transfer_out(t) for t in transfers.transfers_for(actor=request.user)]


class InternalIn(Schema):
    resident_id: str = Field(..., max_length=18)
    region: str = Field(..., pattern=r"^[0-9]{6}$")


@router.post(
    "/transfers/internal",
    response={201: TransferOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    auth=scoped("applications:write"),
)
def transfer_internal(request: HttpRequest, payload: InternalIn) -> Status[dict[str, Any]]:
    """Move a person's relation to another county or city of the province (HRSS case
    workers and reviewers, for people in their scope; no funds move)."""
    person = identity.person_by_resident_id(payload.resident_id)
    region = Region.objects.filter(code=payload.region).first()
    if person is None or region is None:
        raise NotFound("未找到该人员或地区。", "No such person or region.")
    try:
        moved = transfers.transfer_internal(actor=request.user, person=person, region=region)
    except NotPermitted:
        profile = policy.staff_profile(request.user)
        if (
            profile is None
            or profile.role not in ("case_worker", "reviewer")
            or profile.agency.kind not in HRSS_AGENCIES
        ):
            raise
        # An HRSS case worker or reviewer asking about someone out of scope: not found.
        raise NotFound("未找到该人员或地区。", "No such person or region.") from None
    return Status(201, _transfer_out(moved))


class SurvivorOut(Schema):
    person_id: int = Field(
        description="the person: name and identifiers in full through /persons/{id} and "
        "/persons/{id}/reveal (journaled)"
    )
    name: str = Field(description="masked (张**)")
    resident_id: str  # masked
    died_on: str
    status: str
    funeral_grant: str | None
    survivor_benefit: str | None
    survivor_months: int | None
    account: str | None
    total: str | None
    error: str | None
    case_number: str
    opened_at: str


@router.get(
    "/survivors", response={200: list[SurvivorOut], 403: ErrorOut}, auth=scoped("applications:read")
)
@bounded
def survivor_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Survivors' benefits opened by deaths in the caller's region scope (HRSS case workers,
    reviewers, supervisors): the amounts computed from the record, and who claimed them."""
    return [
        {
            "person_id": b.person_id,
            "name": mask_name(b.person.name),
            "resident_id": mask_resident_id(b.person.resident_id),
            "died_on": b.died_on.isoformat(),
            "status": b.status,
            "funeral_grant": b.facts.get("funeral_grant"),
            "survivor_benefit": b.facts.get("survivor_benefit"),
            "survivor_months": b.facts.get("survivor_months"),
            "account": b.facts.get("account"),
            "total": b.facts.get("total"),
            "error": b.facts.get("error"),
            "case_number": b.case_number,
            "opened_at": b.opened_at.isoformat(timespec="seconds"),
        }
        for b in survivors.survivors_for(actor=request.user)
    ]
