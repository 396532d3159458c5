"""Writing to the journal."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import models, transaction

from onestop.audit.chain import GENESIS, entry_hash
from onestop.audit.models import ChainHead, Entry, Outcome
from onestop.common import context


def _jsonable(value: Any) -> Any:
    """What JSON storage gives back, so the hash made now matches the one checked later."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _actor_facts(actor: Any) -> tuple[str, str, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "", "anonymous" if actor is not None else "system", ""
    return (
        str(actor.pk),
        str(getattr(actor, "audit_label", actor.get_username())),
        str(getattr(actor, "audit_role", "")),
    )


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    outcome: str = Outcome.SUCCESS,
    changes: dict[str, Any] | None = None,
    role: str | None = None,
) -> Entry:
    """Append one entry, inside the caller's transaction when there is one.

    ``actor`` is a user (or None for the system); ``target`` a model instance, or give
    ``target_type``/``target_id``; ``changes`` holds before/after values or other facts.
    """
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
    actor_id, actor_label, actor_role = _actor_facts(actor)
    ctx = context.current()
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = ChainHead.objects.create(pk=1, seq=0, hash=GENESIS)
        content: dict[str, Any] = {
            "seq": head.seq + 1,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "actor_label": actor_label[:150],
            "role": role if role is not None else actor_role,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
            "outcome": str(outcome),
            "changes": _jsonable(changes or {}),
            "request_id": ctx.request_id,
            "client_address": ctx.client_address,
            "channel": ctx.channel,
        }
        digest = entry_hash(content, head.hash)
        entry = Entry.objects.create(
            **{**content, "at": dt.datetime.fromisoformat(content["at"])},
            prev_hash=head.hash,
            hash=digest,
        )
        head.seq = entry.seq
        head.hash = digest
        head.save(update_fields=["seq", "hash"])
    return entry


def guard_switch(*, enabled: bool) -> None:
    """Switch the database's append-only guard on or off (operators and test teardown only).

    Nothing in the platform calls this; what happens while the guard is off is still caught
    by the hash chain.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_maintenance")
        if not enabled:
            cursor.execute("INSERT INTO audit_maintenance (enabled) VALUES (1)")
