"""Reading registrations: one's own, or those of people in a staff member's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from onestop.identity.models import Person
from onestop.identity.policy import VIEW_PERSON, staff_profile
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
