"""Identity pages: sign-in with a second factor for staff, persons, staff accounts, tokens."""

from __future__ import annotations

import io
import time
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onestop.common import throttles
from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.identity import devices, policy, selectors, services
from onestop.identity.auth import find_login_user, is_locked, totp_uri
from onestop.identity.forms import (
    CodeForm,
    EmployerUserForm,
    LoginForm,
    PersonSearchForm,
    StaffChangeForm,
    StaffCreateForm,
    TokenForm,
)
from onestop.identity.masking import mask_name, mask_phone, mask_resident_id
from onestop.identity.models import User

PENDING = "onestop_pending_mfa"
PENDING_SECONDS = 300
BACKEND = "onestop.identity.auth.IdentifierBackend"


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _finish_login(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    request.session.pop(PENDING, None)
    login(request, user, backend=BACKEND)
    response = redirect(next_url or "portal:home")
    devices.remember(request, response, user)
    return response


def _login_throttled(request: HttpRequest, identifier: str) -> int | None:
    """Seconds to wait before this sign-in attempt may be checked, or None.

    Unknown clients are limited per address and per identifier. A browser that has signed
    in to the identifier's account before is limited on its own device instead, so that
    strangers sending attempts from the same office address or at the same account cannot
    keep the owner out."""
    device = devices.device_of(request, find_login_user(identifier)) if identifier else None
    if device:
        return throttles.hit(scope="login_account", ident=f"device:{device}")
    wait = throttles.hit(scope="login_address", ident=throttles.by_address(request))
    if wait is None and identifier:
        wait = throttles.hit(scope="login_account", ident=identifier)
    return wait


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Step one: identifier and password. Staff go on to the second factor."""
    form = LoginForm(request.POST or None)
    next_url = _safe_next(request)
    if request.method == "POST":
        # Counted before the password is checked, whatever the outcome: guessing is slowed
        # per address and per account (the lockout after failures stays as well).
        identifier = str(request.POST.get("identifier", "")).strip().lower()[:64]
        wait = _login_throttled(request, identifier)
        if wait is not None:
            return throttles.too_many(request, wait)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            identifier=form.cleaned_data["identifier"],
            password=form.cleaned_data["password"],
        )
        if user is None:
            form.add_error(
                None,
                _(
                    "The sign-in details are wrong, or the account is locked "
                    "after 5 failed attempts (it unlocks after 30 minutes)."
                ),
            )
        elif policy.is_staff_member(user):
            request.session.cycle_key()
            request.session[PENDING] = {
                "uid": user.pk,
                "at": time.time(),
                "next": next_url,
                "device": getattr(request, "onestop_device", None),
            }
            if user.totp_confirmed_at is None:
                return redirect("identity:mfa_enrol")
            return redirect("identity:mfa")
        else:
            return _finish_login(request, user, next_url)
    return render(request, "identity/login.html", {"form": form, "next": next_url})


def _pending_user(request: HttpRequest) -> tuple[User | None, str]:
    pending = request.session.get(PENDING)
    if not pending or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, ""
    user = User.objects.filter(pk=pending.get("uid"), is_active=True).first()
    device = pending.get("device")
    if user is None or (devices.is_locked(device) if device else is_locked(user)):
        return None, ""
    return user, str(pending.get("next", ""))


def _code_failed(request: HttpRequest) -> None:
    """A wrong code on a known device counts against that device as well (the account's
    count, which locks unknown clients out, is kept by ``services.totp_confirm``)."""
    device = (request.session.get(PENDING) or {}).get("device")
    if device:
        devices.note_failure(device)


@require_http_methods(["GET", "POST"])
def mfa_view(request: HttpRequest) -> HttpResponse:
    """Step two for staff: the authenticator code."""
    user, next_url = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("identity:login")
    if user.totp_confirmed_at is None:
        return redirect("identity:mfa_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_confirm(user=user, code=form.cleaned_data["code"]):
            return _finish_login(request, user, next_url)
        _code_failed(request)
        form.add_error("code", _("The code is wrong or has been used already."))
    return render(request, "identity/mfa.html", {"form": form})


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8")


@require_http_methods(["GET", "POST"])
def mfa_enrol_view(request: HttpRequest) -> HttpResponse:
    """First staff sign-in: bind an authenticator app, confirmed by one code."""
    user, next_url = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("identity:login")
    if user.totp_confirmed_at is not None:
        return redirect("identity:mfa")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_confirm(user=user, code=form.cleaned_data["code"]):
            messages.success(request, _("Your authenticator is set up."))
            return _finish_login(request, user, next_url)
        _code_failed(request)
        form.add_error("code", _("The code is wrong or has been used already."))
    if not user.totp_secret or request.method == "GET":
        secret = services.totp_enrolment_secret(user=user)
    else:
        secret = user.totp_secret
    uri = totp_uri(user, secret)
    return render(
        request,
        "identity/mfa_enrol.html",
        {"form": form, "secret": secret, "uri": uri, "qr": _qr_svg(uri)},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:home")


def _require(request: HttpRequest, perm: str) -> None:
    if not policy.allows(request.user, perm):
        raise NotPermitted()


def masked_person(person: Any) -> dict[str, Any]:
    return {
        "id": person.pk,
        "name": person.name,
        "resident_id": mask_resident_id(person.resident_id),
        "phone": mask_phone(person.phone) if person.phone else "",
        "sex": person.get_sex_display(),
        # The year only: region, birth date and the last four digits make the whole ID.
        "birth_year": person.birth_date.year,
        "region": person.region,
    }


@login_required
def person_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, policy.VIEW_PERSON)
    form = PersonSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(selectors.person_list_for(actor=request.user, query=query), 25).get_page(
        request.GET.get("page")
    )
    rows = [masked_person(p) for p in page.object_list]
    for row in rows:
        row["name"] = mask_name(row["name"])
    return render(
        request,
        "identity/person_list.html",
        {"form": form, "page": page, "rows": rows, "query": query},
    )


def _require_staff_with(request: HttpRequest, perm: str) -> None:
    """Staff pages: a staff role holding ``perm`` (citizens use their own home page)."""
    if not (policy.is_staff_member(request.user) and policy.allows(request.user, perm)):
        raise NotPermitted()


@login_required
def person_detail_view(request: HttpRequest, person_id: int) -> HttpResponse:
    _require_staff_with(request, policy.VIEW_PERSON)
    person = selectors.person_get_for(actor=request.user, person_id=person_id)
    can_reveal = policy.allows(request.user, policy.REVEAL_PERSON, person)
    shown = masked_person(person)
    # The name as journaled by person_get_for: masked for a role that may not reveal.
    if not selectors.person_name_shown_in_full(actor=request.user, person=person):
        shown["name"] = mask_name(shown["name"])
    return render(
        request,
        "identity/person_detail.html",
        {"person": shown, "can_reveal": can_reveal},
    )


@require_POST
@login_required
def person_reveal_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """Show identifiers in full (journaled). Returns a fragment for HTMX, else the page."""
    _require_staff_with(request, policy.VIEW_PERSON)
    person = selectors.person_find_for(actor=request.user, person_id=person_id)
    full = services.person_reveal(actor=request.user, person=person)
    context = {"person": masked_person(person), "full": full, "can_reveal": True}
    if request.headers.get("HX-Request"):
        return render(request, "identity/_identifiers.html", context)
    return render(request, "identity/person_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def staff_list_view(request: HttpRequest) -> HttpResponse:
    """The security administrator's staff accounts: list, create, unlock, reset MFA."""
    _require(request, policy.MANAGE_STAFF)
    profile = policy.staff_profile(request.user)
    assert profile is not None
    form = StaffCreateForm(request.POST or None, scope_prefix=profile.region.scope_prefix)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.staff_create(
                actor=request.user,
                username=data["username"],
                display_name=data["display_name"],
                password=data["password"],
                agency=data["agency"],
                role=data["role"],
                region=data["region"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.zh if request.LANGUAGE_CODE.startswith("zh") else exc.en)
        else:
            messages.success(
                request, _("Staff account %(name)s created.") % {"name": created.username}
            )
            return redirect("identity:staff_list")
    return render(
        request,
        "identity/staff_list.html",
        {
            "staff": selectors.staff_list_for(actor=request.user),
            "now_": timezone.now(),
            "form": form,
        },
    )


@require_POST
@login_required
def staff_action_view(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    _require(request, policy.MANAGE_STAFF)
    target = selectors.staff_get_for(actor=request.user, user_id=user_id)
    if action == "unlock":
        services.account_unlock(actor=request.user, user=target)
        messages.success(request, _("Account %(name)s unlocked.") % {"name": target.username})
    elif action == "reset-mfa":
        services.mfa_reset(actor=request.user, user=target)
        messages.success(
            request,
            _("Authenticator of %(name)s removed; they enrol a new one at their next sign-in.")
            % {"name": target.username},
        )
    elif action == "deactivate":
        try:
            services.staff_deactivate(actor=request.user, user=target)
        except ServiceError as exc:
            messages.error(request, exc.zh if request.LANGUAGE_CODE.startswith("zh") else exc.en)
        else:
            messages.success(
                request,
                _(
                    "Account %(name)s deactivated; its sessions have ended and the steps it "
                    "held are back in the queue."
                )
                % {"name": target.username},
            )
    elif action == "reactivate":
        services.staff_reactivate(actor=request.user, user=target)
        messages.success(request, _("Account %(name)s reactivated.") % {"name": target.username})
    else:
        raise Http404
    return redirect("identity:staff_list")


@require_http_methods(["GET", "POST"])
@login_required
def staff_change_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """Change a staff account's role, agency or region scope; its sessions end."""
    _require(request, policy.MANAGE_STAFF)
    target = selectors.staff_get_for(actor=request.user, user_id=user_id)
    profile = policy.staff_profile(request.user)
    assert profile is not None
    current = target.staff_profile
    form = StaffChangeForm(
        request.POST or None,
        scope_prefix=profile.region.scope_prefix,
        initial={"role": current.role, "agency": current.agency, "region": current.region},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.staff_change(
                actor=request.user,
                user=target,
                role=data["role"],
                agency=data["agency"],
                region=data["region"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.zh if request.LANGUAGE_CODE.startswith("zh") else exc.en)
        else:
            messages.success(
                request,
                _("Account %(name)s changed; its sessions have ended.") % {"name": target.username},
            )
            return redirect("identity:staff_list")
    return render(request, "identity/staff_change.html", {"form": form, "target": target})


@require_http_methods(["GET", "POST"])
@login_required
def token_list_view(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None, user=request.user)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.token_create(
                actor=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                days=form.cleaned_data["days"],
            )
            form = TokenForm(user=request.user)
        except ServiceError as exc:
            form.add_error(None, exc.zh if request.LANGUAGE_CODE.startswith("zh") else exc.en)
    return render(
        request,
        "identity/tokens.html",
        {"form": form, "issued": issued, "tokens": selectors.token_list_for(actor=request.user)},
    )


@require_POST
@login_required
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.token_list_for(actor=request.user).filter(pk=token_id).first()
    if token is None:
        raise NotFound()
    services.token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
    messages.success(request, _("Token revoked."))
    return redirect("identity:tokens")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, journaled in the same transaction."""

    template_name = "identity/password_change.html"
    success_url = "/"

    def form_valid(self, form: Any) -> HttpResponse:
        # Every session and token of the account ends; this browser signs back in with the
        # new hash, so whoever held another session (or a token) is out.
        services.password_change(user=form.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, form.user)
        messages.success(
            self.request,
            _("Your password has been changed; your other sessions and tokens have ended."),
        )
        # Every device cookie was bound to the old password: this browser stays known.
        response = redirect(self.get_success_url())
        devices.remember(self.request, response, form.user)
        return response


@require_http_methods(["GET", "POST"])
@login_required
def employer_users_view(request: HttpRequest, employer_id: int) -> HttpResponse:
    """The employer's users: its legal representative or administrator adds people who act
    for it and removes them (names and IDs masked)."""
    employer = selectors.employer_get_for(actor=request.user, employer_id=employer_id)
    manages = policy.allows(request.user, policy.MANAGE_EMPLOYER_ROLES, employer)
    form = EmployerUserForm(request.POST or None)
    if request.method == "POST":
        if not manages:
            raise NotPermitted()
        try:
            if "remove" in request.POST:
                grant = request.POST.get("remove", "")
                services.employer_user_remove(
                    actor=request.user,
                    employer=employer,
                    grant_id=int(grant) if grant.isdigit() else 0,
                )
                messages.success(request, _("The user no longer acts for the employer."))
                return redirect("identity:employer_users", employer_id=employer.pk)
            if form.is_valid():
                services.employer_user_add(
                    actor=request.user,
                    employer=employer,
                    resident_id=form.cleaned_data["resident_id"],
                    role=form.cleaned_data["role"],
                )
                messages.success(request, _("The user has been added."))
                return redirect("identity:employer_users", employer_id=employer.pk)
        except ServiceError as exc:
            if isinstance(exc, NotPermitted | NotFound):
                raise
            form.add_error(None, exc.zh if (get_language() or "").startswith("zh") else exc.en)
    rows = [
        {
            "grant": g,
            "name": mask_name(g.person.name),
            "resident_id": mask_resident_id(g.person.resident_id),
        }
        for g in selectors.employer_users_of(employer=employer)
    ]
    return render(
        request,
        "identity/employer_users.html",
        {"employer": employer, "rows": rows, "form": form if manages else None},
    )
