"""Pages: rate a completed case (the applicant, the counter tablet, the QR code on the
result), the staff's rectification list, and the public disclosure of ratings."""

from __future__ import annotations

from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onestop.applications import selectors as applications
from onestop.applications.models import Application
from onestop.common import throttles
from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.identity import policy
from onestop.reviews import selectors, services
from onestop.reviews.forms import CodeForm, NoteForm, RatingForm, VisitForm
from onestop.reviews.models import RectificationStatus, ReviewChannel


def _code_guessing(request: HttpRequest) -> HttpResponse | None:
    """A post with a query code counts against the client address's look-up limit (the
    public status page's), so that six-digit codes cannot be tried one after another."""
    if request.method != "POST":
        return None
    wait = throttles.hit(scope="lookup", ident=throttles.by_address(request))
    return throttles.too_many(request, wait) if wait is not None else None


def _unknown(request: HttpRequest, message: tuple[str, str]) -> HttpResponse:
    """A page for a number that names nothing: not found. Each such look-up counts against
    the address's look-up limit, as a wrong code does, so numbers cannot be probed fast."""
    wait = throttles.hit(scope="lookup", ident=throttles.by_address(request))
    if wait is not None:
        return throttles.too_many(request, wait)
    raise NotFound(*message)


def _error(exc: ServiceError) -> str:
    return exc.zh if (get_language() or "").startswith("zh") else exc.en


@require_http_methods(["GET", "POST"])
@login_required
def review_view(request: HttpRequest, number: str) -> HttpResponse:
    """The applicant rates their case here; at the counter, the case worker hands the tablet
    to the applicant on this same page."""
    case = applications.application_for(actor=request.user, number=number)
    if policy.is_staff_member(request.user):
        if not services.counter_worker_in_scope(request.user, case):
            raise NotPermitted()
        return _rate(request, case, ReviewChannel.TABLET, by_code=False)
    return _rate(request, case, ReviewChannel.WEB, by_code=False)


@require_http_methods(["GET", "POST"])
def public_review_view(request: HttpRequest, number: str) -> HttpResponse:
    """The QR code printed on the result leads here: the case number and the query code from
    the receipt are enough, no sign-in. The query code comes first, so the rating form is
    shown only for a case that can be rated; a post with the code and the rating together
    is also taken."""
    if (refused := _code_guessing(request)) is not None:
        return refused
    if request.method == "GET" and not applications.case_number_known(number=number):
        return _unknown(request, applications.NO_SUCH_CASE)
    if request.method == "POST" and "level" in request.POST:
        form = RatingForm(request.POST, with_code=True)
        status = 200
        if form.is_valid():
            try:
                case = applications.status_public(number=number, code=form.cleaned_data["code"])
            except NotFound as exc:
                form.add_error("code", _error(exc))
                status = 404
            else:
                return _submit(request, case, form, ReviewChannel.QR, by_code=True)
        return render(
            request,
            "reviews/rate.html",
            {"form": form, "number": number, "case": None},
            status=status,
        )
    code_form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and code_form.is_valid():
        code = code_form.cleaned_data["code"]
        try:
            case = applications.status_public(number=number, code=code)
        except NotFound as exc:
            code_form.add_error("code", _error(exc))
            status = 404  # an unknown case and a wrong code alike
        else:
            # The code's holder learns of this case only: not of the applicant's other
            # ratings (``rated_today``), which still close the form.
            return render(
                request,
                "reviews/rate.html",
                {
                    "form": RatingForm(with_code=True, initial={"code": code}),
                    "number": number,
                    "case": case,
                    "by_code": True,
                    "open": services.rating_open(case),
                    "round": services.next_round(case),
                },
            )
    return render(
        request,
        "reviews/rate.html",
        {"code_form": code_form, "number": number, "case": None},
        status=status,
    )


def _rate(request: HttpRequest, case: Application, channel: str, by_code: bool) -> HttpResponse:
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _submit(request, case, form, channel, by_code)
    return render(
        request,
        "reviews/rate.html",
        {
            "form": form,
            "number": case.number,
            "case": case,
            "open": services.rating_open(case),
            "round": services.next_round(case),
            "rated_today": services.rated_today(case),
        },
    )


#: What a code holder is told when the case cannot be rated now for a reason of the
#: applicant's own (a rating of another case today).
CLOSED_TO_CODE = ("该办件现在不能评价。", "This case cannot be rated now.")


def _submit(
    request: HttpRequest, case: Application, form: RatingForm, channel: str, by_code: bool
) -> HttpResponse:
    try:
        review = services.review_submit(
            actor=request.user, case=case, rating=form.rating(), channel=channel, by_code=by_code
        )
    except ServiceError as exc:
        if by_code and exc.code == "rated_today":
            # The applicant's ratings of other cases are not the code holder's to know.
            exc = ServiceError(*CLOSED_TO_CODE, code="closed")
        form.add_error(None, _error(exc))
        return render(
            request,
            "reviews/rate.html",
            {"form": form, "number": case.number, "case": None if by_code else case},
            status=exc.status,
        )
    if review.bad and review.round == 1:
        messages.success(
            request,
            _(
                "Thank you. We are sorry the service fell short: the agency will call you back "
                "within one working day."
            ),
        )
    else:
        messages.success(request, _("Thank you for rating this service."))
    if by_code:
        return redirect("reviews:public", number=case.number)
    return redirect("applications:case", number=case.number)


@require_GET
@login_required
def rectifications_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = [
        {"rect": r, "overdue": selectors.overdue(r)}
        for r in selectors.rectifications_for(actor=request.user, status=status)
    ]
    return render(
        request,
        "reviews/rectifications.html",
        {
            "rows": rows,
            "status": status,
            "statuses": RectificationStatus.choices,
            "note_form": NoteForm(),
            "supervisor": policy.role_of(request.user) == "supervisor",
        },
    )


ACTIONS = {
    "callback": lambda actor, rect, note: services.rectification_callback(
        actor=actor, rect=rect, note=note
    ),
    "rectified": lambda actor, rect, note: services.rectification_done(
        actor=actor, rect=rect, note=note
    ),
    "appeal": lambda actor, rect, note: services.rectification_appeal(
        actor=actor, rect=rect, reason=note
    ),
    "uphold": lambda actor, rect, note: services.appeal_decide(
        actor=actor, rect=rect, upheld=True, note=note
    ),
    "dismiss": lambda actor, rect, note: services.appeal_decide(
        actor=actor, rect=rect, upheld=False, note=note
    ),
}


@require_POST
@login_required
def rectification_act_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise NotFound()
    rect = selectors.rectification_for(actor=request.user, pk=pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what was done (at most 1000 characters)."))
    else:
        try:
            ACTIONS[action](request.user, rect, form.cleaned_data["note"])
            messages.success(request, _("Recorded."))
        except NotPermitted:
            raise
        except ServiceError as exc:
            messages.error(request, _error(exc))
    return redirect("reviews:rectifications")


@require_GET
def ratings_view(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("by", "item")
    if by not in ("item", "agency", "region"):
        by = "item"
    return render(request, "reviews/ratings.html", {"rows": selectors.ratings(by=by), "by": by})


# --- counter visits without a case -------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def visits_view(request: HttpRequest) -> HttpResponse:
    """A case worker ends a counter visit that needed no case, then hands over the tablet or
    prints the slip."""
    if not services.counter_worker_in_scope(request.user, region=_own_region(request.user)):
        raise NotPermitted()
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_end(actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, _error(exc))
        else:
            return redirect("reviews:visit", number=visit.number)
    return render(
        request,
        "reviews/visits.html",
        {"form": form, "visits": selectors.visits_for(actor=request.user)},
    )


def _own_region(user: Any) -> Any:
    profile = policy.staff_profile(user)
    return profile.agency.region if profile is not None else None


@require_http_methods(["GET", "POST"])
@login_required
def visit_view(request: HttpRequest, number: str) -> HttpResponse:
    """The visit slip (number, code, QR code) and the tablet rating form."""
    visit = selectors.visit_for(actor=request.user, number=number)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_review_submit(
                actor=request.user, visit=visit, rating=form.rating(), channel=ReviewChannel.TABLET
            )
        except ServiceError as exc:
            form.add_error(None, _error(exc))
        else:
            messages.success(request, _("Thank you for rating this service."))
            return redirect("reviews:visits")
    url = request.build_absolute_uri(reverse("reviews:visit_public", args=[visit.number]))
    return render(
        request,
        "reviews/visit.html",
        {
            "visit": visit,
            "form": form,
            "round": services.next_round(visit=visit),
            "qr": _qr_svg(url),
            "rate_url": url,
        },
    )


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=6)
    return str(image.to_string(encoding="unicode"))


@require_http_methods(["GET", "POST"])
def public_visit_review_view(request: HttpRequest, number: str) -> HttpResponse:
    """The visit slip's QR code leads here: its number and code rate the visit, no sign-in."""
    if (refused := _code_guessing(request)) is not None:
        return refused
    if request.method == "GET" and not services.visit_known(number=number):
        return _unknown(request, services.NO_SUCH_VISIT)
    form = RatingForm(request.POST or None, with_code=True)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_by_code(number=number, code=form.cleaned_data["code"])
            review = services.visit_review_submit(
                actor=request.user,
                visit=visit,
                rating=form.rating(),
                channel=ReviewChannel.QR,
                by_code=True,
            )
        except ServiceError as exc:
            form.add_error(None, _error(exc))
            status = exc.status
        else:
            if review.bad and review.round == 1:
                messages.success(
                    request,
                    _(
                        "Thank you. We are sorry the service fell short: the agency will call "
                        "you back within one working day."
                    ),
                )
            else:
                messages.success(request, _("Thank you for rating this service."))
            return redirect("reviews:visit_public", number=number)
    return render(
        request,
        "reviews/rate.html",
        {"form": form, "number": number, "case": None, "visit": True},
        status=status,
    )
