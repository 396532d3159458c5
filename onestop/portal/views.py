"""The front door: a public home page and a home page per role."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onestop.common.errors import NotPermitted
from onestop.identity import policy, selectors
from onestop.identity.masking import mask_phone, mask_resident_id


def home_view(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors see the public page; signed-in users their role's home."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "portal/public_home.html")
    role = policy.role_of(user)
    if role == "citizen":
        person = getattr(user, "person", None)
        return render(
            request,
            "portal/citizen_home.html",
            {
                "person": person,
                "masked_id": mask_resident_id(person.resident_id) if person else "",
                "masked_phone": mask_phone(person.phone) if person and person.phone else "",
                "employer_roles": selectors.employer_roles_of(user=user),
            },
        )
    profile = policy.staff_profile(user)
    return render(request, "portal/staff_home.html", {"profile": profile, "role": role})


@login_required
def employer_home_view(request: HttpRequest, employer_id: int) -> HttpResponse:
    """An employer user's page for one employer they act for (staff use the staff pages)."""
    if policy.is_staff_member(request.user):
        raise NotPermitted()
    employer = selectors.employer_get_for(actor=request.user, employer_id=employer_id)
    return render(
        request,
        "portal/employer_home.html",
        {
            "employer": employer,
            "contact_phone": mask_phone(employer.contact_phone) if employer.contact_phone else "",
        },
    )
