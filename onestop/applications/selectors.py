"""Reading cases: one's own, a staff member's queue, a case, the public status query."""

from __future__ import annotations

import secrets
from typing import Any

from django.db.models import QuerySet

from onestop.applications.models import FINAL, Application
from onestop.applications.services import may_act
from onestop.common.digests import code_hash
from onestop.common.errors import NotFound
from onestop.identity import policy


def applications_of(*, actor: Any) -> QuerySet[Application]:
    person = getattr(actor, "person", None) if actor.is_authenticated else None
    if person is None:
        return Application.objects.none()
    return Application.objects.filter(applicant=person).order_by("-submitted_at")


def queue_for(*, actor: Any) -> list[Application]:
    """Open cases with a ready task this staff member may do, oldest deadline first."""
    profile = policy.staff_profile(actor)
    if profile is None:
        return []
    cases = (
        Application.objects.exclude(status__in=FINAL)
        .filter(region__code__startswith=profile.region.scope_prefix)
        .select_related("applicant", "region")
        .order_by("deadline", "submitted_at")
    )
    return [c for c in cases if any(may_act(actor, c, lane) for _, lane, _, _ in c.ready)]


def application_for(*, actor: Any, number: str) -> Application:
    """A case its applicant, or staff who may see the applicant, may open."""
    case = (
        Application.objects.select_related("applicant__region", "region")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFound()
    person = getattr(actor, "person", None) if actor.is_authenticated else None
    if person is not None and person.pk == case.applicant_id:
        return case
    if policy.is_staff_member(actor) and policy.allows(actor, policy.VIEW_PERSON, case.applicant):
        return case
    raise NotFound()


def status_public(*, number: str, code: str) -> Application:
    """The public status query by case number and verification code."""
    case = Application.objects.filter(number=(number or "").strip().upper()[:24]).first()
    if case is None or not secrets.compare_digest(case.code_hash, code_hash(code or "")):
        raise NotFound(
            "未找到该办件，请核对办件编号和查询码。",
            "No such case: check the case number and the code.",
        )
    return case
