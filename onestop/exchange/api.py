"""E-certificate API: the platform's public keys, verification, issuing a proof."""

import base64
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from onestop.common.errors import NotFound
from onestop.exchange import services, signing
from onestop.exchange.facts import insurance_facts
from onestop.identity.api_auth import ANY_AUTH, require_scope
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
    reason: str
    certificate: dict[str, Any]
    signature: str


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
    """The public keys certificates are signed with (Ed25519, raw, base64)."""
    return {
        "keys": [
            {
                "key_id": signing.key_id(),
                "algorithm": "Ed25519",
                "public_key": base64.b64encode(signing.public_key_bytes()).decode(),
            }
        ]
    }


@router.get("/certificates/verify", response={200: VerifyOut, 404: ErrorOut}, auth=None)
def verify(request: HttpRequest, number: str, code: str) -> dict[str, Any]:
    """Check a certificate by the number and code printed on it."""
    result = services.certificate_verify(number=number, code=code)
    return {
        "valid": result.valid,
        "reason": result.reason,
        "certificate": result.certificate.payload,
        "signature": result.certificate.signature,
    }


@router.post(
    "/persons/{person_id}/proof-of-insurance",
    response={201: IssuedOut, 404: ErrorOut},
    auth=ANY_AUTH,
)
def issue_proof(request: HttpRequest, person_id: int) -> Status[dict[str, Any]]:
    """Issue a signed proof of insurance (the person, or staff who may see their record)."""
    require_scope(request, "contributions:read")
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
