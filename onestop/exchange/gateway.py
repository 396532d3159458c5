"""The exchange gateway: signed queries from registered consumers, answered under a grant
(and the person's consent where the resource needs it), every exchange logged; registry
events received once; the message log exported as a signed bundle.

A request body is canonical JSON::

    {"consumer": "bank-xian", "resource": "hrss.proof_of_insurance", "purpose": "loan",
     "subject": "<resident ID>", "fields": ["insured", ...], "timestamp": "<ISO 8601>",
     "nonce": "<8-64 characters>"}

signed by the consumer's key (``X-Signature``: Ed25519 base64, or SM2 hex). The answer is
signed by the gateway's key. A nonce is accepted once per consumer; a timestamp more than
five minutes away from the gateway's clock is refused. The purpose is a ``Purpose`` code.

A registry's event (``{"event_id", "source", "kind", "subject", "data", "purpose",
"timestamp", "nonce"}``) passes the same checks (``_authenticate``) and needs the registry's
grant on the event kind's resource (``EVENT_RESOURCES``) for its purpose. Refusals carry the
status and code docs/exchange.md lists; each is logged (``_Inbound.refused``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from onestop.audit.services import record
from onestop.common.digests import sm3_hex
from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.exchange import algorithms, signing
from onestop.exchange.facts import insurance_facts
from onestop.exchange.models import (
    Consent,
    Consumer,
    ConsumerKind,
    Grant,
    InboxEvent,
    Message,
    Nonce,
    Purpose,
    Resource,
)
from onestop.identity import selectors as identity
from onestop.identity.masking import mask_resident_id
from onestop.identity.models import Person

logger = logging.getLogger(__name__)

#: How far a message's timestamp may be from the gateway's clock (docs/exchange.md).
SKEW = dt.timedelta(minutes=5)
#: A nonce's length in characters; shorter ones are refused 400 ``malformed``.
NONCE_MIN, NONCE_MAX = 8, 64
REQUIRED = ("consumer", "resource", "purpose", "subject", "fields", "timestamp", "nonce")

#: What the platform itself provides through the gateway, by resource code.
PROVIDED: dict[str, Callable[[Person], dict[str, Any]]] = {
    "hrss.proof_of_insurance": insurance_facts,
}

#: Requests that do something rather than read (a transfer of a person's pension relation):
#: called with the person, the consumer and the request's ``params``, in the transaction that
#: logs the answer; a ``ServiceError`` refuses the request (422) and nothing is kept.
ACTIONS: dict[str, Callable[[Person, Consumer, dict[str, Any]], dict[str, Any]]] = {}


def register_action(
    code: str, action: Callable[[Person, Consumer, dict[str, Any]], dict[str, Any]]
) -> None:
    ACTIONS[code] = action


class Refused(ServiceError):
    """A gateway request refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, code: str, zh: str, en: str) -> None:
        super().__init__(zh, en, code=code)
        self.status = status


def message_log(
    *,
    direction: str,
    party: str,
    resource: str,
    purpose: str,
    person: Person | None,
    fields: list[str],
    outcome: str,
    request: bytes = b"",
    response: bytes = b"",
) -> Message:
    return Message.objects.create(
        at=timezone.now(),
        direction=direction,
        party=party[:120],
        resource=resource[:64],
        purpose=purpose[:200],
        person=person,
        fields=fields,
        outcome=outcome[:32],
        request_digest=sm3_hex(request) if request else "",
        response_digest=sm3_hex(response) if response else "",
    )


def _malformed(required: tuple[str, ...]) -> Refused:
    return Refused(
        400,
        "malformed",
        f"请求须为 JSON 对象，包含 {', '.join(required)}。",
        f"The request must be a JSON object with {', '.join(required)}.",
    )


def _authenticate(
    body: bytes,
    signature: str,
    *,
    sender: str,
    required: tuple[str, ...],
    kinds: tuple[str, ...],
    inbound: _Inbound,
) -> tuple[Consumer, dict[str, Any]]:
    """The registered, active sender (of one of ``kinds``, named by the body's ``sender``
    field) whose key signed ``body``, and the body, which holds ``required``, a nonce of
    ``NONCE_MIN``-``NONCE_MAX`` characters the sender has not used before and a timestamp
    within ``SKEW`` of the gateway's clock. The signature is checked first: what the checks
    after it refuse is logged as the sender's."""
    data = _peek(body)
    if not isinstance(data, dict) or not isinstance(data.get(sender), str):
        raise _malformed(required)
    consumer = Consumer.objects.filter(code=data[sender], kind__in=kinds, active=True).first()
    if consumer is None or not algorithms.verify(
        consumer.algorithm, consumer.public_key, body, signature
    ):
        raise Refused(
            401, "signature", "签名无效或调用方未注册。", "Unknown sender or bad signature."
        )
    inbound.sender = consumer
    if any(k not in data for k in required):
        raise _malformed(required)
    if "fields" in required and (
        not isinstance(data["fields"], list) or not all(isinstance(f, str) for f in data["fields"])
    ):
        raise Refused(
            400, "malformed", "fields 须为字符串列表。", "fields must be a list of names."
        )
    nonce = data["nonce"]
    if not isinstance(nonce, str) or not NONCE_MIN <= len(nonce) <= NONCE_MAX:
        raise Refused(
            400,
            "malformed",
            f"nonce 须为 {NONCE_MIN}-{NONCE_MAX} 个字符的字符串。",
            f"nonce must be a string of {NONCE_MIN}-{NONCE_MAX} characters.",
        )
    try:
        sent = dt.datetime.fromisoformat(str(data["timestamp"]))
    except ValueError:
        sent = None
    if sent is None or sent.tzinfo is None or abs(timezone.now() - sent) > SKEW:
        raise Refused(
            401,
            "timestamp",
            "请求时间戳缺失或偏差超过 5 分钟。",
            "Timestamp missing or off by over 5 minutes.",
        )
    try:
        with transaction.atomic():
            Nonce.objects.create(consumer=consumer, value=nonce, at=timezone.now())
    except IntegrityError:
        raise Refused(
            409, "replay", "重复的请求（nonce 已使用）。", "Replayed request (nonce used)."
        ) from None
    return consumer, data


def _granted(consumer: Consumer, resource: Resource, purpose: str) -> Grant:
    """The consumer's grant on ``resource`` for the purpose code, in force today."""
    grant = Grant.objects.filter(
        consumer=consumer, resource=resource, purpose=purpose, revoked_at__isnull=True
    ).first()
    if grant is None or (grant.valid_until and grant.valid_until < timezone.localdate()):
        raise Refused(
            403,
            "grant",
            "未获授权访问该资源（或用途不符）。",
            "No grant for this resource and purpose.",
        )
    return grant


class _Inbound:
    """What is known of an inbound message so far, to log it however it ends."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.claimed = ""
        self.sender: Consumer | None = None
        self.resource = ""
        self.purpose = ""
        self.fields: list[str] = []
        self.person: Person | None = None

    def learn(self, data: Any) -> None:
        if isinstance(data, dict):
            self.claimed = str(data.get("consumer") or data.get("source") or "")[:64]
            self.resource = str(data.get("resource") or data.get("kind") or "")
            self.purpose = str(data.get("purpose") or "")
            fields = data.get("fields")
            if isinstance(fields, list):
                self.fields = [str(f)[:64] for f in fields[:50]]

    def refused(self, exc: Refused) -> None:
        """Log a refusal: always in the application log; in the message log (and so the
        person's data-use log) once the signature showed who sent it, so that nobody can
        fill the message log under another party's name."""
        logger.warning(
            "gateway refused a message from %r (%s): %s %s",
            self.claimed or "unknown",
            self.resource[:64],
            exc.status,
            exc.code,
        )
        if self.sender is None:
            return
        message_log(
            direction="in",
            party=self.sender.name,
            resource=self.resource,
            purpose=self.purpose,
            person=self.person,
            fields=self.fields,
            outcome=f"refused:{exc.code}",
            request=self.body,
        )


def _peek(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def consent_active(*, person: Person, consumer: Consumer, resource: Resource, purpose: str) -> bool:
    return Consent.objects.filter(
        person=person,
        consumer=consumer,
        resource=resource,
        purpose=purpose,
        revoked_at__isnull=True,
        valid_until__gte=timezone.localdate(),
    ).exists()


def gateway_query(*, body: bytes, signature: str) -> dict[str, Any]:
    """Answer a signed query (see the module docstring). A refusal raises ``Refused`` (status
    and code as in docs/exchange.md) and is logged like an answer."""
    inbound = _Inbound(body)
    inbound.learn(_peek(body))
    try:
        return _query(inbound, body, signature)
    except Refused as exc:
        inbound.refused(exc)
        raise


def _query(inbound: _Inbound, body: bytes, signature: str) -> dict[str, Any]:
    consumer, data = _authenticate(
        body,
        signature,
        sender="consumer",
        required=REQUIRED,
        kinds=(ConsumerKind.THIRD_PARTY, ConsumerKind.REGISTRY, ConsumerKind.PROVINCE),
        inbound=inbound,
    )
    resource_code, purpose = str(data["resource"]), str(data["purpose"])
    fields: list[str] = data["fields"]
    resource = Resource.objects.filter(code=resource_code).first()
    if resource is None or (resource.code not in PROVIDED and resource.code not in ACTIONS):
        raise Refused(404, "resource", "没有该共享资源。", "No such resource.")
    _granted(consumer, resource, purpose)
    unknown = sorted(set(fields) - set(resource.fields))
    if unknown or not fields:
        raise Refused(400, "fields", f"不可查询的字段：{unknown}", f"Fields not offered: {unknown}")
    person = identity.person_by_resident_id(str(data["subject"]))
    if person is None:
        raise Refused(404, "subject", "未找到该人员。", "No such person.")
    inbound.person = person
    if resource.needs_consent and not consent_active(
        person=person, consumer=consumer, resource=resource, purpose=purpose
    ):
        raise Refused(403, "consent", "本人未授权或授权已失效。", "The person has not consented.")
    if resource.code in ACTIONS:
        params = data.get("params") or {}
        try:
            with transaction.atomic():
                if not isinstance(params, dict):
                    raise ServiceError(
                        "params 须为对象。", "params must be an object.", code="params"
                    )
                facts = ACTIONS[resource.code](person, consumer, params)
                return _answer(body, consumer, resource, purpose, person, fields, facts)
        except ServiceError as exc:
            if isinstance(exc, Refused):
                raise
            raise Refused(422, exc.code or "refused", exc.zh, exc.en) from exc
    facts = PROVIDED[resource.code](person)
    return _answer(body, consumer, resource, purpose, person, fields, facts)


def _answer(
    body: bytes,
    consumer: Consumer,
    resource: Resource,
    purpose: str,
    person: Person,
    fields: list[str],
    facts: dict[str, Any],
) -> dict[str, Any]:
    response = signing.stamp(
        {
            "resource": resource.code,
            "purpose": purpose,
            "subject": mask_resident_id(person.resident_id),
            "data": {f: facts.get(f) for f in fields},
            "request_digest": sm3_hex(body),
            "answered_at": timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
        }
    )
    message_log(
        direction="in",
        party=consumer.name,
        resource=resource.code,
        purpose=purpose,
        person=person,
        fields=fields,
        outcome="answered",
        request=body,
        response=signing.canonical(response),
    )
    return {"response": response, "signature": signing.sign(response)}


# -- events pushed by registries ------------------------------------------------------------

EVENT_REQUIRED = (
    "event_id",
    "source",
    "kind",
    "subject",
    "data",
    "purpose",
    "timestamp",
    "nonce",
)
#: The shared resource each kind of event belongs to: the registry needs a grant on it.
EVENT_RESOURCES = {"death_registered": "civil_affairs.deaths"}
EVENT_HANDLERS: dict[str, list[Callable[[dict[str, Any]], str]]] = {}


def register_event_handler(kind: str, handler: Callable[[dict[str, Any]], str]) -> None:
    """Add a handler for events of ``kind``; each returns what it did."""
    EVENT_HANDLERS.setdefault(kind, []).append(handler)


def event_receive(*, body: bytes, signature: str) -> tuple[bool, str]:
    """Take an event a registry pushed (at least once), checked as a query is: signature,
    timestamp, nonce (each delivery signed afresh), the registry's grant on the event's
    resource for the purpose. Returns (new, outcome); a repeated event id is acknowledged and
    not handled again. A refusal raises ``Refused`` and is logged."""
    inbound = _Inbound(body)
    inbound.learn(_peek(body))
    try:
        new, outcome = _event(inbound, body, signature)
    except Refused as exc:
        inbound.refused(exc)
        raise
    message_log(
        direction="in",
        party=inbound.sender.name if inbound.sender else inbound.claimed,
        resource=inbound.resource,
        purpose=inbound.purpose,
        person=inbound.person,
        fields=[],
        outcome="accepted" if new else "duplicate",
        request=body,
    )
    return new, outcome


def _event(inbound: _Inbound, body: bytes, signature: str) -> tuple[bool, str]:
    consumer, data = _authenticate(
        body,
        signature,
        sender="source",
        required=EVENT_REQUIRED,
        kinds=(ConsumerKind.REGISTRY,),
        inbound=inbound,
    )
    _event_shape(data)
    kind = str(data["kind"])
    resource = Resource.objects.filter(code=EVENT_RESOURCES.get(kind, "")).first()
    if resource is None:
        raise Refused(404, "resource", "不受理该类事件。", "No such kind of event.")
    inbound.resource = resource.code
    _granted(consumer, resource, str(data["purpose"]))
    inbound.person = identity.person_by_resident_id(str(data["subject"]))
    event_id = str(data["event_id"])[:64]
    try:
        return _event_handle(consumer, data, event_id, kind)
    except IntegrityError:
        # The same event delivered twice at once: the other delivery handled it, and this
        # one's work was rolled back with its transaction.
        seen = InboxEvent.objects.filter(event_id=event_id).first()
        if seen is None:
            raise
        return False, seen.outcome


def _event_shape(data: dict[str, Any]) -> None:
    """An event's own fields: ids and subject are short strings, ``data`` an object; a death's
    date a real date and its certificate number short. A signed event of
    another shape is refused as malformed (400), never handled half-way."""

    def bad(zh: str, en: str) -> Refused:
        return Refused(400, "malformed", f"事件格式不正确：{zh}", f"Malformed event: {en}")

    for name in ("event_id", "subject", "kind"):
        value = data.get(name)
        if not isinstance(value, str) or not 0 < len(value) <= 64:
            raise bad(f"{name} 应为 1-64 个字符的字符串。", f"{name} must be a string of 1-64.")
    payload = data.get("data")
    if not isinstance(payload, dict):
        raise bad("data 应为对象。", "data must be an object.")
    if data["kind"] == "death_registered":
        number = payload.get("certificate_no")
        if not isinstance(number, str) or not 0 < len(number) <= 64:
            raise bad("certificate_no 应为 1-64 个字符。", "certificate_no must be 1-64 chars.")
        try:
            dt.date.fromisoformat(str(payload.get("date", "")))
        except ValueError:
            raise bad("date 应为 YYYY-MM-DD。", "date must be YYYY-MM-DD.") from None


def _event_handle(
    consumer: Consumer, data: dict[str, Any], event_id: str, kind: str
) -> tuple[bool, str]:
    with transaction.atomic():
        seen = InboxEvent.objects.select_for_update().filter(event_id=event_id).first()
        if seen is not None:
            return False, seen.outcome
        handlers = EVENT_HANDLERS.get(kind, [])
        outcome = "; ".join(h(data) for h in handlers) or "ignored: no handler"
        InboxEvent.objects.create(
            event_id=event_id,
            source=consumer.code,
            kind=kind[:64],
            payload=data,
            received_at=timezone.now(),
            outcome=outcome[:200],
        )
        record(
            actor=None,
            action="exchange.event.received",
            target_type="exchange.inboxevent",
            target_id=event_id,
            changes={"source": consumer.code, "kind": kind, "outcome": outcome},
        )
    return True, outcome


# -- the message log as a signed bundle -----------------------------------------------------


def log_export(*, since: dt.datetime | None = None) -> dict[str, Any]:
    """The message log (since a time) with a chain of digests, signed by the gateway."""
    messages = Message.objects.order_by("at", "pk")
    if since is not None:
        messages = messages.filter(at__gte=since)
    entries = [
        {
            "id": m.pk,
            "at": m.at.astimezone(dt.UTC).isoformat(),
            "direction": m.direction,
            "party": m.party,
            "resource": m.resource,
            "purpose": m.purpose,
            "person": m.person_id,
            "fields": m.fields,
            "outcome": m.outcome,
            "request_digest": m.request_digest,
            "response_digest": m.response_digest,
        }
        for m in messages
    ]
    content = signing.stamp(
        {
            "exported_at": timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
            "count": len(entries),
            "entries": entries,
            "digest": sm3_hex(signing.canonical({"entries": entries})),
            "public_key": signing.public_key_hex(),
        }
    )
    return {"content": content, "signature": signing.sign(content)}


def bundle_verify(bundle: Any, *, public_key: str | None = None) -> list[str]:
    """Problems found in an exported bundle (empty when it is intact). Works offline: the
    signature must be by ``public_key`` (hex) when given, else by this platform's own key
    for the bundle's algorithm (the one ``GET /api/v1/certificates/keys`` publishes); the
    key the bundle names is never trusted, so a bundle re-signed by another key fails."""
    problems: list[str] = []
    if not isinstance(bundle, dict) or not isinstance(bundle.get("content"), dict):
        return ["not a message-log bundle"]
    content = bundle["content"]
    entries = content.get("entries")
    if not isinstance(entries, list):
        return ["no entries"]
    if content.get("count") != len(entries):
        problems.append(f"count says {content.get('count')}, bundle holds {len(entries)}")
    if content.get("digest") != sm3_hex(signing.canonical({"entries": entries})):
        problems.append("the entries do not match their digest")
    kind = str(content.get("algorithm") or algorithms.ED25519)
    if kind not in algorithms.ALGORITHMS:
        return [*problems, f"unknown signature algorithm {kind!r}"]
    key = public_key or signing.public_key_hex(kind)
    if not algorithms.verify(
        kind, key, signing.canonical(content), str(bundle.get("signature", ""))
    ):
        problems.append("the signature does not match the content")
    return problems


def grant_approve(
    *, actor: Any, consumer: Consumer, resource: Resource, purpose: str, valid_until: dt.date | None
) -> Grant:
    """The provider approves a consumer's access to a resource for a purpose (a ``Purpose``
    code; another raises ``ServiceError`` ``purpose``)."""
    if actor is not None and not actor.has_perm("exchange.add_grant"):
        raise NotPermitted()
    purpose_get(code=purpose)
    with transaction.atomic():
        grant, _ = Grant.objects.update_or_create(
            consumer=consumer,
            resource=resource,
            purpose=purpose,
            defaults={
                "approved_by": actor.get_username() if actor is not None else "system",
                "approved_at": timezone.now(),
                "valid_until": valid_until,
                "revoked_at": None,
            },
        )
        record(
            actor=actor,
            action="exchange.grant.approved",
            target=grant,
            changes={"consumer": consumer.code, "resource": resource.code, "purpose": purpose},
        )
    return grant


def purpose_get(*, code: str) -> Purpose:
    """The purpose with this code; ``ServiceError`` (400 ``purpose``) naming the known codes
    when there is none."""
    found = Purpose.objects.filter(code=code).first()
    if found is None:
        known = ", ".join(Purpose.objects.values_list("code", flat=True))
        raise ServiceError(
            f"用途须为已登记的代码之一：{known}。",
            f"The purpose must be one of the registered codes: {known}.",
            code="purpose",
        )
    return found


def purpose_labels() -> dict[str, str]:
    """Each purpose code's label in the active language, for pages that show logged
    purposes."""
    from onestop.common.templatetags.one_language import pick

    return {p.code: str(pick(p, "name")) for p in Purpose.objects.all()}


def consumer_get(*, code: str) -> Consumer:
    found = Consumer.objects.filter(code=code, active=True).first()
    if found is None:
        raise NotFound()
    return found
