"""Refused requests on the record, with a per-actor cap so a flood cannot fill the journal.

Every refusal of one actor (a user, or an address for the anonymous) is counted in a fixed
window of ``ONESTOP_REFUSAL_WINDOW_SECONDS`` (600 s by default) in the cache, which is Redis
in production and so shared by every worker. The first ``ONESTOP_REFUSAL_JOURNAL_CAP`` (30)
refusals of a window are journaled one by one as ``access.refused``; the next one is
journaled once as ``access.refused.capped`` and the rest only counted. When the count
reaches ``ONESTOP_REFUSAL_ALERT_THRESHOLD`` (10) the caller is told, once per window, so
that it can alert the security administrator.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from onestop.audit.models import Outcome
from onestop.audit.services import record

REFUSED = "access.refused"
CAPPED = "access.refused.capped"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@dataclass(frozen=True)
class Noted:
    """What became of one refusal: its number in the window, journaled or only counted, and
    whether it is the one that reached the alert threshold."""

    count: int
    journaled: bool
    alert: bool
    window_seconds: int


def _count(key: str, window: int) -> int:
    # add() then incr() is atomic in Redis and in the local-memory cache alike.
    cache.add(key, 0, timeout=window + 60)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=window + 60)
        return 1


def refusal_note(
    *,
    actor: Any,
    actor_key: str,
    route: str,
    target_id: str,
    reason: str,
    facts: dict[str, Any],
    now: float | None = None,
) -> Noted:
    """Journal (within the cap) and count one refused request.

    ``actor`` is the user (or None); ``actor_key`` identifies the actor for the cap
    (``user:<id>`` or ``addr:<ip>``); ``route`` is the URL pattern's name
    (``identity:person_detail``), ``target_id`` the object id in the URL, ``reason`` the
    error code (``forbidden``, ``not_found``, ``scope``...); ``facts`` go into ``changes``.
    """
    window = _setting("ONESTOP_REFUSAL_WINDOW_SECONDS", 600)
    cap = _setting("ONESTOP_REFUSAL_JOURNAL_CAP", 30)
    threshold = _setting("ONESTOP_REFUSAL_ALERT_THRESHOLD", 10)
    bucket = int((now if now is not None else time.time()) // window)
    count = _count(f"onestop:refusals:{actor_key}:{bucket}", window)
    journaled = count <= cap + 1
    if journaled:
        with transaction.atomic():
            record(
                actor=actor,
                action=REFUSED if count <= cap else CAPPED,
                target_type=route[:100],
                target_id=target_id[:64],
                outcome=Outcome.DENIED,
                changes={
                    "reason": reason,
                    **facts,
                    **(
                        {"cap": cap, "window_seconds": window, "note": "further refusals counted"}
                        if count > cap
                        else {}
                    ),
                },
            )
    return Noted(count=count, journaled=journaled, alert=count == threshold, window_seconds=window)
