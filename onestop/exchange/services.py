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
from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.exchange import pdf_signing, signing
from onestop.exchange.gateway import message_log, purpose_get, purpose_labels
from onestop.exchange.models import (
    Certificate,
    CertificateKind,
    Consent,
    Consumer,
    ConsumerKind,
    Grant,
    Message,
    Purpose,
    Resource,
)
from onestop.identity import policy
from onestop.identity.masking import mask_resident_id
from onestop.identity.models import Person, Region

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
    prefix = {
        CertificateKind.PROOF_OF_INSURANCE: "PI",
        CertificateKind.DECISION_NOTICE: "DN",
        CertificateKind.CONTRIBUTION_STATEMENT: "CS",
        CertificateKind.RETIREMENT_CERTIFICATE: "RC",
        CertificateKind.PENSION_STATEMENT: "PS",
        CertificateKind.ACCEPTANCE_RECEIPT: "AR",
        CertificateKind.SUPPLEMENT_NOTICE: "SN",
    }
    number = f"{prefix[CertificateKind(kind)]}{timezone.localtime(now):%Y%m%d}"
    number += secrets.token_hex(5).upper()
    code = new_code()
    payload: dict[str, Any] = {
        "number": number,
        "kind": kind,
        "issuer": ISSUER,
        # In the platform's time zone, as every other time a certificate states.
        "issued_at": timezone.localtime(now).isoformat(timespec="seconds"),
        "valid_until": (timezone.localdate() + dt.timedelta(days=valid_days)).isoformat(),
        "person": {"name": person.name, "resident_id": mask_resident_id(person.resident_id)},
        "facts": facts,
    }
    payload = signing.stamp(payload)
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


def decision_notice_issue(
    *,
    actor: Any,
    person: Person,
    facts: dict[str, Any],
    kind: str = CertificateKind.DECISION_NOTICE,
) -> Issued:
    """Sign the decision on a case (the e-document that completes it) for its applicant: a
    decision notice, or for an approved retirement a retirement certificate.

    The applicant, or staff who may see the applicant, may issue a copy; a decision does
    not lapse, so the notice stays valid for ten years.
    """
    if not actor.has_perm("identity.view_person", person):
        raise NotPermitted()
    if kind not in (CertificateKind.DECISION_NOTICE, CertificateKind.RETIREMENT_CERTIFICATE):
        raise ServiceError("证明种类不符。", "Wrong kind of certificate.", code="kind")
    return _issue(
        actor=actor, person=person, kind=kind, facts=facts, valid_days=DECISION_VALID_DAYS
    )


def _may_print_for(actor: Any, person: Person, region: Region | None) -> bool:
    """The person, staff who may see them, or staff of the region handling their case (a
    survivor's claim is handled where the deceased was insured)."""
    return bool(actor.has_perm("identity.view_person", person)) or (
        region is not None
        and policy.is_staff_member(actor)
        and policy.allows(actor, policy.VIEW_PERSON, region)
    )


def acceptance_receipt_issue(
    *, actor: Any, person: Person, facts: dict[str, Any], region: Region | None = None
) -> Issued:
    """Sign the receipt (受理回执) of a case filed for ``person``: what was filed, when, on
    which channel, what it is due by and which materials came in or were obtained (the
    applicant, staff who may see the applicant, or staff of the case's ``region``). Valid as
    long as a decision notice."""
    if not _may_print_for(actor, person, region):
        raise NotPermitted()
    return _issue(
        actor=actor,
        person=person,
        kind=CertificateKind.ACCEPTANCE_RECEIPT,
        facts=facts,
        valid_days=DECISION_VALID_DAYS,
    )


def supplement_notice_issue(
    *, actor: Any, person: Person, facts: dict[str, Any], region: Region | None = None
) -> Issued:
    """Sign the one-time notice of missing materials (一次性告知书) of a case filed for
    ``person``: every material still missing, told at once (the applicant, staff who may
    see the applicant, or staff of the case's ``region``). Valid as long as a decision
    notice."""
    if not _may_print_for(actor, person, region):
        raise NotPermitted()
    return _issue(
        actor=actor,
        person=person,
        kind=CertificateKind.SUPPLEMENT_NOTICE,
        facts=facts,
        valid_days=DECISION_VALID_DAYS,
    )


def contribution_statement_issue(
    *,
    actor: Any,
    person: Person,
    facts: dict[str, Any],
    kind: str = CertificateKind.CONTRIBUTION_STATEMENT,
) -> Issued:
    """Sign a statement of the person's record: contributions, or pension payments (the
    person, or staff who may see their contributions)."""
    if not actor.has_perm("contributions.view", person):
        raise NotPermitted()
    if kind not in (CertificateKind.CONTRIBUTION_STATEMENT, CertificateKind.PENSION_STATEMENT):
        raise ServiceError("证明种类不符。", "Wrong kind of certificate.", code="kind")
    return _issue(actor=actor, person=person, kind=kind, facts=facts, valid_days=VALID_DAYS)


def certificates_of(*, actor: Any, person: Person) -> list[Certificate]:
    """The certificates issued for ``person``, for staff who may see their record."""
    if not policy.is_staff_member(actor) or not actor.has_perm("contributions.view", person):
        raise NotFound()
    return list(Certificate.objects.filter(person=person).order_by("-issued_at")[:200])


# Why a certificate or a file does not verify, in plain words (zh, en): the problems of the
# file's PDF signature (pdf_signing.PROBLEMS), then those of the record.
REASONS: dict[str, tuple[str, str]] = {
    **pdf_signing.PROBLEMS,
    "signature": (
        "签名不符：该证明已被篡改。",
        "The signature does not match: this certificate has been altered.",
    ),
    "revoked": ("该证明已被吊销。", "This certificate has been revoked."),
    "expired": ("该证明已过有效期。", "This certificate has expired."),
    "unknown": (
        "本平台没有出具过这份证明。",
        "This platform has no record of this certificate.",
    ),
    "record": (
        "文件所载内容与平台的证明记录不一致。",
        "What the file states differs from the platform's record of the certificate.",
    ),
    "page": (
        "页面显示的内容与平台的证明记录不一致。",
        "What the page shows differs from the platform's record of the certificate.",
    ),
}


@dataclass(frozen=True)
class Verification:
    """``reason`` is empty when valid, else a key of ``REASONS``. ``certificate`` is the
    record to show: ``None`` when a file fails, so that a forged file reveals nothing."""

    valid: bool
    reason: str
    certificate: Certificate | None

    @property
    def message_zh(self) -> str:
        return REASONS[self.reason][0] if self.reason else "真实有效。"

    @property
    def message_en(self) -> str:
        return REASONS[self.reason][1] if self.reason else "Genuine and valid."


def certificate_verify(
    *, number: str, code: str, today: dt.date | None = None, party: str = ""
) -> Verification:
    """Check a certificate by its number and verification code (both printed on it).

    A wrong number or code is "not found", so numbers cannot be probed. Each check of a
    real certificate is logged in its holder's data-use log.
    """
    certificate = Certificate.objects.filter(number=(number or "").strip().upper()[:32]).first()
    if certificate is None or not secrets.compare_digest(
        certificate.code_hash, code_hash(code or "")
    ):
        raise NotFound(
            "未找到该证明，请核对编号和验证码。",
            "No such certificate: check the number and the code.",
        )
    result = _check(certificate, today or timezone.localdate())
    _logged(result, certificate, party, "verify_certificate")
    return result


def _logged(result: Verification, holder: Certificate, party: str, purpose: str) -> None:
    """Each check of a certificate shows in its holder's data-use log (a failed check of a
    file too, when the file names one of the holder's certificates)."""
    message_log(
        direction="in",
        party=party or "public_verification",  # labels.PARTIES
        resource=f"hrss.certificate.{holder.kind}",
        purpose=purpose,
        person=holder.person,
        fields=["certificate"],
        outcome="valid" if result.valid else f"invalid:{result.reason}",
    )


def _check(certificate: Certificate, today: dt.date) -> Verification:
    if not signing.verify(certificate.payload, certificate.signature):
        return Verification(False, "signature", certificate)
    if certificate.revoked_at is not None:
        return Verification(False, "revoked", certificate)
    if certificate.valid_until < today:
        return Verification(False, "expired", certificate)
    return Verification(True, "", certificate)


class UnreadableFile(NotFound):
    """Not a PDF at all: the API answers 422 (the page says the same as for an unknown
    number)."""

    status = 422
    code = "unreadable"


class FileTooLarge(NotFound):
    status = 413
    code = "too_large"


#: The largest certificate file looked at (the platform's own are under 200 KB).
MAX_CERTIFICATE_FILE = 5 * 1024 * 1024


def certificate_verify_pdf(*, data: bytes, party: str = "") -> Verification:
    """Check a certificate PDF itself, byte for byte.

    In order: the file's PAdES signature (``pdf_signing.check``: one signature over every
    byte of the file, nothing appended, the platform's certificate, not expired or revoked);
    the signed payload it carries equals the issued record in the database, and the record's
    own signature verifies; the page prints every line of that record
    (``certificate_pdf.printed_lines``); the record is neither revoked nor expired. The
    first failure is the reason (``REASONS``); a failed file shows nothing of the record.
    Raises ``UnreadableFile`` (422) when ``data`` is not a PDF at all, ``FileTooLarge``
    (413) above ``MAX_CERTIFICATE_FILE``.
    """
    from onestop.exchange.certificate_pdf import embedded, shows

    if len(data) > MAX_CERTIFICATE_FILE:
        raise FileTooLarge("请选择不超过 5 MB 的 PDF 证明文件。", "Choose a PDF of at most 5 MB.")
    found = embedded(data)
    number = str(found[0].get("number", ""))[:32] if found else ""
    holder = Certificate.objects.filter(number=number).first() if number else None
    purpose = "verify_certificate_file"
    problem = pdf_signing.check(data).problem
    if problem == "unreadable":
        raise UnreadableFile(*pdf_signing.PROBLEMS["unreadable"])
    # Only a file whose signature the platform's certificate verifies (bytes appended after
    # it, or a signing certificate since revoked or expired, still count) writes to a
    # holder's data-use log: the number in an unsigned or forged file is anyone's to type
    # (hostile pass L2).
    signed = problem in (None, "", "appended", "signer_revoked", "signer_expired")
    if not problem:
        if found is None or holder is None:
            problem = "unknown"
        elif found[0] != holder.payload or found[1] != holder.signature:
            problem = "record"
        elif not shows(data, holder.payload):
            problem = "page"
    if problem:
        result = Verification(False, problem, None)
    else:
        assert holder is not None
        result = _check(holder, timezone.localdate())
    if holder is not None and signed:
        _logged(result, holder, party, purpose)
    return result


def consent_grant(
    *, actor: Any, consumer_code: str, resource_code: str, purpose: str, days: int
) -> Consent:
    """The person lets a registered third party query one resource for a purpose; a grant
    in force for the same party, resource and purpose is replaced (revoked, journaled as
    ``replaces``)."""
    person = getattr(actor, "person", None) if actor.is_authenticated else None
    if person is None:
        raise NotPermitted("仅本人可以授权。", "Only the person can consent.")
    consumer = Consumer.objects.filter(
        code=consumer_code, kind=ConsumerKind.THIRD_PARTY, active=True
    ).first()
    resource = Resource.objects.filter(code=resource_code, needs_consent=True).first()
    if consumer is None or resource is None:
        raise ServiceError(
            "请选择授权对象和数据。", "Choose whom and what to authorise.", code="consent"
        )
    purpose = (purpose or "").strip()
    if not purpose or not 1 <= days <= 366:
        raise ServiceError(
            "请写明用途，期限为 1-366 天。",
            "Give the purpose; the period is 1-366 days.",
            code="consent",
        )
    purpose_get(code=purpose)
    # Only a purpose the requester stated for these data (a grant in force) can match.
    offered = [
        o for o in consent_offers() if (o.consumer, o.resource) == (consumer.code, resource.code)
    ]
    if purpose not in {o.purpose for o in offered}:
        raise ServiceError(
            f"{consumer.name}未申明以该用途查询这项数据；它申明的用途："
            f"{'、'.join(o.purpose_name for o in offered) or '无'}。",
            f"{consumer.name_en or consumer.name} has not stated this purpose for these data; "
            "its stated "
            f"purposes: {', '.join(o.purpose for o in offered) or 'none'}.",
            code="purpose",
        )
    with transaction.atomic():
        # A new grant replaces one in force for the same party, data and purpose (its
        # period is the new one): one grant to revoke, never two.
        replaced = list(
            Consent.objects.select_for_update()
            .filter(
                person=person,
                consumer=consumer,
                resource=resource,
                purpose=purpose[:64],
                revoked_at__isnull=True,
                valid_until__gte=timezone.localdate(),
            )
            .values_list("pk", flat=True)
        )
        Consent.objects.filter(pk__in=replaced).update(revoked_at=timezone.now())
        consent = Consent.objects.create(
            person=person,
            consumer=consumer,
            resource=resource,
            purpose=purpose[:64],
            valid_until=timezone.localdate() + dt.timedelta(days=days),
            created_at=timezone.now(),
        )
        record(
            actor=actor,
            action="exchange.consent.granted",
            target=consent,
            changes={
                "consumer": consumer.code,
                "resource": resource.code,
                "days": days,
                **({"replaces": replaced} if replaced else {}),
            },
        )
    return consent


def consent_revoke(*, actor: Any, consent_id: int) -> Consent:
    person = getattr(actor, "person", None) if actor.is_authenticated else None
    consent = Consent.objects.filter(pk=consent_id, person=person).first() if person else None
    if consent is None:
        raise NotFound()
    with transaction.atomic():
        # One revocation, one journal entry, however many are sent at once (hostile pass
        # L4): only the update that changed the row journals.
        now = timezone.now()
        if Consent.objects.filter(pk=consent.pk, revoked_at__isnull=True).update(revoked_at=now):
            consent.revoked_at = now
            record(actor=actor, action="exchange.consent.revoked", target=consent)
        else:
            consent.refresh_from_db(fields=["revoked_at"])
    return consent


def consents_of(*, actor: Any) -> list[Consent]:
    person = getattr(actor, "person", None) if actor.is_authenticated else None
    if person is None:
        return []
    labels = purpose_labels()
    found = list(Consent.objects.filter(person=person).select_related("consumer", "resource"))
    for consent in found:
        consent.purpose_label = labels.get(consent.purpose, consent.purpose)  # type: ignore[attr-defined]
    return found


def data_use_of(*, actor: Any) -> list[Message]:
    """Every exchange about the signed-in person: who asked, which fields, why, when."""
    person = getattr(actor, "person", None) if actor.is_authenticated else None
    if person is None:
        return []
    from django.utils.translation import get_language

    from onestop.exchange.labels import FIELDS, outcome_label, party_label, purpose_label

    english = not (get_language() or "zh").startswith("zh")
    labels = purpose_labels()
    resources = {
        r.code: (r.name_en or r.name) if english else r.name for r in Resource.objects.all()
    }
    # The platform's own lookups are logged by a code (``labels.PARTIES``); a consumer by its
    # name as it was (Chinese, or "中文 English" before the English name had a field of its
    # own), shown in the reader's language.
    parties: dict[str, str] = {}
    for consumer in Consumer.objects.all():
        shown = (consumer.name_en or consumer.name) if english else consumer.name
        parties[consumer.name] = shown
        if consumer.name_en:
            parties[f"{consumer.name} {consumer.name_en}"] = shown
    found = list(Message.objects.filter(person=person).order_by("-at", "-pk")[:500])
    for message in found:  # a code is shown by its labels; older free text as it is
        message.party_label = party_label(message.party, parties)  # type: ignore[attr-defined]
        message.purpose_label = purpose_label(message.purpose, labels)  # type: ignore[attr-defined]
        message.resource_label = resources.get(message.resource, message.resource)  # type: ignore[attr-defined]
        message.field_labels = [str(FIELDS.get(f, f)) for f in message.fields or []]  # type: ignore[attr-defined]
        message.outcome_label = outcome_label(message.outcome)  # type: ignore[attr-defined]
    return found


@dataclass(frozen=True)
class ConsentOffer:
    """What a third party has stated it asks, and may be authorised for: one of its grants
    in force on data that needs the person's consent."""

    key: str  # "consumer/resource/purpose", for a form's choice
    consumer: str
    consumer_name: str
    consumer_name_en: str
    resource: str
    resource_name: str
    resource_name_en: str
    purpose: str
    purpose_name: str
    purpose_name_en: str


def consent_offers() -> list[ConsentOffer]:
    """Every (requester, data, purpose) a person may authorise: the purposes requesters
    stated and the provider approved (their grants in force), nothing else."""
    today = timezone.localdate()
    purposes = {p.code: p for p in Purpose.objects.all()}
    grants = (
        Grant.objects.filter(
            revoked_at__isnull=True,
            consumer__kind=ConsumerKind.THIRD_PARTY,
            consumer__active=True,
            resource__needs_consent=True,
        )
        .select_related("consumer", "resource")
        .order_by("consumer__name", "resource__code", "purpose")
    )
    offers = []
    for g in grants:
        if g.valid_until is not None and g.valid_until < today:
            continue
        purpose = purposes.get(g.purpose)
        offers.append(
            ConsentOffer(
                key=f"{g.consumer.code}/{g.resource.code}/{g.purpose}",
                consumer=g.consumer.code,
                consumer_name=g.consumer.name,
                consumer_name_en=g.consumer.name_en,
                resource=g.resource.code,
                resource_name=g.resource.name,
                resource_name_en=g.resource.name_en,
                purpose=g.purpose,
                purpose_name=purpose.name if purpose else g.purpose,
                purpose_name_en=purpose.name_en if purpose else g.purpose,
            )
        )
    return offers


def certificate_get(*, number: str) -> Certificate:
    found = Certificate.objects.filter(number=(number or "").strip().upper()[:32]).first()
    if found is None:
        raise NotFound()
    return found


def certificate_revoke(*, actor: Any, certificate: Certificate, reason: str) -> None:
    """Staff who may see the holder's record revoke a certificate, with the reason."""
    if not policy.is_staff_member(actor) or not actor.has_perm(
        "contributions.view", certificate.person
    ):
        raise NotPermitted()
    if not reason.strip():
        raise ServiceError("请写明吊销原因。", "Give the reason to revoke.", code="reason")
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
