"""Reading cases: one's own, a staff member's queue, a case, the public status query, and
the cases the time-limit clock watches."""

from __future__ import annotations

import secrets
from typing import Any

from django.db.models import QuerySet

from onestop.applications.models import FINAL, Application, Comment, Draft, Material
from onestop.applications.services import eligible_staff, may_act
from onestop.common.digests import code_hash
from onestop.common.errors import NotFound
from onestop.identity import policy
from onestop.identity.models import User


def applications_of(*, actor: Any) -> QuerySet[Application]:
    person = getattr(actor, "person", None) if actor.is_authenticated else None
    if person is None:
        return Application.objects.none()
    return Application.objects.filter(applicant=person).order_by("-submitted_at")


def drafts_of(*, actor: Any) -> QuerySet[Draft]:
    person = getattr(actor, "person", None) if actor.is_authenticated else None
    if person is None:
        return Draft.objects.none()
    return Draft.objects.filter(applicant=person)


def queue_for(*, actor: Any, mine: bool = False) -> list[Application]:
    """Open cases with a ready task this staff member may do, oldest deadline first;
    ``mine``: only those they have claimed."""
    profile = policy.staff_profile(actor)
    if profile is None:
        return []
    cases = (
        Application.objects.exclude(status__in=FINAL)
        .filter(region__code__startswith=profile.region.scope_prefix)
        .select_related("applicant", "region", "escalated_to", "assignee")
        .order_by("deadline", "submitted_at")
    )
    if mine:
        cases = cases.filter(assignee=actor)
    return [c for c in cases if any(may_act(actor, c, lane) for _, lane, _, _ in c.ready)]


def application_for(*, actor: Any, number: str) -> Application:
    """A case its applicant, or staff who may see the applicant or the case's region, may
    open."""
    case = (
        Application.objects.select_related(
            "applicant__region", "region", "escalated_to", "assignee"
        )
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFound()
    person = getattr(actor, "person", None) if actor.is_authenticated else None
    if person is not None and person.pk == case.applicant_id:
        return case
    # Staff who may see the applicant, or the region handling the case (a survivor's claim is
    # handled where the deceased was insured).
    if policy.is_staff_member(actor) and (
        policy.allows(actor, policy.VIEW_PERSON, case.applicant)
        or policy.allows(actor, policy.VIEW_PERSON, case.region)
    ):
        return case
    raise NotFound()


def comments_for(*, actor: Any, case: Application) -> list[Comment]:
    """Internal comments: staff only (the applicant sees none)."""
    if not policy.is_staff_member(actor):
        return []
    return list(case.comments.select_related("author"))


def materials_of(*, case: Application) -> QuerySet[Material]:
    return case.materials.all()


def material_for(*, actor: Any, number: str, material_id: int) -> Material:
    case = application_for(actor=actor, number=number)
    found = case.materials.filter(pk=material_id).first()
    if found is None:
        raise NotFound()
    return found


def handover_candidates(*, case: Application) -> list[User]:
    """Staff who may act on the case's open step (for transfer and reassignment)."""
    lanes = dict.fromkeys(lane for _, lane, _, _ in case.ready if lane != "applicant")
    found: dict[int, User] = {}
    for lane in lanes:
        for user in eligible_staff(case, lane):
            found.setdefault(user.pk, user)
    return list(found.values())


def status_public(*, number: str, code: str) -> Application:
    """The public status query by case number and verification code."""
    case = Application.objects.filter(number=(number or "").strip().upper()[:24]).first()
    if case is None or not secrets.compare_digest(case.code_hash, code_hash(code or "")):
        raise NotFound(
            "未找到该办件，请核对办件编号和查询码。",
            "No such case: check the case number and the code.",
        )
    return case


def on_clock(case: Application) -> bool:
    """Whether the case's clock is running: open, not paused, a staff step open."""
    return (
        case.status not in FINAL
        and case.paused_since is None
        and any(lane != "applicant" for _, lane, _, _ in case.ready)
    )


def cases_on_clock() -> list[Application]:
    """Open cases whose clock is running, for the clock job."""
    cases = (
        Application.objects.exclude(status__in=FINAL)
        .filter(paused_since__isnull=True)
        .select_related("region__parent", "escalated_to__parent", "assignee", "applicant")
        .order_by("pk")
    )
    return [c for c in cases if on_clock(c)]
