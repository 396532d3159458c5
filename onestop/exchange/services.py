"""Issuing and checking e-certificates."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from onestop.audit.services import record
from onestop.common.digests import code_hash, new_code
from onestop.common.errors import NotFound, NotPermitted
from onestop.exchange import signing
from onestop.exchange.models import Certificate, CertificateKind
from onestop.identity.masking import mask_resident_id
from onestop.identity.models import Person

ISSUER = "陕西省社会保险经办中心 Shaanxi Social Insurance Centre"
VALID_DAYS = 90
DECISION_VALID_DAYS = 3650


@dataclass(frozen=True)
class Issued:
    certificate: Certificate
    code: str  # shown once, printed with the QR code; only its hash is kept


def _issue(
    *, actor: Any, person: Person, kind: str, facts: dict[str, Any], valid_days: int
) -> Issued:
    now = timezone.now()
    prefix = {CertificateKind.PROOF_OF_INSURANCE: "PI", CertificateKind.DECISION_NOTICE: "DN"}
    number = f"{prefix[CertificateKind(kind)]}{timezone.localtime(now):%Y%m%d}"
    number += secrets.token_hex(5).upper()
    code = new_code()
    payload: dict[str, Any] = {
        "number": number,
        "kind": kind,
        "issuer": ISSUER,
        "issued_at": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "valid_until": (timezone.localdate() + dt.timedelta(days=valid_days)).isoformat(),
        "person": {"name": person.name, "resident_id": mask_resident_id(person.resident_id)},
        "facts": facts,
        "key_id": signing.key_id(),
    }
    with transaction.atomic():
        certificate = Certificate.objects.create(
            number=number,
            kind=kind,
            person=person,
            payload=payload,
            signature=signing.sign(payload),
            key_id=payload["key_id"],
            code_hash=code_hash(code),
            issued_at=now,
            valid_until=dt.date.fromisoformat(payload["valid_until"]),
        )
        record(
            actor=actor,
            action="exchange.certificate.issued",
            target=certificate,
            changes={"kind": certificate.kind, "person": person.pk},
        )
    return Issued(certificate, code)


def proof_of_insurance_issue(*, actor: Any, person: Person, facts: dict[str, Any]) -> Issued:
    """Sign a proof of insurance for ``person`` with ``facts`` from their record.

    The person themselves, or staff who may see their contributions, may issue it.
    """
    if not actor.has_perm("contributions.view", person):
        raise NotPermitted()
    return _issue(
        actor=actor,
        person=person,
        kind=CertificateKind.PROOF_OF_INSURANCE,
        facts=facts,
        valid_days=VALID_DAYS,
    )


def decision_notice_issue(*, actor: Any, person: Person, facts: dict[str, Any]) -> Issued:
    """Sign the decision on a case (the e-document that completes it) for its applicant.

    The applicant, or staff who may see the applicant, may issue a copy; a decision does
    not lapse, so the notice stays valid for ten years.
    """
    if not actor.has_perm("identity.view_person", person):
        raise NotPermitted()
    return _issue(
        actor=actor,
        person=person,
        kind=CertificateKind.DECISION_NOTICE,
        facts=facts,
        valid_days=DECISION_VALID_DAYS,
    )


@dataclass(frozen=True)
class Verification:
    valid: bool
    reason: str
    certificate: Certificate


def certificate_verify(*, number: str, code: str, today: dt.date | None = None) -> Verification:
    """Check a certificate by its number and verification code (both printed on it).

    A wrong number or code is "not found", so numbers cannot be probed.
    """
    certificate = Certificate.objects.filter(number=(number or "").strip().upper()[:32]).first()
    if certificate is None or not secrets.compare_digest(
        certificate.code_hash, code_hash(code or "")
    ):
        raise NotFound(
            "未找到该证明，请核对编号和验证码。",
            "No such certificate: check the number and the code.",
        )
    today = today or timezone.localdate()
    if not signing.verify(certificate.payload, certificate.signature):
        return Verification(False, "signature", certificate)
    if certificate.revoked_at is not None:
        return Verification(False, "revoked", certificate)
    if certificate.valid_until < today:
        return Verification(False, "expired", certificate)
    return Verification(True, "", certificate)


def certificate_revoke(*, actor: Any, certificate: Certificate, reason: str) -> None:
    if not actor.has_perm("contributions.view", certificate.person) or not reason.strip():
        raise NotPermitted()
    with transaction.atomic():
        Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason=reason.strip()[:200]
        )
        record(
            actor=actor,
            action="exchange.certificate.revoked",
            target=certificate,
            changes={"reason": reason.strip()[:200]},
        )
