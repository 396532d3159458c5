"""Signed checkpoints of the journal's head, kept outside the database.

A checkpoint witnesses that the journal held entry ``seq`` with hash ``head_hash`` at ``at``;
it is signed with the platform key (Ed25519, or SM2 with SM3 when
``ONESTOP_SIGNING_ALGORITHM=sm2``; ``onestop.exchange.signing``). It is written to a file
under ``ONESTOP_CHECKPOINT_DIR`` (``var/checkpoints`` by default) and, when
``ONESTOP_CHECKPOINT_WITNESS`` names a department, delivered to that department's registry
endpoint (``PUT <registry>/checkpoints/<seq>`` and ``.../LATEST``, as configured for the
exchange gateway; the demo's registry simulator plays the witness). Someone with rights on
the database can cut the journal's tail and move the chain head back so that the chain
alone looks intact; the checkpoints they cannot reach then tell: ``onestop audit verify``
checks the journal against the latest checkpoint (or ``--checkpoint FILE``).

File format (UTF-8 JSON)::

    {"checkpoint": {"kind": "onestop.audit.checkpoint", "seq": 42, "head_hash": "<64 hex>",
                    "at": "<ISO 8601 UTC>", "province": "610000",
                    "algorithm": "ed25519", "key_id": "<16 hex>"},
     "signature": "<base64 or hex>"}
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from onestop.audit.models import Outcome
from onestop.audit.selectors import journal_against_checkpoint, journal_head
from onestop.audit.services import record
from onestop.exchange import signing
from onestop.exchange.licences import registry_endpoint

KIND = "onestop.audit.checkpoint"
TIMEOUT_SECONDS = 10
log = logging.getLogger("onestop.checkpoints")


class CheckpointInvalid(ValueError):
    """A checkpoint file that cannot be read, is not a checkpoint, or is not signed by us."""


@dataclass(frozen=True)
class Issued:
    path: Path
    document: dict[str, Any]
    delivered: bool | None  # None: no witness configured


def checkpoint_directory() -> Path:
    configured = getattr(settings, "ONESTOP_CHECKPOINT_DIR", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "checkpoints"


def _deliver(document: dict[str, Any]) -> bool:
    witness = str(getattr(settings, "ONESTOP_CHECKPOINT_WITNESS", "") or "")
    base, key = registry_endpoint(witness)
    if not base:
        return False
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    seq = document["checkpoint"]["seq"]
    try:
        for name in (f"{seq:012d}", "LATEST"):
            request = urllib.request.Request(  # noqa: S310 - the configured base is http(s)
                f"{base.rstrip('/')}/{witness}/checkpoints/{name}",
                data=body,
                method="PUT",
                headers={"Content-Type": "application/json", "X-Api-Key": key},
            )
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        log.warning("checkpoint %s not delivered to %s: %s", seq, witness, exc)
        return False
    return True


def checkpoint_issue() -> Issued:
    """Sign the journal's current head, write it under the checkpoint directory, deliver it
    to the witness when one is configured, and journal the issue (with the file name and
    whether the witness took it). Safe to run at any time and any number of times."""
    seq, head_hash = journal_head()
    payload = signing.stamp(
        {
            "kind": KIND,
            "seq": seq,
            "head_hash": head_hash,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "province": str(getattr(settings, "ONESTOP_PROVINCE", "")),
        }
    )
    document = {"checkpoint": payload, "signature": signing.sign(payload)}
    directory = checkpoint_directory()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = payload["at"].replace("-", "").replace(":", "").replace("+0000", "Z")
    path = directory / f"{seq:012d}-{stamp}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, path)  # never a half-written checkpoint
    witness = str(getattr(settings, "ONESTOP_CHECKPOINT_WITNESS", "") or "")
    delivered = _deliver(document) if witness else None
    with transaction.atomic():
        record(
            actor=None,
            action="audit.checkpoint.issued",
            target_type="audit.entry",
            target_id=str(seq),
            outcome=Outcome.FAILED if delivered is False else Outcome.SUCCESS,
            changes={
                "seq": seq,
                "head_hash": head_hash,
                "file": path.name,
                "witness": witness,
                "delivered": delivered,
            },
        )
    return Issued(path=path, document=document, delivered=delivered)


def checkpoint_latest() -> Path | None:
    """The checkpoint file with the highest sequence number, if any."""
    files = sorted(checkpoint_directory().glob("*.json"))
    return files[-1] if files else None


def checkpoint_load(source: Path | bytes) -> dict[str, Any]:
    """Read a checkpoint document and check its platform signature.

    Raises ``CheckpointInvalid`` when it is unreadable, not a checkpoint, or its signature
    is not the platform's (with the key in force for its algorithm).
    """
    try:
        raw = source.read_bytes() if isinstance(source, Path) else source
        document = json.loads(raw)
        payload = document["checkpoint"]
        signature = str(document["signature"])
        seq, head_hash = int(payload["seq"]), str(payload["head_hash"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointInvalid(f"not a readable checkpoint: {exc}") from exc
    if payload.get("kind") != KIND or seq < 0 or len(head_hash) != 64:
        raise CheckpointInvalid("not a journal checkpoint")
    if not signing.verify(payload, signature):
        raise CheckpointInvalid("the signature is not the platform's")
    return dict(document)


def checkpoint_from_witness() -> dict[str, Any]:
    """The latest checkpoint the configured witness holds (raises ``CheckpointInvalid``)."""
    witness = str(getattr(settings, "ONESTOP_CHECKPOINT_WITNESS", "") or "")
    base, key = registry_endpoint(witness)
    if not (witness and base):
        raise CheckpointInvalid("no checkpoint witness is configured")
    request = urllib.request.Request(  # noqa: S310 - the configured base is http(s)
        f"{base.rstrip('/')}/{witness}/checkpoints/LATEST",
        headers={"Accept": "application/json", "X-Api-Key": key},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return checkpoint_load(response.read())
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise CheckpointInvalid(f"the witness cannot be reached: {exc}") from exc


def checkpoint_check(document: dict[str, Any]) -> str | None:
    """Why the journal disagrees with this (signature-checked) checkpoint, or None."""
    payload = document["checkpoint"]
    return journal_against_checkpoint(seq=int(payload["seq"]), head_hash=str(payload["head_hash"]))
