"""Reading registrations: one's own, or those of people in a staff member's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.contributions import selectors as contributions
from onestop.contributions.periods import month_of, period_of
from onestop.identity.models import Person
from onestop.identity.policy import RUN_PAYROLL, VIEW_PERSON, hrss_staff, staff_profile
from onestop.identity.references import labelled_pair
from onestop.parameters import selectors as parameters
from onestop.rules.unemployment import (
    MAX_BENEFIT_MONTHS,
    MAX_CONTRIBUTION_MONTHS,
    Assessment,
    Separation,
    assess,
)
from onestop.unemployment.models import (
    BenefitPayrollRun,
    BenefitStatus,
    Status,
    UnemploymentBenefit,
    UnemploymentRegistration,
)


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


@dataclass(frozen=True)
class Assessed:
    """An assessment with what it was computed from."""

    assessment: Assessment
    contribution_months: int
    lifetime_months: int
    parameters: str


def assessment_of(
    *, registration: UnemploymentRegistration, today: dt.date, separation: str = ""
) -> Assessed:
    """The rules applied to the record (no permission check: callers check). The months
    both the employers and the person paid unemployment insurance (D10 art. 14 (1) over the
    whole career; art. 17 counted afresh after an earlier benefit ended), the unused months
    an earlier benefit stopped by re-employment left (art. 17 third paragraph), the
    separation the employer's removal reason names (D12 art. 4), the registration itself,
    and the province's parameters of the year. ``separation`` stands in for the
    registration's (a case worker determining it assesses the rest). A separation still to
    be determined is a 400."""
    separation = separation or registration.separation
    if not separation:
        raise ServiceError(
            "离职原因尚待认定，暂不能判断能否领取失业保险金。",
            "How the last employment ended is still to be determined; eligibility cannot "
            "be judged yet.",
            code="separation_undetermined",
        )
    person = registration.person
    lifetime = min(contributions.unemployment_months_of(person=person), MAX_CONTRIBUTION_MONTHS)
    earlier = (
        UnemploymentBenefit.objects.filter(person=person, status=BenefitStatus.STOPPED)
        .exclude(registration=registration)
        .order_by("-end_period", "-pk")
        .first()
    )
    since = lifetime
    carried = 0
    if earlier is not None:
        after = period_of(month_of(earlier.end_period).plus(1))
        since = min(
            contributions.unemployment_months_of(person=person, since_period=after), lifetime
        )
        carried = min(earlier.carried_out_months, MAX_BENEFIT_MONTHS)
    province = person.region.province_code
    data = parameters.province_year(province=province, year=today.year)
    if data.minimum_wage is None:
        zh, en = labelled_pair(data.reference)
        raise parameters.ParametersMissing(
            f"{zh}尚未公布最低工资标准。",
            f"{en} state no minimum wage.",
            code="minimum_wage_missing",
        )
    found = assess(
        lifetime_contribution_months=lifetime,
        contribution_months=since,
        carried_months=carried,
        separation=Separation(separation),
        registered_unemployed=registration.status == Status.REGISTERED,
        minimum_wage=data.minimum_wage,
        share=data.unemployment_benefit_share,
        parameters=data.reference,
    )
    return Assessed(found, since, lifetime, data.reference)


def benefit_assessment(
    *, actor: Any, registration: UnemploymentRegistration, today: dt.date
) -> Assessment:
    """What the registered person could draw, from the platform's own record
    (``assessment_of``), for the person or staff who may see them."""
    if not actor.has_perm(VIEW_PERSON, registration.person):
        raise NotFound()
    return assessment_of(registration=registration, today=today).assessment


def benefits_of(*, actor: Any, person: Person) -> QuerySet[UnemploymentBenefit]:
    """A person's benefits, newest first, with their payments; none for an actor who may not
    see them."""
    if not actor.has_perm(VIEW_PERSON, person):
        return UnemploymentBenefit.objects.none()
    return (
        UnemploymentBenefit.objects.filter(person=person)
        .prefetch_related("payments")
        .order_by("-start_period", "-pk")
    )


def benefits_for(*, actor: Any) -> QuerySet[UnemploymentBenefit]:
    """Benefits of people in the staff member's region scope, newest first."""
    profile = staff_profile(actor)
    if profile is None or not actor.has_perm(VIEW_PERSON):
        return UnemploymentBenefit.objects.none()
    return (
        UnemploymentBenefit.objects.filter(
            person__region__code__startswith=profile.region.scope_prefix
        )
        .select_related("person")
        .order_by("-start_period", "-pk")
    )


def benefit_for(*, actor: Any, benefit_id: int) -> UnemploymentBenefit:
    """One benefit the actor may see (their own, or in their scope); else 404."""
    benefit = (
        UnemploymentBenefit.objects.select_related("person__region").filter(pk=benefit_id).first()
    )
    if benefit is None or not actor.has_perm(VIEW_PERSON, benefit.person):
        raise NotFound()
    return benefit


def runs_for(*, actor: Any) -> QuerySet[BenefitPayrollRun]:
    """The unemployment payroll's runs, newest first (staff who run the payroll)."""
    if hrss_staff(actor) is None or not actor.has_perm(RUN_PAYROLL):
        raise NotPermitted()
    return BenefitPayrollRun.objects.order_by("-period")[:36]


def run_for(*, actor: Any, period: int) -> BenefitPayrollRun:
    """One month's payroll run (staff who run the payroll; 403 before the month is looked
    at), else 404."""
    if hrss_staff(actor) is None or not actor.has_perm(RUN_PAYROLL):
        raise NotPermitted()
    run = BenefitPayrollRun.objects.filter(period=period).first()
    if run is None:
        raise NotFound()
    return run
