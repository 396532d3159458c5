"""The outbox: messages the platform sends to other departments, delivered after commit and
retried until acknowledged.

A context that owes a department a message (the unemployment payroll's medical insurance
contributions, for the medical insurance department) calls ``outbox_put`` inside the
transaction of the change that produced it: the message is stored with that change or not at
all. After commit the ``exchange.outbox_deliver`` task (queue ``exchange``) sends it:

    POST <registry base>/<registry>/<dataset>/<key>   {the payload}   X-Api-Key, Idempotency-Key

to the department's endpoint configured for the gateway (``ONESTOP_REGISTRY_URL(S)``,
``licences.registry_endpoint``). A 2xx answer is the department's acknowledgement, kept with
the message; anything else (no answer, an error status, no endpoint configured) leaves the
message ``failed`` with the reason and the time of the next attempt (5 minutes, doubling, 6
hours at most), which the ``exchange.outbox_retry`` task (every 5 minutes) picks up. The key
is the message's name at the receiver: a message delivered twice (a worker lost after the
department answered, a retry racing a late answer) is recognised there and applied once.
Every attempt is logged in the message log and journaled.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from onestop.audit.models import Outcome
from onestop.audit.services import record
from onestop.common.jobs import enqueue
from onestop.exchange.gateway import message_log
from onestop.exchange.licences import registry_endpoint
from onestop.exchange.models import OutboundMessage, OutboundStatus

TIMEOUT_SECONDS = 10
FIRST_RETRY = dt.timedelta(minutes=5)
LONGEST_RETRY = dt.timedelta(hours=6)
#: How many due messages one retry run sends (the rest wait for the next run).
RETRY_BATCH = 200


@dataclass(frozen=True)
class Delivery:
    """What other contexts see of a message: its state and the department's answer."""

    id: int
    key: str
    status: str
    attempts: int
    last_error: str
    acknowledgement: dict[str, Any]
    delivered_at: dt.datetime | None
    next_attempt_at: dt.datetime | None


def _contract(message: OutboundMessage) -> Delivery:
    return Delivery(
        id=message.pk,
        key=message.key,
        status=message.status,
        attempts=message.attempts,
        last_error=message.last_error,
        acknowledgement=dict(message.acknowledgement or {}),
        delivered_at=message.delivered_at,
        next_attempt_at=None
        if message.status == OutboundStatus.DELIVERED
        else message.next_attempt_at,
    )


def outbox_put(
    *, key: str, registry: str, dataset: str, purpose: str, payload: dict[str, Any], count: int
) -> OutboundMessage:
    """Store a message for ``registry`` (in the caller's transaction) and deliver it after
    commit. The same ``key`` again returns the message already stored, unchanged."""
    with transaction.atomic():
        existing = OutboundMessage.objects.filter(key=key).first()
        if existing is not None:
            return existing
        now = timezone.now()
        try:
            with transaction.atomic():
                message = OutboundMessage.objects.create(
                    key=key,
                    registry=registry,
                    dataset=dataset,
                    purpose=purpose,
                    payload=payload,
                    count=count,
                    next_attempt_at=now,
                    created_at=now,
                )
        except IntegrityError:
            return OutboundMessage.objects.get(key=key)
    enqueue("exchange.outbox_deliver", message.pk)
    return message


def _post(message: OutboundMessage) -> dict[str, Any]:
    """Send one message; the department's acknowledgement, or ``OSError`` / ``ValueError``
    saying why not."""
    base, api_key = registry_endpoint(message.registry)
    if not base:
        raise OSError(f"no endpoint is configured for {message.registry}")
    body = json.dumps(message.payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    path = "/".join(
        urllib.parse.quote(part, safe="")
        for part in (message.registry, message.dataset, message.key)
    )
    request = urllib.request.Request(  # noqa: S310 - the configured base is http(s)
        f"{base.rstrip('/')}/{path}",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-Api-Key": api_key,
            "Idempotency-Key": message.key,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raise OSError(f"the department answered {exc.code}") from exc
    except json.JSONDecodeError as exc:
        raise ValueError("the department's answer is not JSON") from exc
    if not isinstance(answer, dict):
        raise ValueError("the department's answer is not a JSON object")
    return answer


def _backoff(attempts: int) -> dt.timedelta:
    wait: dt.timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(wait, LONGEST_RETRY)


def outbox_deliver(*, message_id: int) -> Delivery | None:
    """Send one message unless it is already acknowledged; record the answer or the failure
    and when to try again. None when there is no such message. Safe to run any number of
    times, concurrently too (the receiver applies a key once)."""
    message = OutboundMessage.objects.filter(pk=message_id).first()
    if message is None:
        return None
    if message.status == OutboundStatus.DELIVERED:
        return _contract(message)
    party = f"{message.registry} ({message.dataset})"
    body = json.dumps(message.payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    try:
        answer, error = _post(message), ""
    except (OSError, ValueError) as exc:
        answer, error = {}, str(exc)[:300] or exc.__class__.__name__
    now = timezone.now()
    with transaction.atomic():
        locked = OutboundMessage.objects.select_for_update().get(pk=message.pk)
        if locked.status == OutboundStatus.DELIVERED:
            return _contract(locked)  # another delivery got the answer first
        locked.attempts += 1
        if error:
            locked.status = OutboundStatus.FAILED
            locked.last_error = error
            locked.next_attempt_at = now + _backoff(locked.attempts)
        else:
            locked.status = OutboundStatus.DELIVERED
            locked.last_error = ""
            locked.acknowledgement = answer
            locked.delivered_at = now
        locked.save(
            update_fields=[
                "attempts",
                "status",
                "last_error",
                "next_attempt_at",
                "acknowledgement",
                "delivered_at",
            ]
        )
        message_log(
            direction="out",
            party=party,
            resource=f"{locked.registry}.{locked.dataset}",
            purpose=locked.purpose,
            person=None,
            fields=["lines"],
            outcome="failed" if error else "delivered",
            request=body,
            response=json.dumps(answer, sort_keys=True).encode() if answer else b"",
        )
        record(
            actor=None,
            action="exchange.outbox.failed" if error else "exchange.outbox.delivered",
            target=locked,
            outcome=Outcome.FAILED if error else Outcome.SUCCESS,
            changes={
                "key": locked.key,
                "attempt": locked.attempts,
                "error": error,
                "acknowledgement": answer,
            },
        )
    return _contract(locked)


def outbox_retry(*, now: dt.datetime | None = None) -> int:
    """Deliver the messages whose next attempt is due (oldest first, ``RETRY_BATCH`` at a
    time); how many were tried."""
    now = now or timezone.now()
    due = list(
        OutboundMessage.objects.filter(
            status__in=[OutboundStatus.PENDING, OutboundStatus.FAILED], next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:RETRY_BATCH]
    )
    for pk in due:
        outbox_deliver(message_id=pk)
    return len(due)


def outbox_flush() -> int:
    """Deliver every message not yet acknowledged now, whatever its next attempt (a
    department's endpoint just came up, as the demo's simulator after the demo load); how
    many were tried."""
    return outbox_retry(now=timezone.now() + LONGEST_RETRY)


def deliveries(*, ids: list[int]) -> dict[int, Delivery]:
    """The state of the messages ``ids``, by id (a context shows its own lines' delivery)."""
    return {m.pk: _contract(m) for m in OutboundMessage.objects.filter(pk__in=set(ids))}
