"""Contributions API: registration, employees, declarations (JSON or file), bills, statements."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja.renderers import JSONRenderer
from ninja.responses import Status

from onestop.common.amounts import Amount
from onestop.common.api_schemas import Plain
from onestop.common.errors import NotFound, ServiceError
from onestop.common.pagination import bounded
from onestop.contributions import files, kept, selectors, services
from onestop.contributions.models import Employment, PostCategory
from onestop.contributions.periods import current_period, month_of, parse_period
from onestop.contributions.services import DeclaredRow
from onestop.identity.api_auth import ANY_AUTH, is_own_person, require_scope, scoped
from onestop.identity.masking import mask_name, mask_resident_id
from onestop.identity.references import labelled

router = Router(tags=["contributions"], auth=ANY_AUTH)
_JSON = JSONRenderer()  # the API's renderer (Django Ninja's default), for kept bodies


class ErrorOut(Schema):
    code: str
    message_zh: str
    message_en: str


class RegistrationIn(Schema):
    insurances: list[str] = Field(..., examples=[["pension", "unemployment", "work_injury"]])
    since: str = Field(..., examples=["2024-01"])
    risk_class: int | None = Field(None, ge=1, le=8)


class RegistrationOut(Schema):
    insurance: str
    since: str
    risk_class: int | None


class EmploymentIn(Schema):
    resident_id: str
    start: str = Field(..., examples=["2024-01"])
    wage: Amount = Field(..., le=10_000_000)
    post_category: str = PostCategory.GENERAL
    concurrent_confirmed: bool = Field(
        False,
        description="the person is still employed elsewhere and this concurrent employment is "
        "confirmed (the pension is paid for a person and month by one employer only); "
        "without it such an addition is refused with code concurrent",
    )


class EmploymentEndIn(Schema):
    end: str = Field(..., examples=["2024-12"], description="Last month employed")
    reason: str = Field(..., min_length=1, max_length=200)


class EmploymentOut(Schema):
    id: int
    person_id: int
    name: str
    resident_id: str
    start: str
    end: str | None
    post_category: str
    wage: str


class RowIn(Schema):
    resident_id: str
    wage: str = Field(..., description="Monthly wage, at most two decimals")


class DeclarationIn(Schema):
    period: str = Field(..., examples=["2024-10"])
    kind: str = "regular"
    rows: list[RowIn] = Field(..., max_length=files.MAX_ROWS)


class RowErrorOut(Schema):
    line: int
    field: str
    message_zh: str
    message_en: str


class RejectedOut(Schema):
    accepted: bool
    errors: list[RowErrorOut] = Field(..., description="The first 1,000 row errors")
    error_count: int = Field(..., description="All row errors")
    error_counts: dict[str, int] = Field(..., description="Row errors per reason")


class BillOut(Plain):
    id: int
    period: str
    insurance: str
    employer_amount: str
    individual_amount: str
    amount_due: str
    collect: str  # the bill less the month's refunds set against it (0 for a refund bill)
    paid: str
    #: Unpaid on the bill, whether its due date has passed or not.
    arrears: str
    #: Unpaid after the due date (arrears proper); 0 while the bill is not yet due.
    overdue: str
    due_date: dt.date
    days_late: int
    surcharge: str  # the late surcharge earned by today (kept once paid late)
    late_fee_paid: str  # what payments paid of it (principal first, then the surcharge)
    late_fee_owed: str  # surcharge - late_fee_paid
    status: str
    #: Owes principal after its due date, or the late surcharge it earned and has not paid
    #: (``arrears_only`` lists these); a bill not yet due is not in arrears.
    in_arrears: bool


class MonthOut(Plain):
    """``paid``: the month counts (its regular declaration is paid). ``owed``: the account
    part of its declarations not paid yet (all of it while the month is not paid; once it
    is, a raising supplementary's difference, never below zero). ``base`` and the amounts
    are one figure: what is credited once the month is paid, what was declared before.
    ``pending``: a later declaration of the paid month (raising or lowering) does not count
    yet; it is credited once the month's bills up to it are paid."""

    period: str
    employer: str = Field(
        description="the employer's name; for a month paid as an individual or brought in "
        "from another province, what it is, in the request's language (see ``source``)"
    )
    source: str = Field(description="employer, flexible (an individual payer) or transfer")
    base: str
    employer_amount: str
    individual_amount: str
    paid: bool
    owed: str
    pending: bool


class YearOut(Plain):
    """A year of the account. ``credited`` is what paid months (and transfers) brought in,
    ``owed`` the account part of months declared but not yet paid. ``opening``,
    ``contributions``, ``closing`` and ``rate`` are the yearly interest job's figures, null
    until it has credited the year."""

    year: int
    months: int
    paid_months: int
    credited: str
    owed: str
    interest: str
    opening: str | None
    contributions: str | None
    closing: str | None
    rate: str | None


class StatementOut(Schema):
    """``paid_months`` and ``account_balance`` count paid months only (the law counts actual
    contributions); ``contribution_months`` counts every month declared, ``owed`` the account
    part declared but not yet paid."""

    contribution_months: int
    paid_months: int
    account_balance: str
    owed: str
    months: list[MonthOut]
    years: list[YearOut]


def employment_out(e: Employment) -> dict[str, Any]:
    return {
        "id": e.pk,
        "person_id": e.person_id,
        "name": mask_name(e.person.name),
        "resident_id": mask_resident_id(e.person.resident_id),
        "start": str(month_of(e.start_period)),
        "end": str(month_of(e.end_period)) if e.end_period else None,
        "post_category": e.post_category,
        "wage": f"{e.wage:.2f}",
    }


@router.get(
    "/employers/{employer_id}/registrations",
    response=list[RegistrationOut],
    auth=scoped("contributions:read"),
)
def registrations(request: HttpRequest, employer_id: int) -> list[dict[str, Any]]:
    employer = selectors.employer_checked(actor=request.user, employer_id=employer_id)
    return [
        {
            "insurance": r.insurance,
            "since": str(month_of(r.since_period)),
            "risk_class": r.risk_class,
        }
        for r in selectors.registrations_of(employer=employer)
    ]


@router.post(
    "/employers/{employer_id}/registrations",
    response={201: list[RegistrationOut], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    auth=scoped("contributions:write"),
)
def register(request: HttpRequest, employer_id: int, payload: RegistrationIn) -> Status[Any]:
    """Register the employer for its insurances in one go (pension always included)."""
    employer = selectors.employer_checked(actor=request.user, employer_id=employer_id)
    created = services.insurance_register(
        actor=request.user,
        employer=employer,
        insurances=payload.insurances,
        since_period=parse_period(payload.since),
        risk_class=payload.risk_class,
    )
    return Status(
        201,
        [
            {
                "insurance": r.insurance,
                "since": str(month_of(r.since_period)),
                "risk_class": r.risk_class,
            }
            for r in created
        ],
    )


@router.get(
    "/employers/{employer_id}/employments",
    response=list[EmploymentOut],
    auth=scoped("contributions:read"),
)
@bounded
def employments(request: HttpRequest, employer_id: int) -> list[dict[str, Any]]:
    employer = selectors.employer_checked(actor=request.user, employer_id=employer_id)
    return [employment_out(e) for e in selectors.employments_of(employer=employer)]


@router.post(
    "/employers/{employer_id}/employments",
    response={201: EmploymentOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    auth=scoped("contributions:write"),
)
def employment_add(request: HttpRequest, employer_id: int, payload: EmploymentIn) -> Status[Any]:
    """Add an employee (增员) from a month."""
    employer = selectors.employer_checked(actor=request.user, employer_id=employer_id)
    employment = services.employment_start(
        actor=request.user,
        employer=employer,
        resident_id=payload.resident_id,
        start_period=parse_period(payload.start),
        wage=payload.wage,
        post_category=payload.post_category,
        concurrent_confirmed=payload.concurrent_confirmed,
        today=timezone.localdate(),
    )
    return Status(201, employment_out(employment))


@router.post(
    "/employments/{employment_id}/end",
    response={200: EmploymentOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    auth=scoped("contributions:write"),
)
def employment_end(
    request: HttpRequest, employment_id: int, payload: EmploymentEndIn
) -> dict[str, Any]:
    """Remove an employee (减员) after the given month; the history is kept."""
    employment = (
        Employment.objects.select_related("employer__region", "person")
        .filter(pk=employment_id)
        .first()
    )
    if employment is None:
        raise NotFound()
    selectors.employer_checked(actor=request.user, employer_id=employment.employer_id)
    return employment_out(
        services.employment_end(
            actor=request.user,
            employment=employment,
            end_period=parse_period(payload.end),
            reason=payload.reason,
        )
    )


def _result(result: services.DeclarationResult) -> Status[Any]:
    if result.to_confirm:
        return Status(200, result.reply)  # a preview: checked, nothing posted
    if not result.accepted:
        return Status(422, result.reply)
    return Status(200 if result.replayed else 201, result.reply)


@router.post(
    "/employers/{employer_id}/declarations",
    response={
        200: dict,
        201: dict,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: RejectedOut | ErrorOut,
    },
    auth=scoped("contributions:write"),
)
def declare(
    request: HttpRequest, employer_id: int, payload: DeclarationIn, preview: bool = False
) -> Status[Any]:
    """Declare a month's wages. Any bad row rejects the whole declaration (422, row-level
    reasons) and nothing is posted. Rows whose contribution base is not the wage (raised to
    the floor, 60% of the provincial average wage, or lowered to the cap, 300%) are listed
    in ``adjustments`` with the figures and the reason in both languages (``adjustment_count``
    counts them all). With ``preview=true`` everything is checked and nothing is posted: 200
    with ``"preview": true``, the rows, ``total_wage`` and the adjustments.
    Send an ``Idempotency-Key`` header to make retries safe:
    the same key with the same body returns the stored reply (200); with another body it is
    refused (409). Keys belong to the signed-in user and the employer: another employer or
    user may use the same key. Declarations of one employer and month are serialised, so
    concurrent supplementary declarations end at the amounts of the last one accepted."""
    employer = selectors.employer_checked(actor=request.user, employer_id=employer_id)
    rows = [DeclaredRow(i + 1, r.resident_id, r.wage) for i, r in enumerate(payload.rows)]
    return _result(
        services.declaration_submit(
            actor=request.user,
            employer=employer,
            period=parse_period(payload.period),
            rows=rows,
            kind=payload.kind,
            idempotency_key=request.headers.get("Idempotency-Key"),
            preview=preview,
        )
    )


@router.post(
    "/employers/{employer_id}/declarations/file",
    response={
        200: dict,
        201: dict,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: RejectedOut | ErrorOut,
    },
    auth=scoped("contributions:write"),
)
def declare_file(
    request: HttpRequest,
    employer_id: int,
    period: Form[str],
    file: File[UploadedFile],
    kind: Form[str] = "regular",
    preview: bool = False,
) -> Status[Any]:
    """Declare from a CSV (UTF-8 or GBK) or XLSX file made from the template; answers as
    the JSON declaration does, adjustments and ``preview`` included."""
    employer = selectors.employer_checked(actor=request.user, employer_id=employer_id)
    files.check_size(file.size)
    rows = files.parse(file.name or "", file.read())
    return _result(
        services.declaration_submit(
            actor=request.user,
            employer=employer,
            period=parse_period(period),
            rows=rows,
            kind=kind,
            idempotency_key=request.headers.get("Idempotency-Key"),
            preview=preview,
        )
    )


@router.get("/declarations/template", auth=None)
def template(request: HttpRequest, format: str = "xlsx") -> HttpResponse:
    """The declaration template (``format=xlsx`` or ``csv``)."""
    if format == "csv":
        response = HttpResponse(files.template_csv(), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="declaration-template.csv"'
        return response
    response = HttpResponse(
        files.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="declaration-template.xlsx"'
    return response


@router.get(
    "/employers/{employer_id}/declarations/template",
    response={200: None, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=scoped("persons:reveal"),
)
def employer_template(
    request: HttpRequest, employer_id: int, format: str = "xlsx", period: str | None = None
) -> HttpResponse:
    """The template pre-filled with the employees of ``period`` (default this month): full
    resident ID, name and last declared wage. Only for the employer's legal representative
    and agents (token scope ``persons:reveal``); each download is journaled as a full view of
    those people's data (``contributions.employees.exported``)."""
    employer = selectors.employer_checked(actor=request.user, employer_id=employer_id)
    if format not in {"csv", "xlsx"}:
        raise ServiceError("格式应为csv或xlsx。", "The format is csv or xlsx.", code="format")
    month = parse_period(period) if period else current_period(timezone.localdate())
    rows = services.employees_template(actor=request.user, employer=employer, period=month)
    table = [(r.resident_id, r.name, f"{r.wage:.2f}") for r in rows]
    content = files.template_csv(table) if format == "csv" else files.template_xlsx(table)
    response = HttpResponse(
        content,
        content_type="text/csv"
        if format == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="declaration-{employer.pk}-{month}.{format}"'
    )
    response["Cache-Control"] = "no-store"
    return response


def bill_out(row: selectors.BillRow) -> dict[str, Any]:
    b = row.bill
    return {
        "id": b.pk,
        "period": str(month_of(b.period)),
        "insurance": b.insurance,
        "employer_amount": f"{b.employer_amount:.2f}",
        "individual_amount": f"{b.individual_amount:.2f}",
        "amount_due": f"{b.amount_due:.2f}",
        "collect": f"{row.collect:.2f}",
        "paid": f"{row.paid:.2f}",
        "arrears": f"{row.arrears:.2f}",
        "overdue": f"{row.overdue:.2f}",
        "due_date": b.due_date,
        "days_late": row.days_late,
        "surcharge": f"{row.surcharge:.2f}",
        "late_fee_paid": f"{row.late_fee_paid:.2f}",
        "late_fee_owed": f"{row.late_fee_owed:.2f}",
        "status": row.status,
        "in_arrears": row.in_arrears,
    }


@router.get(
    "/employers/{employer_id}/bills", response=list[BillOut], auth=scoped("contributions:read")
)
@bounded
def bills(
    request: HttpRequest, employer_id: int, arrears_only: bool = False
) -> list[dict[str, Any]]:
    """Bills with payments, arrears and the late surcharge accrued today; ``arrears_only``:
    the bills that still owe principal or a late surcharge (``in_arrears``). A payment
    pays principal first, then the surcharge (``late_fee_paid``)."""
    employer = selectors.employer_checked(actor=request.user, employer_id=employer_id)
    today = timezone.localdate()
    # Kept per employer and day while the bills' fingerprint stands (``kept.py``).
    province = employer.region.province_code
    rows = kept.bills(employer.pk, today=today, province=province).base(
        lambda: [
            (r.in_arrears, bill_out(r)) for r in selectors.bills_of(employer=employer, today=today)
        ]
    )
    return [row for owing, row in rows if owing or not arrears_only]


class CreditOut(Schema):
    period: str
    insurance: str
    amount: str


@router.get(
    "/employers/{employer_id}/credits", response=list[CreditOut], auth=scoped("contributions:read")
)
@bounded
def credits(request: HttpRequest, employer_id: int) -> list[dict[str, Any]]:
    """Months paid above their net declared total (after supplementary declarations that
    lowered wages): credits, refunds due to the employer."""
    employer = selectors.employer_checked(actor=request.user, employer_id=employer_id)
    return [
        {"period": str(month_of(c.period)), "insurance": c.insurance, "amount": f"{c.amount:.2f}"}
        for c in selectors.credits_of(employer=employer)
    ]


def year_out(y: selectors.StatementYear) -> dict[str, Any]:
    a = y.account_year
    return {
        "year": y.year,
        "months": y.months,
        "paid_months": y.paid_months,
        "credited": f"{y.credited:.2f}",
        "owed": f"{y.owed:.2f}",
        "interest": f"{y.interest:.2f}",
        "opening": f"{a.opening:.2f}" if a else None,
        "contributions": f"{a.contributions:.2f}" if a else None,
        "closing": f"{a.closing:.2f}" if a else None,
        "rate": f"{a.rate}" if a else None,
    }


def statement_out(statement: selectors.Statement) -> dict[str, Any]:
    return {
        "contribution_months": statement.contribution_months,
        "paid_months": statement.paid_months,
        "account_balance": f"{statement.account_balance:.2f}",
        "owed": f"{statement.owed:.2f}",
        "months": [
            {
                "period": m.period,
                "employer": m.label,
                "source": m.source,
                "base": f"{m.base:.2f}",
                "employer_amount": f"{m.employer_amount:.2f}",
                "individual_amount": f"{m.individual_amount:.2f}",
                "paid": m.paid,
                "owed": f"{m.owed:.2f}",
                "pending": m.pending,
            }
            for m in statement.months
        ],
        "years": [year_out(y) for y in statement.years],
    }


@router.get("/persons/{person_id}/statement", response={200: StatementOut, 404: ErrorOut})
def statement(request: HttpRequest, person_id: int) -> HttpResponse:
    """Every month ever contributed, paid or not; the account credited from paid months and
    what is owed; every year with months. A token reading its own person's needs only
    ``profile:read``."""
    own = is_own_person(request, person_id)
    require_scope(request, "contributions:read", own=own)
    # One's own person was loaded with the user (no second read); anyone else's is read.
    person = (
        selectors.person_own(actor=request.user)
        if own
        else selectors.person_checked(actor=request.user, person_id=person_id)
    )
    # The body is kept per person and language, used while the statement's fingerprint
    # stands (``kept.py``); who asks is checked above on every request.
    name = f"api:{get_language()}"
    statement = kept.statement(person.pk, derived=(name,))

    def body() -> bytes:
        computed = statement.base(lambda: selectors.statement_of(person=person))
        data = StatementOut.model_validate(statement_out(computed)).model_dump()
        return str(_JSON.render(request, data, response_status=200)).encode()

    return HttpResponse(
        statement.derived(name, body), content_type=f"{_JSON.media_type}; charset={_JSON.charset}"
    )


# --- individual payers (flexible employment) ---------------------------------------------


class IndividualBillOut(Schema):
    id: int
    months: list[str]
    base: str
    amount_due: str
    to_account: str
    pooled: str
    paid: str
    refunded: str = Field(
        ..., description="Received above the bill (all of it once cancelled): to be refunded"
    )
    arrears: str
    due_date: dt.date
    days_late: int
    surcharge: str
    status: str
    parameters: str
    parameters_label: str = Field(
        ..., description="The parameters in words, in the request's language (Accept-Language)"
    )


class IndividualBaseOut(Schema):
    from_month: str
    base: str
    floor: str
    ceiling: str
    parameters: str
    parameters_label: str = Field(
        ..., description="The parameters in words, in the request's language (Accept-Language)"
    )
    reason: str


class IndividualRefundOut(Schema):
    month: str
    reason: str = Field(
        ...,
        description="paid_twice (an employer also declared the month), cancelled (paid on a "
        "bill the platform cancelled) or overpaid (paid above the bill)",
    )
    bill: int = Field(..., description="The individual bill the money was paid on")
    employer: str = Field(
        ..., description="The employer whose declaration holds the month (paid_twice only)"
    )
    amount: str
    to_account: str
    pooled: str
    status: str = Field(..., description="due, or paid")


class IndividualPayerOut(Schema):
    registered: bool
    status: str | None = None
    frequency: str | None = None
    start: str | None = None
    end: str | None = None
    bases: list[IndividualBaseOut] = []
    bills: list[IndividualBillOut] = []
    arrears: str = "0.00"
    surcharge: str = "0.00"
    frequency_next: str | None = Field(
        None, description="A frequency change not yet in force: the new frequency"
    )
    frequency_from: str | None = Field(
        None, description="The month a frequency change takes effect (the next period)"
    )
    refunds: list[IndividualRefundOut] = Field(
        [],
        description="Money to be refunded: months an employer also declared, and what was "
        "paid on a cancelled bill or above a bill",
    )


class FrequencyChangeIn(Schema):
    frequency: str = Field(
        ...,
        max_length=16,
        description="monthly, quarterly, half_yearly or yearly",
        examples=["monthly"],
    )


class BaseChangeIn(Schema):
    base: str = Field(..., max_length=16, examples=["6000.00"])


def _payer_out(person: Any) -> dict[str, Any]:
    from onestop.contributions import individual
    from onestop.contributions.models import IndividualPayer

    payer = individual.payer_of(person=person) or (
        IndividualPayer.objects.filter(person=person).order_by("-pk").first()
    )
    if payer is None:
        return {"registered": False}
    rows = individual.bills_of_person(person=person, today=timezone.localdate())
    from onestop.contributions.overlaps import refunds_of

    refunds = [
        {
            "month": str(month_of(r.period)),
            "reason": r.reason,
            "bill": r.bill_id,
            "employer": r.employer.name if r.employer else "",
            "amount": f"{r.amount:.2f}",
            "to_account": f"{r.to_account:.2f}",
            "pooled": f"{r.pooled:.2f}",
            "status": "paid" if r.paid_at else "due",
        }
        for r in refunds_of(person=person)
    ]
    now = current_period(timezone.localdate())
    # A change due after the registration ended never applies.
    later = [
        (int(p), str(f))
        for p, f in payer.frequency_changes or []
        if int(p) > now and payer.status != "ended"
    ]
    return {
        "registered": True,
        "refunds": refunds,
        "status": payer.status,
        "frequency": individual.frequency_at(payer, now).value,
        "frequency_next": later[-1][1] if later else None,
        "frequency_from": str(month_of(later[-1][0])) if later else None,
        "start": str(month_of(payer.start_period)),
        "end": str(month_of(payer.end_period)) if payer.end_period else None,
        "bases": [
            {
                "from_month": str(month_of(b.from_period)),
                "base": f"{b.base:.2f}",
                "floor": f"{b.floor:.2f}",
                "ceiling": f"{b.ceiling:.2f}",
                "parameters": b.parameters,
                "parameters_label": labelled(b.parameters),
                "reason": b.reason,
            }
            for b in payer.bases.order_by("from_period", "pk")
        ],
        "bills": [
            {
                "id": r.bill.pk,
                "months": [str(month_of(p)) for p in r.bill.periods],
                "base": f"{r.bill.base:.2f}",
                "amount_due": f"{r.bill.amount_due:.2f}",
                "to_account": f"{r.bill.to_account:.2f}",
                "pooled": f"{r.bill.pooled:.2f}",
                "paid": f"{r.paid:.2f}",
                "refunded": f"{r.refunded:.2f}",
                "arrears": f"{r.arrears:.2f}",
                "due_date": r.bill.due_date,
                "days_late": r.days_late,
                "surcharge": f"{r.surcharge:.2f}",
                "status": r.status,
                "parameters": r.bill.parameters,
                "parameters_label": labelled(r.bill.parameters),
            }
            for r in rows
        ],
        "arrears": f"{sum((r.arrears for r in rows), Decimal(0)):.2f}",
        "surcharge": f"{sum((r.surcharge for r in rows), Decimal(0)):.2f}",
    }


def _own_person(request: HttpRequest) -> Any:
    person = getattr(request.user, "person", None)
    if person is None:
        raise NotFound()
    return selectors.person_checked(actor=request.user, person_id=person.pk)


@router.get(
    "/me/flexible",
    response={200: IndividualPayerOut, 404: ErrorOut},
    auth=scoped("contributions:read", own=True),
)
def my_flexible(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person as an individual payer: registration, bases, period bills with
    arrears and the late surcharge accrued today."""
    return _payer_out(_own_person(request))


@router.get("/persons/{person_id}/flexible", response={200: IndividualPayerOut, 404: ErrorOut})
def person_flexible(request: HttpRequest, person_id: int) -> dict[str, Any]:
    """A person's individual-payer record, for staff who may see the person."""
    require_scope(request, "contributions:read", own=is_own_person(request, person_id))
    return _payer_out(selectors.person_checked(actor=request.user, person_id=person_id))


@router.post(
    "/me/flexible/base",
    response={200: IndividualPayerOut, 400: ErrorOut, 404: ErrorOut},
    auth=scoped("contributions:write"),
)
def my_flexible_base(request: HttpRequest, payload: BaseChangeIn) -> dict[str, Any]:
    """Change the base from the next payment period (within that period's bounds)."""
    from onestop.contributions import individual

    person = _own_person(request)
    individual.payer_base_change(actor=request.user, person=person, base=payload.base)
    return _payer_out(person)


@router.post(
    "/me/flexible/frequency",
    response={200: IndividualPayerOut, 400: ErrorOut, 404: ErrorOut},
    auth=scoped("contributions:write"),
)
def my_flexible_frequency(request: HttpRequest, payload: FrequencyChangeIn) -> dict[str, Any]:
    """Change how often to pay (monthly, quarterly, half-yearly, yearly) from the next
    payment period; journaled."""
    from onestop.contributions import individual

    person = _own_person(request)
    individual.payer_frequency_change(
        actor=request.user, person=person, frequency=payload.frequency
    )
    return _payer_out(person)


@router.post(
    "/me/flexible/suspend",
    response={200: IndividualPayerOut, 400: ErrorOut, 404: ErrorOut},
    auth=scoped("contributions:write"),
)
def my_flexible_suspend(request: HttpRequest) -> dict[str, Any]:
    """Suspend payment from the next payment period."""
    from onestop.contributions import individual

    person = _own_person(request)
    individual.payer_suspend(actor=request.user, person=person)
    return _payer_out(person)


@router.post(
    "/me/flexible/resume",
    response={200: IndividualPayerOut, 400: ErrorOut, 404: ErrorOut},
    auth=scoped("contributions:write"),
)
def my_flexible_resume(request: HttpRequest) -> dict[str, Any]:
    """Resume payment from the next payment period."""
    from onestop.contributions import individual

    person = _own_person(request)
    individual.payer_resume(actor=request.user, person=person)
    return _payer_out(person)
