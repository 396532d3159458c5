"""Reads in the identity context, always through the policy."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from onestop.audit.services import record
from onestop.common.errors import NotFound
from onestop.identity import policy
from onestop.identity.auth import resident_id_index
from onestop.identity.fields import name_index
from onestop.identity.masking import mask_name
from onestop.identity.models import (
    Agency,
    ApiToken,
    Employer,
    EmployerRole,
    Person,
    Region,
    StaffProfile,
    User,
)
from onestop.rules.identifiers import check_resident_id


def person_list_for(*, actor: Any, query: str = "") -> QuerySet[Person]:
    """Persons the actor may see: staff within region scope, a citizen only themselves.

    ``query`` is a resident ID or a whole name, each matched exactly through its blind index
    (the stored values are encrypted, so there is no prefix search).
    """
    qs = Person.objects.select_related("region")
    profile = policy.staff_profile(actor)
    if profile is not None and policy.allows(actor, policy.VIEW_PERSON):
        qs = qs.filter(region__code__startswith=profile.region.scope_prefix)
    elif getattr(actor, "is_authenticated", False) and profile is None:
        qs = qs.filter(user_id=actor.pk)
    else:
        return qs.none()
    query = (query or "").strip()
    kind = ""
    if query:
        check = check_resident_id(query, today=timezone.localdate())
        if check.valid:
            kind = "resident_id"
            qs = qs.filter(resident_id_index=resident_id_index(check.normalized))
        else:
            kind = "name"  # the whole name: names are encrypted, found by blind index
            qs = qs.filter(name_index=name_index(query))
    if profile is not None:
        # Staff reading other people's records is journaled; the searched value is not.
        with transaction.atomic():
            record(
                actor=actor,
                action="identity.person.listed",
                target_type="identity.person",
                changes={"query": kind or "none", "scope": profile.region.code},
            )
    return qs.order_by("id")


def person_find_for(*, actor: Any, person_id: int) -> Person:
    """One person the actor may see, without journaling (for actions that journal themselves,
    such as a reveal); any other is reported as not found."""
    person = Person.objects.select_related("region").filter(pk=person_id).first()
    if person is None or not policy.allows(actor, policy.VIEW_PERSON, person):
        raise NotFound()
    return person


def person_name_shown_in_full(*, actor: Any, person: Person) -> bool:
    """Whether ``actor`` sees the person's name in full (the roles that may reveal the
    identifiers, and the person), else masked (张*). Identifiers are masked either way."""
    return actor is None or policy.allows(actor, policy.REVEAL_PERSON, person)


def name_shown(*, actor: Any, person: Person) -> str:
    """The person's name as a screen shows it to ``actor``: in full for the roles that may
    reveal the identifiers and for the person, else masked (张*); the person page's rule."""
    name = str(person.name)
    if person.user_id is not None and person.user_id == getattr(actor, "pk", None):
        return name
    return name if person_name_shown_in_full(actor=actor, person=person) else mask_name(name)


def person_get_for(*, actor: Any, person_id: int) -> Person:
    """One person the actor may see; a staff member's read is journaled with what the
    screen or the API shows: the name in full or masked, the identifiers masked, the year
    of birth only."""
    person = person_find_for(actor=actor, person_id=person_id)
    if person.user_id != getattr(actor, "pk", None):
        full_name = person_name_shown_in_full(actor=actor, person=person)
        with transaction.atomic():
            record(
                actor=actor,
                action="identity.person.viewed",
                target=person,
                changes={
                    "name": "full" if full_name else "masked",
                    "resident_id": "masked",
                    "phone": "masked",
                    "birth": "year",
                },
            )
    return person


def employer_get_for(*, actor: Any, employer_id: int) -> Employer:
    employer = Employer.objects.select_related("region").filter(pk=employer_id).first()
    if employer is None or not policy.allows(actor, policy.VIEW_EMPLOYER, employer):
        raise NotFound()
    return employer


def employer_roles_of(*, user: Any) -> list[EmployerRole]:
    person = getattr(user, "person", None)
    if person is None:
        return []
    return list(
        EmployerRole.objects.select_related("employer")
        .filter(person=person, revoked_at__isnull=True)
        .order_by("employer__name")
    )


def staff_list_for(*, actor: Any) -> QuerySet[User]:
    """Staff accounts the security administrator may manage (within scope)."""
    profile = policy.staff_profile(actor)
    if profile is None or not policy.allows(actor, policy.MANAGE_STAFF):
        return User.objects.none()
    return (
        User.objects.select_related("staff_profile__agency", "staff_profile__region")
        .filter(staff_profile__region__code__startswith=profile.region.scope_prefix)
        .order_by("username")
    )


def staff_get_for(*, actor: Any, user_id: int) -> User:
    user = staff_list_for(actor=actor).filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    return user


def region_tree() -> list[Region]:
    return list(Region.objects.select_related("parent").order_by("code"))


def region_by_code(code: str) -> Region | None:
    """The region of GB/T 2260 ``code``, if there is one."""
    return Region.objects.filter(code=code).first()


def token_list_for(*, actor: Any) -> QuerySet[ApiToken]:
    if not getattr(actor, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=actor).order_by("-created_at")


def staff_in_scope_of(*, region: Region, roles: list[str]) -> list[StaffProfile]:
    """Active staff of these roles whose region scope covers ``region``, nearest level first."""
    profiles = [
        p
        for p in StaffProfile.objects.select_related("user", "agency", "region").filter(
            role__in=roles, user__is_active=True
        )
        if policy.in_scope(p, region)
    ]
    return sorted(profiles, key=lambda p: (-len(p.region.scope_prefix), p.user.username))


def agency_names_by_region(*, kind: str = "si_agency") -> dict[int, str]:
    """The name of each region's agency of ``kind`` (the one that handles its cases)."""
    from django.utils.translation import get_language

    from onestop.identity.models import Agency

    english = not (get_language() or "zh").startswith("zh")
    rows = Agency.objects.filter(kind=kind).values_list("region_id", "name", "name_en")
    return {region: (name_en or name) if english else name for region, name, name_en in rows}


def person_by_resident_id(value: str) -> Person | None:
    """The person with this resident ID, for system-to-system look-ups (the gateway); callers
    authorise the look-up themselves and log it."""
    check = check_resident_id(value or "", today=timezone.localdate(), with_place=False)
    if not check.valid:
        return None
    return Person.objects.filter(resident_id_index=resident_id_index(check.normalized)).first()


def resident_id_key(value: str) -> str:
    """The blind index of a resident ID (to file records about someone not registered)."""
    check = check_resident_id(value or "", today=timezone.localdate(), with_place=False)
    return resident_id_index(check.normalized) if check.valid else ""


def employer_users_of(*, employer: Employer) -> list[EmployerRole]:
    """The people acting for ``employer`` now, the legal representative first."""
    order = {"legal_representative": 0, "administrator": 1, "agent": 2}
    grants = EmployerRole.objects.select_related("person").filter(
        employer=employer, revoked_at__isnull=True
    )
    return sorted(grants, key=lambda g: (order.get(g.role, 9), g.pk))


def staff_offices_of_users(*, usernames: set[str]) -> dict[str, Agency]:
    """The agency each of ``usernames`` (staff) works for, by user name: what an applicant is
    shown instead of a staff member's login."""
    return {
        profile.user.get_username(): profile.agency
        for profile in StaffProfile.objects.select_related("user", "agency").filter(
            user__username__in=usernames
        )
    }


def person_names_of_users(*, usernames: set[str]) -> dict[str, str]:
    """The names of the persons who sign in as ``usernames``, by user name."""
    return dict(
        Person.objects.filter(user__username__in=usernames).values_list("user__username", "name")
    )
