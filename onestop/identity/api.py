"""Identity API: who am I, persons, employers, regions, API tokens."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from onestop.common.errors import NotFound, NotPermitted, pick_message
from onestop.common.pagination import BoundedPagination, bounded
from onestop.identity import policy, selectors, services
from onestop.identity.api_auth import (
    ANY_AUTH,
    is_own_person,
    require_scope,
    scoped,
    session_only_auth,
)
from onestop.identity.masking import mask_name, mask_phone, mask_resident_id
from onestop.identity.models import Employer, Person
from onestop.rules.identifiers import check_credit_code, check_resident_id

router = Router(tags=["identity"])


class RegionOut(Schema):
    code: str
    name: str
    name_en: str
    level: str
    parent: str | None


class PersonOut(Schema):
    id: int
    name: str
    resident_id: str
    phone: str
    sex: str
    birth_year: int = Field(
        description="Year of birth only: with the region and the masked resident ID, the full "
        "birth date would give the whole ID back"
    )
    region: str


class IdentifiersOut(Schema):
    resident_id: str
    phone: str


class EmployerOut(Schema):
    id: int
    name: str
    credit_code: str
    region: str
    legal_representative: str
    contact_name: str
    contact_phone: str


class StaffOut(Schema):
    role: str
    agency: str
    region: str


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    person: PersonOut | None
    staff: StaffOut | None
    employers: list[int]


def _scopes_described() -> str:
    """Every token scope with what it allows (English), for the OpenAPI description."""
    from django.utils import translation

    with translation.override("en"):
        lines = [f"- `{code}`: {text}" for code, text in services.TOKEN_SCOPES.items()]
    return (
        "The scopes the token carries (default: `profile:read`, the caller's own profile and "
        "records). A token holds only scopes its user's role can use (the API tokens page, "
        "`/account/tokens/`, offers them; others are refused with 400 `scopes`). Each "
        "operation names the scope it needs; without it the answer is 403. The scopes:\n"
        + "\n".join(lines)
    )


class TokenIn(Schema):
    name: str
    scopes: list[str] = Field(
        default_factory=lambda: ["profile:read"],
        description=_scopes_described(),
        json_schema_extra={"items": {"type": "string", "enum": list(services.TOKEN_SCOPES)}},
    )
    days: int = 90


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class IssuedTokenOut(Schema):
    token: TokenOut
    secret: str


class ErrorOut(Schema):
    code: str
    message_zh: str
    message_en: str


def person_out(person: Person, *, actor: Any = None) -> dict[str, Any]:
    """A person with masked identifiers; the name in full only for an ``actor`` who may see
    the identifiers in full (case workers, reviewers, the person), else masked (张*)."""
    full_name = selectors.person_name_shown_in_full(actor=actor, person=person)
    return {
        "id": person.pk,
        "name": person.name if full_name else mask_name(person.name),
        "resident_id": mask_resident_id(person.resident_id),
        "phone": mask_phone(person.phone) if person.phone else "",
        "sex": person.sex,
        # The year only: region, birth date and the last four digits make the whole ID.
        "birth_year": person.birth_date.year,
        "region": person.region.code,
    }


def employer_out(employer: Employer) -> dict[str, Any]:
    return {
        "id": employer.pk,
        "name": employer.name,
        "credit_code": employer.credit_code,
        "region": employer.region.code,
        "legal_representative": employer.legal_representative,
        "contact_name": employer.contact_name,
        "contact_phone": mask_phone(employer.contact_phone) if employer.contact_phone else "",
    }


@router.get("/regions", response=list[RegionOut], auth=None)
@bounded
def regions(request: HttpRequest) -> list[dict[str, Any]]:
    """The administrative divisions the platform serves (public)."""
    return [
        {
            "code": r.code,
            "name": r.name,
            "name_en": r.name_en,
            "level": r.level,
            "parent": r.parent.code if r.parent else None,
        }
        for r in selectors.region_tree()
    ]


@router.get("/me", response=MeOut, auth=scoped("profile:read"))
def me(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user, with identifiers masked."""
    user = request.user
    person = getattr(user, "person", None)
    profile = policy.staff_profile(user)
    return {
        "username": user.get_username(),
        "display_name": getattr(user, "display_name", ""),
        "role": policy.role_of(user),
        "person": person_out(person) if person else None,
        "staff": {
            "role": profile.role,
            "agency": profile.agency.code,
            "region": profile.region.code,
        }
        if profile
        else None,
        "employers": [r.employer_id for r in selectors.employer_roles_of(user=user)],
    }


@router.get("/persons", response=list[PersonOut], auth=scoped("persons:read"))
@paginate(BoundedPagination)
def person_list(request: HttpRequest, q: str = "") -> list[dict[str, Any]]:
    """Persons within the caller's scope; ``q`` is a resident ID or a whole name (exact)."""
    if policy.is_staff_member(request.user) and not policy.allows(request.user, policy.VIEW_PERSON):
        raise NotPermitted()
    return [
        person_out(p, actor=request.user)
        for p in selectors.person_list_for(actor=request.user, query=q)
    ]


@router.get("/persons/{person_id}", response={200: PersonOut, 404: ErrorOut}, auth=ANY_AUTH)
def person_detail(request: HttpRequest, person_id: int) -> dict[str, Any]:
    require_scope(request, "persons:read", own=is_own_person(request, person_id))
    person = selectors.person_get_for(actor=request.user, person_id=person_id)
    return person_out(person, actor=request.user)


@router.post(
    "/persons/{person_id}/reveal",
    response={200: IdentifiersOut, 403: ErrorOut, 404: ErrorOut},
    auth=scoped("persons:reveal"),
)
def person_reveal(request: HttpRequest, person_id: int) -> dict[str, str]:
    """The identifiers in full, for roles that need them; each call is journaled."""
    person = selectors.person_find_for(actor=request.user, person_id=person_id)
    return services.person_reveal(actor=request.user, person=person)


@router.get(
    "/employers/{employer_id}",
    response={200: EmployerOut, 404: ErrorOut},
    auth=scoped("employers:read"),
)
def employer_detail(request: HttpRequest, employer_id: int) -> dict[str, Any]:
    return employer_out(selectors.employer_get_for(actor=request.user, employer_id=employer_id))


@router.get("/tokens", response={200: list[TokenOut], 403: ErrorOut}, auth=session_only_auth)
@bounded
def token_list(request: HttpRequest) -> Any:
    """The caller's own API tokens (browser session only: a token cannot manage tokens)."""
    return selectors.token_list_for(actor=request.user)


@router.post(
    "/tokens", response={201: IssuedTokenOut, 400: ErrorOut, 403: ErrorOut}, auth=session_only_auth
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    """Issue a token; its secret is in this response only. Browser session only (or the
    *API tokens* page): a bearer token gets 403 ``session_only``."""
    issued = services.token_create(
        actor=request.user,  # type: ignore[arg-type]
        name=payload.name,
        scopes=payload.scopes,
        days=payload.days,
    )
    return Status(201, {"token": issued.token, "secret": issued.secret})


@router.delete(
    "/tokens/{token_id}", response={204: None, 403: ErrorOut, 404: ErrorOut}, auth=session_only_auth
)
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    token = selectors.token_list_for(actor=request.user).filter(pk=token_id).first()
    if token is None:
        raise NotFound()
    services.token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
    return Status(204, None)


class ResidentIdCheckOut(Schema):
    valid: bool
    normalized: str
    birth_date: dt.date | None
    sex: str | None
    region: str | None
    region_history: list[str] = []
    reason: str | None = Field(description="why it is invalid, in the request's language")
    reason_zh: str | None
    reason_en: str | None


class CreditCodeCheckOut(Schema):
    valid: bool
    normalized: str
    region: str | None
    region_history: list[str] = []
    reason: str | None = Field(description="why it is invalid, in the request's language")
    reason_zh: str | None
    reason_en: str | None


def _reason(reason: Any) -> dict[str, str | None]:
    """Why a value is invalid: in the request's language, and in each (the API's errors
    carry ``message``, ``message_zh`` and ``message_en`` the same way)."""
    if reason is None:
        return {"reason": None, "reason_zh": None, "reason_en": None}
    return {
        "reason": pick_message(reason.zh, reason.en),
        "reason_zh": reason.zh,
        "reason_en": reason.en,
    }


@router.get("/validate/resident-id", response=ResidentIdCheckOut, auth=None)
def validate_resident_id(request: HttpRequest, value: str = "") -> dict[str, Any]:
    """Check a resident ID (GB 11643). Invalid values answer 200 with ``valid: false``.

    The value is normalised first (NFKC: full-width digits and ideographic spaces count).
    ``region`` is the code and, when the code list knows it, the place's current (or last
    known) name; ``region_history`` its dated names where it changed. A code missing from
    today's list does not make a number invalid.
    """
    check = check_resident_id(value[:64], today=timezone.localdate())
    region = None
    if check.valid:
        region = f"{check.region_code} {check.region}".strip()
    return {
        "valid": check.valid,
        "normalized": check.normalized,
        "birth_date": check.birth_date,
        "sex": check.sex.value if check.sex else None,
        "region": region,
        "region_history": list(check.region_history),
        **_reason(check.reason),
    }


@router.get("/validate/credit-code", response=CreditCodeCheckOut, auth=None)
def validate_credit_code(request: HttpRequest, value: str = "") -> dict[str, Any]:
    """Check a unified social credit code (GB 32100-2015, registration authorities 1-9, A, N,
    Y). Invalid values answer 200 with the fault; ``region`` as for resident IDs."""
    check = check_credit_code(value[:64])
    region = f"{check.region_code} {check.region}".strip() if check.valid else None
    return {
        "valid": check.valid,
        "normalized": check.normalized,
        "region": region,
        "region_history": list(check.region_history),
        **_reason(check.reason),
    }
