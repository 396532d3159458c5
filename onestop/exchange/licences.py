"""Registries through the gateway, and the e-licence library built from them.

Outbound queries go to the registries' HTTP/JSON endpoints (``ONESTOP_REGISTRY_URL``, one
base for the departments' gateways, with ``ONESTOP_REGISTRY_KEY``); every query is logged
in the message log, under the person it is about. A licence found once is kept in the
library, so the next case uses it without asking again.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from onestop.common.errors import NotFound, ServiceError
from onestop.exchange.gateway import message_log
from onestop.exchange.models import ELicence, Resource, TrustGrade
from onestop.identity import selectors as identity
from onestop.identity.models import Person

TIMEOUT_SECONDS = 5


class RegistryUnavailable(ServiceError):
    status = 503
    code = "registry_unavailable"


def registry_endpoint(registry: str) -> tuple[str, str]:
    """The base URL and key of one department's registry: its own entry in
    ``ONESTOP_REGISTRY_URLS`` / ``ONESTOP_REGISTRY_KEYS`` (``name=value;...``), else the
    shared ``ONESTOP_REGISTRY_URL`` / ``ONESTOP_REGISTRY_KEY``."""

    def entries(name: str) -> dict[str, str]:
        raw = str(getattr(settings, name, "") or "")
        pairs = (item.split("=", 1) for item in raw.split(";") if "=" in item)
        return {k.strip(): v.strip() for k, v in pairs}

    url = entries("ONESTOP_REGISTRY_URLS").get(registry) or getattr(
        settings, "ONESTOP_REGISTRY_URL", ""
    )
    key = entries("ONESTOP_REGISTRY_KEYS").get(registry) or getattr(
        settings, "ONESTOP_REGISTRY_KEY", ""
    )
    return str(url), str(key)


def _get(path: str) -> dict[str, Any] | None:
    registry = path.split("/", 1)[0]
    base, key = registry_endpoint(registry)
    if not base:
        raise RegistryUnavailable(
            "未配置共享数据接口。",
            "No registry gateway is configured.",
            code="registry_unavailable",
        )
    request = urllib.request.Request(  # noqa: S310 - the configured base is http(s)
        f"{base.rstrip('/')}/{path}",
        headers={
            "X-Api-Key": key,
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            found = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise RegistryUnavailable(
            f"共享数据接口返回错误 {exc.code}。",
            f"The registry answered {exc.code}.",
            code="registry_unavailable",
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError, json.JSONDecodeError) as exc:
        raise RegistryUnavailable(
            "共享数据接口暂不可用。", "The registry cannot be reached.", code="registry_unavailable"
        ) from exc
    return found if isinstance(found, dict) else None


def registry_lookup(
    *, party: str, resource_code: str, subject: str, purpose: str
) -> dict[str, Any] | None:
    """Ask the registry providing ``resource_code`` about ``subject`` (a resident ID or a
    credit code); None when it has no record. Logged whatever the outcome."""
    resource = Resource.objects.filter(code=resource_code).exclude(provider="hrss").first()
    if resource is None:
        raise NotFound("没有该共享资源。", "No such resource.")
    person = identity.person_by_resident_id(subject)
    registry, dataset = resource.code.split(".", 1)
    path = f"{registry}/{dataset}/{urllib.parse.quote(subject.strip().upper(), safe='')}"
    try:
        record = _get(path)
    except RegistryUnavailable:
        message_log(
            direction="out",
            party=party,
            resource=resource.code,
            purpose=purpose,
            person=person,
            fields=resource.fields,
            outcome="unavailable",
        )
        raise
    message_log(
        direction="out",
        party=party,
        resource=resource.code,
        purpose=purpose,
        person=person,
        fields=resource.fields,
        outcome="found" if record else "not_found",
        response=json.dumps(record, sort_keys=True).encode() if record else b"",
    )
    return record


@dataclass(frozen=True)
class Source:
    resource: str  # "" for licences the platform holds itself
    subject_field: str  # the form field naming whose licence; "" for the applicant
    title: str
    title_en: str
    issuer: str
    issuer_en: str


#: Where each kind of licence comes from.
SOURCES: dict[str, Source] = {
    "death_certificate": Source(
        "civil_affairs.deaths",
        "deceased_resident_id",
        "死亡证明",
        "Death certificate",
        "民政部门",
        "Civil affairs",
    ),
    "household_register": Source(
        "public_security.household",
        "",
        "户口簿",
        "Household register",
        "公安机关",
        "Public security",
    ),
    "resident_id": Source(
        "", "", "居民身份证", "Resident identity card", "公安机关", "Public security"
    ),
}


def _store(
    *,
    licence_type: str,
    subject: str,
    holder: Person | None,
    number: str,
    valid_from: str,
    grade: str,
    source: str,
    content: dict[str, Any],
) -> ELicence:
    spec = SOURCES[licence_type]
    try:
        start = dt.date.fromisoformat(valid_from)
    except ValueError:
        start = timezone.localdate()
    try:
        with transaction.atomic():
            return ELicence.objects.create(
                holder=holder,
                subject=identity.resident_id_key(subject),
                licence_type=licence_type,
                number=number[:64],
                title=spec.title,
                title_en=spec.title_en,
                issuer=spec.issuer,
                issuer_en=spec.issuer_en,
                trust_grade=grade,
                valid_from=start,
                source=source[:64],
                content=content,
                obtained_at=timezone.now(),
            )
    except IntegrityError:
        return ELicence.objects.get(licence_type=licence_type, number=number[:64])


def licence_for(
    *, licence_type: str, subject: str, party: str, purpose: str, ask_registry: bool = True
) -> ELicence | None:
    """The licence of ``licence_type`` about ``subject`` (a resident ID): from the library,
    else (``ask_registry``) from its registry (then kept). None when there is none."""
    spec = SOURCES.get(licence_type)
    key = identity.resident_id_key(subject)
    if spec is None or not key:
        return None
    today = timezone.localdate()
    held = (
        ELicence.objects.filter(subject=key, licence_type=licence_type, valid_from__lte=today)
        .exclude(valid_until__lt=today)
        .order_by("-obtained_at")
        .first()
    )
    if held is not None:
        return held
    person = identity.person_by_resident_id(subject)
    if not spec.resource:  # held by the platform itself: the registered person's own ID
        if person is None:
            return None
        return _store(
            licence_type=licence_type,
            subject=subject,
            holder=person,
            number=f"RID-{key[:16]}",
            valid_from=str(person.created_at.date()),
            grade=TrustGrade.A,
            source="platform",
            content={"name": person.name},
        )
    if not ask_registry:
        return None
    record = registry_lookup(
        party=party, resource_code=spec.resource, subject=subject, purpose=purpose
    )
    if record is None:
        return None
    return _store(
        licence_type=licence_type,
        subject=subject,
        holder=person,
        number=str(record.get("certificate_no") or record.get("number") or key[:16]),
        valid_from=str(record.get("date", "")),
        grade=TrustGrade.B,
        source=f"{spec.resource} via gateway",
        content=record,
    )


def licences_for_case(
    *,
    applicant: Person,
    answers: dict[str, Any],
    materials: list[dict[str, Any]],
    party: str,
    purpose: str,
    ask_about_others: bool = True,
) -> list[dict[str, Any]]:
    """For each material the item lets an e-licence replace, what the library or a registry
    gave: ``status`` found / not_found / unavailable, and the licence when found. Without
    ``ask_about_others`` a licence about someone other than the applicant comes from the
    library only (no registry is asked about a third person on a filer's word)."""
    used: list[dict[str, Any]] = []
    for material in materials:
        licence_type = material.get("licence_type", "")
        if not material.get("replaceable_by") or licence_type not in SOURCES:
            continue
        spec = SOURCES[licence_type]
        subject = (
            str(answers.get(spec.subject_field, ""))
            if spec.subject_field
            else applicant.resident_id
        )
        row: dict[str, Any] = {"material": material.get("name", ""), "licence_type": licence_type}
        try:
            licence = licence_for(
                licence_type=licence_type,
                subject=subject,
                party=party,
                purpose=purpose,
                ask_registry=ask_about_others or not spec.subject_field,
            )
        except RegistryUnavailable:
            used.append({**row, "status": "unavailable"})
            continue
        if licence is None:
            used.append({**row, "status": "not_found"})
            continue
        used.append(
            {
                **row,
                "status": "found",
                "number": licence.number,
                "issuer": licence.issuer,
                "issuer_en": licence.issuer_en,
                "grade": licence.trust_grade,
                "source": licence.source,
            }
        )
    return used


def licences_of(*, person: Person) -> list[ELicence]:
    """The person's own licences in the library (those about them), without their content
    (encrypted; the list shows none of it, it is read if a caller touches it)."""
    key = identity.resident_id_key(person.resident_id)
    return list(
        ELicence.objects.filter(subject=key)
        .defer("content")
        .order_by("licence_type", "-obtained_at")
    )


def death_registered(event: dict[str, Any]) -> str:
    """A civil-affairs event: a death was registered. The death certificate goes into the
    library (grade A: pushed by the issuer itself)."""
    data = event.get("data") or {}
    subject = str(event.get("subject", ""))
    if not identity.resident_id_key(subject):
        return "ignored: invalid subject"
    licence = _store(
        licence_type="death_certificate",
        subject=subject,
        holder=identity.person_by_resident_id(subject),
        number=str(data.get("certificate_no") or event.get("event_id")),
        valid_from=str(data.get("date", "")),
        grade=TrustGrade.A,
        source=f"{event.get('source')} event",
        content=data,
    )
    return f"death certificate {licence.number} stored"
