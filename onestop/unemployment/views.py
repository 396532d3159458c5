"""The public unemployment benefit calculator page (full page, or the HTMX fragment)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from onestop.common.errors import ServiceError
from onestop.parameters import selectors as parameters
from onestop.rules.unemployment import SEPARATION_LABELS, Separation
from onestop.rules.values import RuleError
from onestop.unemployment import calculators
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
