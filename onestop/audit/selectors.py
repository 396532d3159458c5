"""Reading and checking the journal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet

from onestop.audit.chain import GENESIS, Break, find_break
from onestop.audit.models import ChainHead, Entry


def entry_content(entry: Entry) -> dict[str, Any]:
    """An entry as the chain hashes it."""
    return {
        "seq": entry.seq,
        "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "role": entry.role,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "outcome": entry.outcome,
        "changes": entry.changes,
        "request_id": entry.request_id,
        "client_address": entry.client_address,
        "channel": entry.channel,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def _walk(batch: int) -> Iterator[dict[str, Any]]:
    for entry in Entry.objects.order_by("seq").iterator(chunk_size=batch):
        yield entry_content(entry)


def journal_verify(*, batch: int = 2000) -> tuple[int, Break | None]:
    """Re-walk the whole chain; return the number of good entries and the first break."""
    head = ChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    return find_break(_walk(batch), head_seq=head_seq, head_hash=head_hash)


def journal_head() -> tuple[int, str]:
    """The journal's recorded head: (sequence number of the last entry, its hash)."""
    head = ChainHead.objects.filter(pk=1).first()
    return (head.seq, head.hash) if head else (0, GENESIS)


def journal_against_checkpoint(*, seq: int, head_hash: str) -> str | None:
    """Why the journal disagrees with a checkpoint of entry ``seq`` and ``head_hash``, or None.

    The journal must still hold that entry, with that hash, and must not end before it: a
    tail cut off together with the chain head, or a history rewritten and re-hashed, both
    fail here although the chain alone would still look intact.
    """
    if seq == 0:
        return None if head_hash == GENESIS else "checkpoint of an empty journal has a hash"
    current_seq, _ = journal_head()
    last = Entry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    if current_seq < seq or last < seq:
        return (
            f"journal is shorter than the checkpoint: it ends at entry {min(current_seq, last)}, "
            f"the checkpoint witnessed entry {seq}"
        )
    found = Entry.objects.filter(seq=seq).values_list("hash", flat=True).first()
    if found is None:
        return f"entry {seq} witnessed by the checkpoint is missing"
    if found != head_hash:
        return f"entry {seq} has a different hash from the one the checkpoint witnessed"
    return None


def entry_search(
    *,
    action: str = "",
    actor: str = "",
    target_type: str = "",
    target_id: str = "",
    outcome: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[Entry]:
    """Entries matching every given filter, newest first."""
    qs = Entry.objects.all()
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(Q(actor_label__icontains=actor) | Q(actor_id=actor))
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id:
        qs = qs.filter(target_id=target_id)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    return qs.order_by("-seq")
