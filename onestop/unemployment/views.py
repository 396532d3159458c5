"""The public unemployment benefit calculator page (full page, or the HTMX fragment); one's
own registrations and benefit; the staff's benefit list, stops and payroll."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.contributions import selectors as contributions
from onestop.contributions.periods import month_of, parse_period
from onestop.identity.masking import mask_name, mask_resident_id
from onestop.identity.models import Employer
from onestop.identity.policy import hrss_staff
from onestop.parameters import selectors as parameters
from onestop.rules.unemployment import SEPARATION_LABELS, STOP_LABELS, Separation
from onestop.rules.values import RuleError
from onestop.unemployment import benefits, calculators, medical, selectors
from onestop.unemployment.forms import BenefitForm

PROVINCE_NAMES = {"610000": ("陕西省", "Shaanxi")}


def _zh() -> bool:
    return (get_language() or "").startswith("zh")


@require_GET
def benefit_view(request: HttpRequest) -> HttpResponse:
    """How long and how much unemployment benefit: inputs echoed, each step explained."""
    zh = _zh()
    provinces = [
        (code, PROVINCE_NAMES.get(code, (code, code))[0 if zh else 1])
        for code in parameters.provinces()
    ]
    separations = [(s.value, SEPARATION_LABELS[s][0 if zh else 1]) for s in Separation]
    form = BenefitForm(request.GET or None, provinces=provinces, separations=separations)
    context: dict[str, Any] = {"form": form, "zh": zh}
    if request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            found = calculators.benefit(
                province=data["province"],
                year=timezone.localdate().year,
                contribution_months=data["contribution_months"],
                separation=data["separation"],
                registered_unemployed=data["registered_unemployed"],
                months_since_last_benefit=data["months_since_last_benefit"],
                carried_months=data["carried_months"] or 0,
            )
        except (RuleError, ServiceError) as exc:
            context["error"] = exc.zh if zh else exc.en
        else:
            context["estimate"] = found
            context["inputs"] = {
                "province": dict(provinces)[data["province"]],
                "contribution_months": data["contribution_months"],
                "separation": dict(separations)[data["separation"]],
                "registered": data["registered_unemployed"],
                "since": data["months_since_last_benefit"],
                "carried": data["carried_months"] or 0,
            }
    template = (
        "unemployment/_benefit_result.html"
        if request.headers.get("HX-Request")
        else "unemployment/benefit.html"
    )
    return render(request, template, context)


# --- the benefit: one's own, the staff list, the payroll -------------------------------------


def _period(text: str) -> int:
    try:
        return parse_period(text)
    except RuleError as exc:
        raise ServiceError(
            "月份应为有效的年月，例如 2026-12。",
            "The month must be a real month, e.g. 2026-12.",
            code="period",
        ) from exc


def _message(exc: ServiceError) -> str:
    return exc.zh if _zh() else exc.en


@require_GET
@login_required
def mine_view(request: HttpRequest) -> HttpResponse:
    """The person's registrations, benefits and every payment."""
    person = getattr(request.user, "person", None)
    if person is None:
        raise NotFound()
    employment = contributions.open_employment_of(person=person)
    employer = Employer.objects.filter(pk=employment.employer_id).first() if employment else None
    return render(
        request,
        "unemployment/mine.html",
        {
            "employment": {
                "employer": employer.name if employer else "",
                "since": month_of(employment.start_period),
            }
            if employment
            else None,
            "registrations": selectors.registrations_of(actor=request.user, person=person),
            "benefits": [
                (b, medical.medical_lines_of_benefit(benefit=b))
                for b in selectors.benefits_of(actor=request.user, person=person)
            ],
        },
    )


@require_GET
@login_required
def benefits_view(request: HttpRequest) -> HttpResponse:
    """Staff: the benefits of people in their scope, each with the form that records a
    stopping event (HRSS staff: other departments' staff run none of it)."""
    if hrss_staff(request.user) is None:
        raise NotPermitted()
    rows = selectors.benefits_for(actor=request.user)[:200]
    return render(
        request,
        "unemployment/benefits.html",
        {
            "benefits": [
                {
                    "benefit": b,
                    "name": mask_name(b.person.name),
                    "resident_id": mask_resident_id(b.person.resident_id),
                    "may_stop": benefits.may_stop(request.user, b) and b.status == "active",
                }
                for b in rows
            ],
            "reasons": [(r.value, label) for r, label in _stop_labels()],
            "month": timezone.localdate().strftime("%Y-%m"),
        },
    )


def _stop_labels() -> list[tuple[Any, str]]:
    zh = _zh()
    return [(r, STOP_LABELS[r][0 if zh else 1]) for r in benefits.STAFF_STOPS]


@require_POST
@login_required
def stop_view(request: HttpRequest, benefit_id: int) -> HttpResponse:
    """Staff in scope record an event that stops a benefit (e.g. a refused job offer)."""
    benefit = selectors.benefit_for(actor=request.user, benefit_id=benefit_id)
    try:
        benefits.benefit_stop_recorded(
            actor=request.user,
            benefit=benefit,
            reason=request.POST.get("reason", ""),
            event_period=_period(request.POST.get("month", "")),
        )
        benefit.refresh_from_db()
        messages.success(
            request,
            gettext("Stopped: %(month)s is the last month paid.")
            % {"month": month_of(benefit.end_period)},
        )
    except NotPermitted:
        raise
    except ServiceError as exc:
        messages.error(request, _message(exc))
    return redirect("unemployment:benefits")


@require_http_methods(["GET", "POST"])
@login_required
def payroll_view(request: HttpRequest) -> HttpResponse:
    """Staff: run a month's unemployment benefit payroll (idempotent) and read the runs."""
    runs = selectors.runs_for(actor=request.user)
    if request.method == "POST":
        try:
            run = benefits.payroll_run(
                actor=request.user, period=_period(request.POST.get("period", ""))
            )
            messages.success(
                request,
                gettext("Payroll %(period)s: %(n)s payments.")
                % {"period": month_of(run.period), "n": run.count},
            )
        except NotPermitted:
            raise
        except ServiceError as exc:
            messages.error(request, _message(exc))
        return redirect("unemployment:payroll")
    listed = list(runs)
    found = medical.medical_runs(runs=listed)
    return render(
        request,
        "unemployment/payroll.html",
        {
            "runs": [(month_of(r.period), r, found.get(r.pk)) for r in listed],
            "next_period": timezone.localdate().strftime("%Y-%m"),
        },
    )


@require_GET
@login_required
def payroll_run_view(request: HttpRequest, month: str) -> HttpResponse:
    """Staff who run the payroll: one month's run, with the medical insurance lines paid on
    the recipients' behalf and the batch's delivery to the medical insurance department."""
    selectors.runs_for(actor=request.user)  # refused before the month is read
    try:
        period = parse_period(month)
    except RuleError as exc:
        raise NotFound() from exc
    run = selectors.run_for(actor=request.user, period=period)
    found = medical.medical_runs(runs=[run]).get(run.pk)
    return render(
        request,
        "unemployment/payroll_run.html",
        {
            "month": month_of(run.period),
            "run": run,
            "medical": found,
            "lines": [
                {
                    "month": month_of(line.period),
                    "name": mask_name(line.person.name),
                    "resident_id": mask_resident_id(line.person.resident_id),
                    "amount": line.amount,
                    "parameters": line.parameters,
                }
                for line in medical.medical_lines_of_run(run=run)
            ],
        },
    )
