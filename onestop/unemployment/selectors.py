"""Reading registrations: one's own, or those of people in a staff member's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from onestop.common.errors import NotFound, ServiceError
from onestop.contributions import selectors as contributions
from onestop.identity.models import Person
from onestop.identity.policy import VIEW_PERSON, staff_profile
from onestop.parameters import selectors as parameters
from onestop.rules.unemployment import (
    MAX_CONTRIBUTION_MONTHS,
    Assessment,
    Separation,
    assess,
)
from onestop.unemployment.models import Status, UnemploymentRegistration


def registrations_of(*, actor: Any, person: Person) -> QuerySet[UnemploymentRegistration]:
    """A person's registrations, newest first; none for an actor who may not see them."""
    if not actor.has_perm(VIEW_PERSON, person):
        return UnemploymentRegistration.objects.none()
    return UnemploymentRegistration.objects.filter(person=person).order_by("-registered_at")


def open_registration_of(*, actor: Any, person: Person) -> UnemploymentRegistration | None:
    return registrations_of(actor=actor, person=person).filter(status=Status.REGISTERED).first()


def registrations_for(*, actor: Any) -> QuerySet[UnemploymentRegistration]:
    """Registrations of people in the staff member's region scope."""
    profile = staff_profile(actor)
    if profile is None or not actor.has_perm(VIEW_PERSON):
        return UnemploymentRegistration.objects.none()
    return (
        UnemploymentRegistration.objects.filter(
            person__region__code__startswith=profile.region.scope_prefix
        )
        .select_related("person", "employer")
        .order_by("-registered_at")
    )


def benefit_assessment(
    *, actor: Any, registration: UnemploymentRegistration, today: dt.date
) -> Assessment:
    """What the registered person could draw, from the platform's own record: the months
    both the employers and the person paid unemployment insurance (D10 art. 14 (1), art.
    17), the separation the employer's removal reason names (D12 art. 4), the registration
    itself, and the province's parameters of the year. No earlier benefit is on record yet,
    so nothing is carried over. A separation still to be determined is a 422."""
    if not actor.has_perm(VIEW_PERSON, registration.person):
        raise NotFound()
    if not registration.separation:
        raise ServiceError(
            "离职原因尚待认定，暂不能判断能否领取失业保险金。",
            "How the last employment ended is still to be determined; eligibility cannot "
            "be judged yet.",
            code="separation_undetermined",
        )
    months = contributions.unemployment_months_of(person=registration.person)
    province = registration.person.region.code[:2] + "0000"
    data = parameters.province_year(province=province, year=today.year)
    if data.minimum_wage is None:
        raise parameters.ParametersMissing(
            f"{data.reference}尚未公布最低工资标准。",
            f"{data.reference} states no minimum wage.",
            code="minimum_wage_missing",
        )
    return assess(
        lifetime_contribution_months=min(months, MAX_CONTRIBUTION_MONTHS),
        contribution_months=min(months, MAX_CONTRIBUTION_MONTHS),
        carried_months=0,
        separation=Separation(registration.separation),
        registered_unemployed=registration.status == Status.REGISTERED,
        minimum_wage=data.minimum_wage,
        share=data.unemployment_benefit_share,
        parameters=data.reference,
    )
