"""Proof of insurance (signed PDF) for the person or scoped staff; public verification (by
number and code, or of the file itself); the person's data-use log, consents and e-licences."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.common.throttles import throttle_page
from onestop.exchange import certificate_pdf, licences, services
from onestop.exchange.facts import insurance_facts
from onestop.exchange.forms import ConsentForm
from onestop.exchange.verified import verified_lines
from onestop.identity.models import Person

MAX_PDF_BYTES = 5 * 1024 * 1024


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


@login_required
def proof_pdf_view(request: HttpRequest, person_id: int | None = None) -> HttpResponse:
    """Issue a new signed proof of insurance and return it as a PDF."""
    person = _person(request, person_id)
    issued = services.proof_of_insurance_issue(
        actor=request.user, person=person, facts=insurance_facts(person)
    )
    number = issued.certificate.number
    pdf = certificate_pdf.render(
        certificate=issued.certificate, code=issued.code, absolute=request.build_absolute_uri
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="proof-of-insurance-{number}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@throttle_page("lookup")
def verify_view(request: HttpRequest) -> HttpResponse:
    """Anyone holding a certificate (a bank, an employer) checks it here: by number and code,
    or by uploading the PDF itself (a changed file fails)."""
    number, code = request.GET.get("number", ""), request.GET.get("code", "")
    context: dict[str, Any] = {"number": number, "code": code}
    try:
        if request.method == "POST":
            upload = request.FILES.get("file")
            if upload is None or (upload.size or 0) > MAX_PDF_BYTES:
                raise NotFound(
                    "请选择不超过 5 MB 的 PDF 证明文件。", "Choose a PDF of at most 5 MB."
                )
            context["result"] = services.certificate_verify_pdf(data=upload.read())
        elif number or code:
            context["result"] = services.certificate_verify(number=number, code=code)
    except NotFound as exc:
        context["not_found"] = exc
    found = context.get("result")
    if found is not None and found.certificate is not None:
        context["result_lines"] = verified_lines(found.certificate.payload)
    return render(request, "exchange/verify.html", context)


@login_required
def data_use_view(request: HttpRequest) -> HttpResponse:
    """Every query about me: who, which fields, why, when."""
    return render(
        request, "exchange/data_use.html", {"messages_": services.data_use_of(actor=request.user)}
    )


@require_http_methods(["GET", "POST"])
@login_required
def consents_view(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "person", None) is None:
        raise NotPermitted("仅本人可以授权。", "Only the person can consent.")
    offers = services.consent_offers()
    zh = (get_language() or "").startswith("zh")
    form = ConsentForm(request.POST or None, offers=offers, zh=zh)
    if request.method == "POST" and form.is_valid():
        chosen = form.offers[form.cleaned_data["offer"]]
        try:
            services.consent_grant(
                actor=request.user,
                consumer_code=chosen.consumer,
                resource_code=chosen.resource,
                purpose=chosen.purpose,
                days=form.cleaned_data["days"],
            )
            messages.success(request, _("Consent recorded."))
            return redirect("exchange:consents")
        except ServiceError as exc:
            form.add_error(None, exc.zh if zh else exc.en)
    return render(
        request,
        "exchange/consents.html",
        {
            "form": form,
            "offers": offers,
            "consents": services.consents_of(actor=request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def consent_revoke_view(request: HttpRequest, consent_id: int) -> HttpResponse:
    """Revoking asks first: the page names whom, which data and what for; the POST
    revokes."""
    consent = next(
        (c for c in services.consents_of(actor=request.user) if c.pk == consent_id), None
    )
    if consent is None or consent.revoked_at is not None:
        raise NotFound()
    if request.method == "POST":
        services.consent_revoke(actor=request.user, consent_id=consent_id)
        messages.success(request, _("Consent revoked."))
        return redirect("exchange:consents")
    return render(request, "exchange/consent_revoke.html", {"consent": consent})


@login_required
def licences_view(request: HttpRequest) -> HttpResponse:
    person = getattr(request.user, "person", None)
    if person is None:
        raise NotPermitted()
    return render(
        request, "exchange/licences.html", {"licences": licences.licences_of(person=person)}
    )


@login_required
def person_certificates_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """Staff: the certificates issued for a person in scope, with revocation."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    found = services.certificates_of(actor=request.user, person=person)
    return render(request, "exchange/certificates.html", {"person": person, "certificates": found})


@require_POST
@login_required
def certificate_revoke_view(request: HttpRequest, number: str) -> HttpResponse:
    certificate = services.certificate_get(number=number)
    try:
        services.certificate_revoke(
            actor=request.user, certificate=certificate, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("The certificate has been revoked."))
    except NotPermitted:
        raise NotFound() from None
    except ServiceError as exc:
        messages.error(request, exc.zh if (get_language() or "").startswith("zh") else exc.en)
    return redirect("exchange:person_certificates", person_id=certificate.person_id)
