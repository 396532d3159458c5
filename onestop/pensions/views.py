"""Public calculator pages: retirement age, and a pension estimate with a projection chart."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onestop.common.errors import NotFound, NotPermitted, ServiceError, pick_message
from onestop.exchange import certificate_pdf
from onestop.exchange import services as certificates
from onestop.identity import selectors as identity
from onestop.identity.masking import mask_name, mask_resident_id
from onestop.identity.models import Region
from onestop.parameters import selectors as parameters
from onestop.pensions import (
    calculators,
    eligibility,
    selectors,
    services,
    survivors,
    transfers,
)
from onestop.pensions.forms import EstimateForm, FlexibleForm, RetirementForm
from onestop.rules.amounts import parse_amount
from onestop.rules.values import RuleError, YearMonth

PROVINCE_NAMES = {"610000": ("陕西省", "Shaanxi")}


def _message(error: RuleError | ServiceError) -> str:
    return error.zh if (get_language() or "").startswith("zh") else error.en


def _render(request: HttpRequest, full: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    """HTMX requests get the result fragment; everything else the whole page."""
    template = partial if request.headers.get("HX-Request") else full
    return render(request, template, context)


def retirement_view(request: HttpRequest) -> HttpResponse:
    form = RetirementForm(request.GET or None)
    context: dict[str, Any] = {"form": form}
    if request.GET and form.is_valid():
        try:
            context["result"] = calculators.retirement(
                birth_month=form.cleaned_data["birth_month"], category=form.cleaned_data["category"]
            )
        except RuleError as exc:
            context["error"] = _message(exc)
    return _render(request, "pensions/retirement.html", "pensions/_retirement_result.html", context)


def chart(
    points: tuple[tuple[str, Decimal], ...], width: int = 640, height: int = 260
) -> dict[str, Any]:
    """Coordinates of an SVG line chart of the balance by year."""
    left, right, top, bottom = 70, 16, 16, 36
    values = [float(v) for _, v in points]
    high = max(values) or 1.0
    span = max(len(points) - 1, 1)
    coords = []
    for i, (label, value) in enumerate(points):
        x = left + (width - left - right) * i / span
        y = top + (height - top - bottom) * (1 - float(value) / high)
        coords.append(
            {
                "x": round(x, 1),
                "y": round(y, 1),
                "label": label,
                "value": value,
                "short": label[:4] if i else label,
            }
        )
    ticks = [
        {"y": round(top + (height - top - bottom) * (1 - f), 1), "value": round(high * f)}
        for f in (0, 0.5, 1)
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "bottom": height - bottom,
        "right": width - right,
        "points": coords,
        "ticks": ticks,
        "polyline": " ".join(f"{c['x']},{c['y']}" for c in coords),
    }


def _entered(form: EstimateForm, provinces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """What the person entered, as entered (choices by their label), for the result to echo."""
    rows = []
    for name, field in form.fields.items():
        raw = form.data.get(name, "")
        choices = dict(getattr(field, "choices", ()) or ())
        shown = str(choices.get(raw, raw)) if choices else str(raw)
        rows.append((str(field.label), shown.strip() or "—"))
    return rows


def estimate_view(request: HttpRequest) -> HttpResponse:
    language_zh = (get_language() or "").startswith("zh")
    provinces = [
        (code, PROVINCE_NAMES.get(code, (code, code))[0 if language_zh else 1])
        for code in parameters.provinces()
    ]
    form = EstimateForm(request.GET or None, provinces=provinces)
    context: dict[str, Any] = {"form": form}
    if request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            estimate = calculators.estimate(
                province=data["province"],
                birth_month=data["birth_month"],
                category=data["category"],
                today=timezone.localdate(),
                contribution_months=data["contribution_months"],
                account_balance=data["account_balance"],
                monthly_wage=data["monthly_wage"],
                average_index=data["average_index"],
                deemed_months=data.get("deemed_months") or 0,
            )
            context.update(
                estimate=estimate, chart=chart(estimate.points), entered=_entered(form, provinces)
            )
        except (RuleError, ServiceError) as exc:
            context["error"] = _message(exc)
    return _render(request, "pensions/estimate.html", "pensions/_estimate_result.html", context)


@require_GET
def flexible_view(request: HttpRequest) -> HttpResponse:
    """What a flexible-employment worker pays per period for a chosen base, explained."""
    language_zh = (get_language() or "").startswith("zh")
    provinces = [
        (code, PROVINCE_NAMES.get(code, (code, code))[0 if language_zh else 1])
        for code in parameters.provinces()
    ]
    form = FlexibleForm(
        request.GET or None,
        provinces=provinces,
        initial={"month": timezone.localdate().strftime("%Y-%m"), "frequency": "quarterly"},
    )
    context: dict[str, Any] = {"form": form, "zh": language_zh}
    if request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            month = YearMonth.parse(data["month"])
            context["result"] = calculators.flexible(
                province=data["province"],
                year=month.year,
                chosen_base=data["base"],
                frequency=data["frequency"],
                month=str(month),
                days_late=data.get("days_late") or 0,
            )
            context["inputs"] = {
                "province": dict(provinces)[data["province"]],
                "base": data["base"],
                "frequency": dict(form.fields["frequency"].choices)[data["frequency"]],  # type: ignore[attr-defined]
                "month": str(month),
                "days_late": data.get("days_late") or 0,
            }
        except (RuleError, ServiceError) as exc:
            context["error"] = _message(exc)
    return _render(request, "pensions/flexible.html", "pensions/_flexible_result.html", context)


@login_required
def my_pension_view(request: HttpRequest) -> HttpResponse:
    """The pensioner's award with its explanation, status and every payment."""
    pensioner = selectors.pensioner_of(actor=request.user)
    person = getattr(request.user, "person", None)
    outlook = None
    if pensioner is None and person is not None:
        outlook = eligibility.outlook(person=person, today=timezone.localdate())
    return render(
        request,
        "pensions/my_pension.html",
        {
            "pensioner": pensioner,
            # The same words as the retirement certificate and the award's message: the
            # retirement month, and the first month paid (the month after it, or later).
            "paid_from": services.month_label(pensioner.start_index) if pensioner else "",
            "outlook": outlook,
            "transfers": transfers.transfers_of(person=person) if person is not None else [],
            "payments": [
                {"period": services.month_label(p.period_index), "payment": p}
                for p in selectors.payments_of(pensioner=pensioner)
            ]
            if pensioner
            else [],
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def payroll_view(request: HttpRequest) -> HttpResponse:
    """Staff: run a month's payroll (idempotent) and read each run's reconciliation."""
    runs = selectors.runs_for(actor=request.user)
    if request.method == "POST":
        period = request.POST.get("period", "")
        try:
            run = services.payroll_run(actor=request.user, period=period)
            messages.success(
                request,
                _("Payroll %(period)s: %(n)s payments.") % {"period": run.period, "n": run.count},
            )
        except (RuleError, ServiceError) as exc:
            messages.error(request, getattr(exc, "zh", str(exc)) + " " + getattr(exc, "en", ""))
        return redirect("pensions:payroll")
    return render(
        request,
        "pensions/payroll.html",
        {"runs": runs, "next_period": timezone.localdate().strftime("%Y-%m")},
    )


@login_required
def my_statement_view(request: HttpRequest) -> HttpResponse:
    """The pensioner's signed payment statement (a PDF with a QR code to /verify/)."""
    pensioner = selectors.pensioner_of(actor=request.user)
    if pensioner is None:
        raise NotFound("您尚未领取养老金。", "You do not draw a pension.")
    issued = certificates.contribution_statement_issue(
        actor=request.user,
        person=pensioner.person,
        facts=services.payment_facts(pensioner=pensioner),
        kind="pension_statement",
    )
    number = issued.certificate.number
    pdf = certificate_pdf.render(
        certificate=issued.certificate, code=issued.code, absolute=request.build_absolute_uri
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="pension-statement-{number}.pdf"'
    return response


@require_POST
@login_required
def confirm_view(request: HttpRequest) -> HttpResponse:
    """The pensioner's self-service entitlement confirmation."""
    services.pension_confirm(actor=request.user)
    messages.success(request, _("Thank you: your entitlement is confirmed."))
    return redirect("pensions:mine")


@require_http_methods(["GET", "POST"])
@login_required
def adjustments_view(request: HttpRequest) -> HttpResponse:
    """Staff: prepare a year's adjustment, review it, apply it, reverse it before it is paid."""
    adjustments = selectors.adjustments_for(actor=request.user)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            year = int(request.POST.get("year", ""))
            if not 1990 <= year <= 2200:  # a year, not a number past the database's integer
                raise ValueError(year)
            if action == "prepare":
                services.adjustment_prepare(
                    actor=request.user,
                    year=year,
                    # Both through the money grammar: no exponent, sign or NaN reaches the
                    # arithmetic (a percentage is written as an amount: 2.35).
                    percentage=parse_amount(request.POST.get("percentage", "")) / 100,
                    fixed_amount=parse_amount(request.POST.get("fixed_amount", "")),
                )
            elif action == "apply":
                services.adjustment_apply(actor=request.user, year=year)
            elif action == "reverse":
                services.adjustment_reverse(actor=request.user, year=year)
            messages.success(request, _("Done."))
        except (RuleError, ServiceError) as exc:  # before ValueError: a RuleError is one
            messages.error(request, pick_message(exc.zh, exc.en))
        except (ValueError, ArithmeticError):
            messages.error(request, _("Give the year, the percentage and the fixed amount."))
        return redirect("pensions:adjustments")
    return render(request, "pensions/adjustments.html", {"adjustments": adjustments})


@require_http_methods(["GET", "POST"])
@login_required
def transfers_view(request: HttpRequest) -> HttpResponse:
    """Staff: transfers in, out and inside the province in their scope; move a relation to
    another county or city of the province."""
    rows = transfers.transfers_for(actor=request.user)
    if request.method == "POST":
        person = identity.person_by_resident_id(request.POST.get("resident_id", ""))
        region = Region.objects.filter(code=request.POST.get("region", "")).first()
        unknown = ServiceError(
            "请填写您辖区内参保人员的身份号码和迁入地区。",
            "Give the resident ID of a person insured in your scope and the region to move to.",
            code="input",
        )
        try:
            if person is None or region is None:
                raise unknown
            try:
                moved = transfers.transfer_internal(
                    actor=request.user, person=person, region=region
                )
            except NotPermitted:
                raise unknown from None  # someone out of scope reads as unknown
            messages.success(request, _("Moved: %(number)s.") % {"number": moved.number})
        except ServiceError as exc:
            messages.error(request, exc.message())
        return redirect("pensions:transfers")
    return render(
        request,
        "pensions/transfers.html",
        {
            # Names masked as in the queue; the full name and identifiers are on the
            # person's page, where a read and a reveal are journaled.
            "transfers": [{"transfer": t, "name": mask_name(t.person.name)} for t in rows],
            "regions": Region.objects.exclude(level="province")
            .filter(code__startswith=transfers.own_province()[:2])
            .order_by("code"),
        },
    )


@require_GET
@login_required
def survivors_view(request: HttpRequest) -> HttpResponse:
    """Staff: survivors' benefits opened by deaths in their scope, and who claimed them."""
    rows = [
        {
            "benefit": b,
            "name": mask_name(b.person.name),
            "resident_id": mask_resident_id(b.person.resident_id),
            "facts": b.facts,
        }
        for b in survivors.survivors_for(actor=request.user)
    ]
    return render(request, "pensions/survivors.html", {"rows": rows})
