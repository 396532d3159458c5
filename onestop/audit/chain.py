"""The hash chain of the journal, independent of storage.

Each entry's hash is SM3 over the canonical JSON of its content followed by the previous
entry's hash; the first entry links to ``GENESIS``. ``find_break`` walks entries in sequence
order and names the first one that does not fit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from onestop.common.digests import sm3_hex

GENESIS = "0" * 64

#: The fields that the hash covers, in the order they are listed in exports.
CONTENT_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "role",
    "action",
    "target_type",
    "target_id",
    "outcome",
    "changes",
    "request_id",
    "client_address",
    "channel",
)


def canonical(content: Mapping[str, Any]) -> bytes:
    """The bytes that are hashed: the content fields as sorted, compact UTF-8 JSON."""
    picked = {name: content[name] for name in CONTENT_FIELDS}
    return json.dumps(picked, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(content: Mapping[str, Any], prev_hash: str) -> str:
    return sm3_hex(canonical(content) + prev_hash.encode("ascii"))


@dataclass(frozen=True)
class Break:
    """Where the chain stops holding: the sequence number and why."""

    seq: int
    reason: str


def find_break(
    entries: Iterable[Mapping[str, Any]], *, head_seq: int, head_hash: str
) -> tuple[int, Break | None]:
    """Walk ``entries`` (ordered by seq) and return how many were checked and the first break.

    ``head_seq``/``head_hash`` are what the journal recorded as its last entry, so that
    entries removed from the end are noticed too.
    """
    expected_seq = 1
    prev = GENESIS
    checked = 0
    for entry in entries:
        seq = int(entry["seq"])
        if seq != expected_seq:
            return checked, Break(
                seq, f"sequence broken: expected entry {expected_seq}, found {seq}"
            )
        if entry["prev_hash"] != prev:
            return checked, Break(seq, "link to the previous entry broken")
        if entry_hash(entry, entry["prev_hash"]) != entry["hash"]:
            return checked, Break(seq, "content does not match its hash")
        prev = entry["hash"]
        expected_seq += 1
        checked += 1
    last_seq = expected_seq - 1
    if head_seq != last_seq or (head_seq and head_hash != prev):
        missing = min(head_seq, last_seq) + 1 if head_seq != last_seq else last_seq
        return checked, Break(
            missing, f"journal head says {head_seq} entries, the chain has {last_seq}"
        )
    return checked, None
