"""E-certificate API: the platform's public keys, verification, issuing a proof."""

import base64
import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from onestop.common.errors import NotFound, NotPermitted
from onestop.common.pagination import bounded
from onestop.common.throttles import address_throttle
from onestop.exchange import gateway, licences, pdf_signing, services, signing
from onestop.exchange.algorithms import ALGORITHMS
from onestop.exchange.facts import insurance_facts
from onestop.exchange.models import Consent, Message, Resource
from onestop.exchange.verified import verified_fields
from onestop.identity.api_auth import scoped
from onestop.identity.models import Person

router = Router(tags=["certificates"])


class KeyOut(Schema):
    key_id: str
    algorithm: str
    public_key: str


class KeysOut(Schema):
    keys: list[KeyOut]


class VerifyOut(Schema):
    valid: bool
    reason: str  # empty when valid; else why, e.g. altered, appended, untrusted, revoked
    message_zh: str
    message_en: str
    certificate: dict[str, Any]  # empty when a file fails: a forged file reveals nothing
    signature: str
    fields: list[dict[str, str]] = Field(
        default_factory=list,
        description="what the document of this kind states, as the page shows it (key, "
        "label_zh, label_en, value_zh, value_en); empty when a file fails",
    )


class IssuedOut(Schema):
    number: str
    code: str
    payload: dict[str, Any]
    signature: str
    key_id: str


class ErrorOut(Schema):
    code: str
    message_zh: str
    message_en: str


@router.get("/certificates/keys", response=KeysOut, auth=None)
def keys(request: HttpRequest) -> dict[str, Any]:
    """The public keys the platform signs with (raw, base64), the one in force first: Ed25519
    (32 bytes) and SM2 (64 bytes, x||y)."""
    return {
        "keys": [
            {
                "key_id": signing.key_id(signing.public_key_bytes(kind)),
                "algorithm": {"ed25519": "Ed25519", "sm2": "SM2"}[kind],
                "public_key": base64.b64encode(signing.public_key_bytes(kind)).decode(),
            }
            for kind in (signing.algorithm(), *(k for k in ALGORITHMS if k != signing.algorithm()))
        ]
    }


@router.get(
    "/certificates/pdf-chain",
    auth=None,
    openapi_extra={
        "responses": {
            200: {
                "description": "PEM certificates",
                "content": {"application/x-pem-file": {"schema": {"type": "string"}}},
            }
        }
    },
)
def pdf_chain(request: HttpRequest) -> HttpResponse:
    """The certificates the platform signs its PDFs with (PEM): the signing certificate,
    then the chain up to the root."""
    return HttpResponse(pdf_signing.chain().pem(), content_type="application/x-pem-file")


@router.get(
    "/certificates/pdf-root",
    auth=None,
    openapi_extra={
        "responses": {
            200: {
                "description": "PEM certificates",
                "content": {"application/x-pem-file": {"schema": {"type": "string"}}},
            }
        }
    },
)
def pdf_root(request: HttpRequest) -> HttpResponse:
    """The root certificate(s) (PEM) to trust when validating the platform's PDF
    signatures, in a PDF reader or with ``pyhanko sign validate --trust``."""
    response = HttpResponse(pdf_signing.chain().roots_pem(), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="onestop-pdf-root.pem"'
    return response


@router.get(
    "/certificates/verify",
    response={200: VerifyOut, 404: ErrorOut},
    auth=None,
    throttle=[address_throttle("lookup")],
)
def verify(request: HttpRequest, number: str, code: str) -> dict[str, Any]:
    """Check a certificate by the number and code printed on it."""
    return _verification(services.certificate_verify(number=number, code=code))


@router.post(
    "/persons/{person_id}/proof-of-insurance",
    response={201: IssuedOut, 404: ErrorOut},
    auth=scoped("contributions:read"),
)
def issue_proof(request: HttpRequest, person_id: int) -> Status[dict[str, Any]]:
    """Issue a signed proof of insurance (the person, or staff who may see their record)."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None or not request.user.has_perm("contributions.view", person):
        raise NotFound()
    issued = services.proof_of_insurance_issue(
        actor=request.user, person=person, facts=insurance_facts(person)
    )
    certificate = issued.certificate
    return Status(
        201,
        {
            "number": certificate.number,
            "code": issued.code,
            "payload": certificate.payload,
            "signature": certificate.signature,
            "key_id": certificate.key_id,
        },
    )


def _verification(result: services.Verification) -> dict[str, Any]:
    return {
        "valid": result.valid,
        "reason": result.reason,
        "message_zh": result.message_zh,
        "message_en": result.message_en,
        "certificate": result.certificate.payload if result.certificate else {},
        "signature": result.certificate.signature if result.certificate else "",
        "fields": verified_fields(result.certificate.payload) if result.certificate else [],
    }


@router.post(
    "/certificates/verify-file",
    response={200: VerifyOut, 413: ErrorOut, 422: ErrorOut},
    auth=None,
    throttle=[address_throttle("lookup")],
)
def verify_file(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    """Check a certificate PDF itself, byte for byte: its PAdES signature covers the whole
    file and chains to the platform's root (`/api/v1/certificates/pdf-chain`), its payload
    equals the issued record and its page prints it. Any changed or appended byte fails
    with `valid: false` and the reason in plain words. Not a PDF: 422 `unreadable`; above
    5 MB: 413 `too_large`."""
    if (file.size or 0) > services.MAX_CERTIFICATE_FILE:
        raise services.FileTooLarge(
            "请选择不超过 5 MB 的 PDF 证明文件。", "Choose a PDF of at most 5 MB."
        )
    return _verification(services.certificate_verify_pdf(data=file.read()))


# -- the data-sharing gateway ---------------------------------------------------------------


class ResourceOut(Schema):
    code: str
    name: str
    name_en: str
    provider: str
    fields: list[str]
    legal_basis: str
    needs_consent: bool


class SignedOut(Schema):
    response: dict[str, Any]
    signature: str


class EventOut(Schema):
    accepted: bool
    duplicate: bool
    outcome: str


@router.get("/gateway/resources", response=list[ResourceOut], auth=None)
def resources(request: HttpRequest) -> list[Resource]:
    """The catalogue of shared data resources: provider, fields, legal basis."""
    return list(Resource.objects.order_by("code"))


def _refused(exc: gateway.Refused) -> Status[dict[str, Any]]:
    return Status(exc.status, exc.as_dict())


@router.post(
    "/gateway/query",
    response={
        200: SignedOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    auth=None,
)
def query(request: HttpRequest) -> Any:
    """A registered consumer's signed query (body: canonical JSON; header X-Signature). The
    answer is signed by the gateway; see docs/exchange.md for the protocol."""
    try:
        return gateway.gateway_query(
            body=request.body, signature=request.headers.get("X-Signature", "")
        )
    except gateway.Refused as exc:
        return _refused(exc)


@router.post(
    "/gateway/events",
    response={
        200: EventOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    auth=None,
)
def events(request: HttpRequest) -> Any:
    """An event a registry pushes (at least once; handled once per event id), checked as a
    query is: signature, timestamp, nonce, the registry's grant for the stated purpose."""
    try:
        new, outcome = gateway.event_receive(
            body=request.body, signature=request.headers.get("X-Signature", "")
        )
    except gateway.Refused as exc:
        return _refused(exc)
    return {"accepted": True, "duplicate": not new, "outcome": outcome}


# -- the person's own view ------------------------------------------------------------------


class MessageOut(Schema):
    at: dt.datetime
    party: str
    #: Who asked, in the request's language (``party`` is a code or a logged name).
    party_label: str
    resource: str
    purpose: str
    #: Why, in the request's language (``purpose`` is a code or a logged text).
    purpose_label: str
    fields: list[str]
    outcome: str


class ConsentIn(Schema):
    consumer: str
    resource: str = "hrss.proof_of_insurance"
    purpose: str
    days: int = 90


class ConsentOut(Schema):
    id: int
    consumer: str
    resource: str
    purpose: str
    valid_until: dt.date
    revoked: bool


class LicenceOut(Schema):
    licence_type: str
    number: str
    title: str
    title_en: str
    issuer: str
    issuer_en: str
    trust_grade: str
    valid_from: dt.date
    valid_until: dt.date | None
    source: str


def _consent_out(c: Consent) -> dict[str, Any]:
    return {
        "id": c.pk,
        "consumer": c.consumer.code,
        "resource": c.resource.code,
        "purpose": c.purpose,
        "valid_until": c.valid_until,
        "revoked": c.revoked_at is not None,
    }


@router.get("/me/data-use", response=list[MessageOut], auth=scoped("persons:read", own=True))
@bounded
def data_use(request: HttpRequest) -> list[Message]:
    """Every query about the signed-in person: who, which fields, why, when."""
    return services.data_use_of(actor=request.user)


@router.get("/me/consents", response=list[ConsentOut], auth=scoped("persons:read", own=True))
@bounded
def consents(request: HttpRequest) -> list[dict[str, Any]]:
    return [_consent_out(c) for c in services.consents_of(actor=request.user)]


class ConsentOfferOut(Schema):
    consumer: str
    consumer_name: str
    consumer_name_en: str
    resource: str
    resource_name: str
    resource_name_en: str
    purpose: str
    purpose_name: str
    purpose_name_en: str


@router.get(
    "/me/consents/offers", response=list[ConsentOfferOut], auth=scoped("persons:read", own=True)
)
def consent_offers(request: HttpRequest) -> list[Any]:
    """What a person may authorise: each requester's stated purposes for the data that need
    consent (its grants in force). A consent names one of these exactly."""
    return list(services.consent_offers())


@router.post(
    "/me/consents",
    response={201: ConsentOut, 400: ErrorOut, 403: ErrorOut},
    auth=scoped("consents:write"),
)
def consent(request: HttpRequest, payload: ConsentIn) -> Status[dict[str, Any]]:
    """Authorise a registered third party to query a resource for a purpose and period.
    The purpose must be one the party stated for that resource (``/me/consents/offers``);
    another is refused (400 ``purpose``, naming the stated ones)."""
    made = services.consent_grant(
        actor=request.user,
        consumer_code=payload.consumer,
        resource_code=payload.resource,
        purpose=payload.purpose,
        days=payload.days,
    )
    return Status(201, _consent_out(made))


@router.post(
    "/me/consents/{consent_id}/revoke",
    response={200: ConsentOut, 404: ErrorOut},
    auth=scoped("consents:write"),
)
def consent_revoke(request: HttpRequest, consent_id: int) -> dict[str, Any]:
    return _consent_out(services.consent_revoke(actor=request.user, consent_id=consent_id))


@router.get("/me/licences", response=list[LicenceOut], auth=scoped("persons:read", own=True))
@bounded
def my_licences(request: HttpRequest) -> list[Any]:
    """The signed-in person's e-licences in the library."""
    person = getattr(request.user, "person", None)
    return licences.licences_of(person=person) if person is not None else []


class RevokeIn(Schema):
    reason: str


@router.post(
    "/certificates/{number}/revoke",
    response={200: VerifyOut, 400: ErrorOut, 404: ErrorOut},
    auth=scoped("contributions:read"),
)
def revoke(request: HttpRequest, number: str, payload: RevokeIn) -> dict[str, Any]:
    """Staff who may see the holder's record revoke a certificate, with the reason."""
    certificate = services.certificate_get(number=number)
    try:
        services.certificate_revoke(
            actor=request.user, certificate=certificate, reason=payload.reason
        )
    except NotPermitted:
        raise NotFound() from None
    certificate.refresh_from_db()
    return {
        "valid": False,
        "reason": "revoked",
        "certificate": certificate.payload,
        "signature": certificate.signature,
    }
