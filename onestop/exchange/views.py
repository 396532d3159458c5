"""Proof of insurance (signed PDF) for the person or scoped staff; public verification."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from onestop.common.errors import NotFound
from onestop.exchange import certificate_pdf, services
from onestop.exchange.facts import insurance_facts
from onestop.identity.models import Person


def _person(request: HttpRequest, person_id: int | None) -> Person:
    if person_id is None:
        person = getattr(request.user, "person", None)
        if person is None:
            raise NotFound()
        return person  # type: ignore[no-any-return]
    person = Person.objects.filter(pk=person_id).first()
    if person is None or not request.user.has_perm("contributions.view", person):
        raise NotFound()
    return person


def verify_url(request: HttpRequest, number: str, code: str) -> str:
    path = reverse("exchange:verify") + "?" + urlencode({"number": number, "code": code})
    return request.build_absolute_uri(path)


@login_required
def proof_pdf_view(request: HttpRequest, person_id: int | None = None) -> HttpResponse:
    """Issue a new signed proof of insurance and return it as a PDF."""
    person = _person(request, person_id)
    issued = services.proof_of_insurance_issue(
        actor=request.user, person=person, facts=insurance_facts(person)
    )
    number = issued.certificate.number
    pdf = certificate_pdf.render(
        certificate=issued.certificate,
        verify_url=verify_url(request, number, issued.code),
        code=issued.code,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="proof-of-insurance-{number}.pdf"'
    return response


def verify_view(request: HttpRequest) -> HttpResponse:
    """Anyone holding a certificate (a bank, an employer) checks it here."""
    number, code = request.GET.get("number", ""), request.GET.get("code", "")
    context: dict[str, Any] = {"number": number, "code": code}
    if number or code:
        try:
            context["result"] = services.certificate_verify(number=number, code=code)
        except NotFound as exc:
            context["not_found"] = exc
    return render(request, "exchange/verify.html", context)
