"""The individual payer's own page (flexible employment) and the staff's read of it: the
registration, the base in force and any change to come, the period bills with arrears and
the late-payment surcharge, the account with interest accrued; change of base, suspend and
resume. Thin: each action is one call of ``individual.py``."""

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
from django.views.decorators.http import require_POST

from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.contributions import individual, selectors
from onestop.contributions.models import IndividualPayer
from onestop.contributions.overlaps import refunds_of
from onestop.contributions.periods import current_period, month_of
from onestop.contributions.views import interest_accrued
from onestop.identity.masking import mask_resident_id
from onestop.identity.models import Person
from onestop.identity.selectors import name_shown


def _message(error: ServiceError) -> str:
    if isinstance(error, NotPermitted):
        raise error
    return error.zh if (get_language() or "").startswith("zh") else error.en


def _own(request: HttpRequest) -> Person:
    person = getattr(request.user, "person", None)
    if person is None:
        raise NotFound()
    return selectors.person_checked(actor=request.user, person_id=person.pk)


def payer_facts(person: Person) -> dict[str, Any]:
    """What the page and the API show about a person as an individual payer."""
    today = timezone.localdate()
    payer = individual.payer_of(person=person) or (
        IndividualPayer.objects.filter(person=person).order_by("-pk").first()
    )
    rows = individual.bills_of_person(person=person, today=today)
    now = current_period(today)
    facts: dict[str, Any] = {
        "payer": payer,
        "rows": rows,
        "arrears": sum((r.arrears for r in rows), Decimal("0.00")),
        "surcharge": sum((r.surcharge for r in rows), Decimal("0.00")),
        # Months an employer also paid, and money paid on a cancelled bill or above a bill:
        # refunded to the person.
        "refunds": [(month_of(r.period), r) for r in refunds_of(person=person)],
    }
    if payer is not None:
        current = individual.base_in_force(payer, max(now, payer.start_period))
        upcoming = payer.bases.filter(from_period__gt=max(now, payer.start_period)).order_by(
            "from_period", "pk"
        )
        facts |= {
            "start": month_of(payer.start_period),
            "end": month_of(payer.end_period) if payer.end_period else None,
            "base": current,
            # The base that will apply from each later month: a later change of the same
            # month replaces the earlier one (the history keeps both).
            "upcoming": [
                (month_of(period), b) for period, b in {b.from_period: b for b in upcoming}.items()
            ],
            "next_period": month_of(individual.next_period_start(payer, today)),
            "frequency": individual.frequency_at(payer, max(now, payer.start_period)).value,
            # A change due after the registration ended never applies: not shown.
            "frequency_next": [
                (month_of(int(p)), str(f))
                for p, f in payer.frequency_changes or []
                if int(p) > now and (payer.end_period is None or int(p) <= payer.end_period)
            ][-1:]
            if payer.status != "ended"
            else [],
        }
    statement = selectors.statement_of(person=person)
    facts["interest_accrued"] = interest_accrued(person, statement)
    facts["statement"] = statement
    return facts


@login_required
def my_flexible_view(request: HttpRequest) -> HttpResponse:
    person = _own(request)
    return render(
        request,
        "contributions/flexible.html",
        {
            "person": person,
            "name": person.name,
            "masked_id": mask_resident_id(person.resident_id),
            "own": True,
            **payer_facts(person),
        },
    )


@login_required
def staff_flexible_view(request: HttpRequest, person_id: int) -> HttpResponse:
    if getattr(request.user, "person", None) is not None:
        raise NotFound()  # citizens use their own page
    person = selectors.person_checked(actor=request.user, person_id=person_id)
    return render(
        request,
        "contributions/flexible.html",
        {
            "person": person,
            # As the person page shows it: masked (张*) for a role that may not reveal.
            "name": name_shown(actor=request.user, person=person),
            "masked_id": mask_resident_id(person.resident_id),
            "own": False,
            **payer_facts(person),
        },
    )


@require_POST
@login_required
def my_flexible_base_view(request: HttpRequest) -> HttpResponse:
    person = _own(request)
    try:
        row = individual.payer_base_change(
            actor=request.user, person=person, base=request.POST.get("base", "")
        )
        messages.success(
            request,
            _("New base %(base)s from %(month)s.")
            % {"base": row.base, "month": month_of(row.from_period)},
        )
    except ServiceError as exc:
        messages.error(request, _message(exc))
    return redirect("contributions:my_flexible")


@require_POST
@login_required
def my_flexible_frequency_view(request: HttpRequest) -> HttpResponse:
    """Pay monthly, quarterly, half-yearly or yearly from the next payment period."""
    person = _own(request)
    try:
        start, _chosen = individual.payer_frequency_change(
            actor=request.user, person=person, frequency=request.POST.get("frequency", "")
        )
        messages.success(
            request,
            _("New payment frequency from %(month)s.") % {"month": month_of(start)},
        )
    except ServiceError as exc:
        messages.error(request, _message(exc))
    return redirect("contributions:my_flexible")


@require_POST
@login_required
def my_flexible_suspend_view(request: HttpRequest) -> HttpResponse:
    person = _own(request)
    try:
        individual.payer_suspend(actor=request.user, person=person)
        messages.success(request, _("Payment suspended from the next period."))
    except ServiceError as exc:
        messages.error(request, _message(exc))
    return redirect("contributions:my_flexible")


@require_POST
@login_required
def my_flexible_resume_view(request: HttpRequest) -> HttpResponse:
    person = _own(request)
    try:
        individual.payer_resume(actor=request.user, person=person)
        messages.success(request, _("Payment resumed from the next period."))
    except ServiceError as exc:
        messages.error(request, _message(exc))
    return redirect("contributions:my_flexible")


@require_POST
@login_required
def my_flexible_sync_view(request: HttpRequest) -> HttpResponse:
    """Ask the collecting authority for new payments now (it is also done periodically)."""
    from onestop.contributions.collection import collection_sync

    person = _own(request)
    if individual.payer_of(person=person) is None:
        raise NotFound()
    try:
        result = collection_sync()
    except ServiceError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(
            request,
            _("%(sent)s bills sent, %(new)s new payments received.")
            % {"sent": result.bills_sent, "new": result.payments_new},
        )
    return redirect("contributions:my_flexible")
