"""The platform's signing keys and signatures over canonical JSON.

Two keys, one per algorithm: Ed25519 (``ONESTOP_SIGNING_KEY``, 32 bytes hex) and SM2 with SM3
(``ONESTOP_SM2_SIGNING_KEY``, 32 bytes hex). ``ONESTOP_SIGNING_ALGORITHM`` (``ed25519`` by
default, or ``sm2``) picks the one new signatures use; what is signed names its algorithm
(``"algorithm"`` in the payload, Ed25519 when absent), so documents signed before a switch
still verify. Without keys (development and tests) both are derived from SECRET_KEY. A key id
is the first 16 hex characters of the SM3 digest of the public key.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from onestop.common.digests import sm3_hex
from onestop.exchange import algorithms


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def algorithm() -> str:
    """The algorithm new signatures use."""
    chosen = getattr(settings, "ONESTOP_SIGNING_ALGORITHM", "") or algorithms.ED25519
    if chosen not in algorithms.ALGORITHMS:
        raise ImproperlyConfigured("ONESTOP_SIGNING_ALGORITHM must be ed25519 or sm2.")
    return chosen


@lru_cache(maxsize=4)
def _private(kind: str, spec: str, secret: str) -> str:
    if spec:
        try:
            raw = bytes.fromhex(spec)
        except ValueError as exc:
            raise ImproperlyConfigured(f"The {kind} signing key must be hex.") from exc
        if len(raw) != 32:
            raise ImproperlyConfigured(f"The {kind} signing key must be 32 bytes (64 hex).")
        return raw.hex()
    return (
        hashlib.sha256(f"onestop-dev-signing-{kind}-{secret}".encode()).hexdigest()
        if (kind == algorithms.SM2)
        else hashlib.sha256(f"onestop-dev-signing-{secret}".encode()).hexdigest()
    )


def private_key_hex(kind: str | None = None) -> str:
    kind = kind or algorithm()
    setting = "ONESTOP_SM2_SIGNING_KEY" if kind == algorithms.SM2 else "ONESTOP_SIGNING_KEY"
    return _private(kind, getattr(settings, setting, ""), settings.SECRET_KEY)


@lru_cache(maxsize=8)
def _public(kind: str, private: str) -> str:
    return algorithms.public_of(kind, private)


def public_key_hex(kind: str | None = None) -> str:
    kind = kind or algorithm()
    return _public(kind, private_key_hex(kind))


def public_key_bytes(kind: str | None = None) -> bytes:
    return bytes.fromhex(public_key_hex(kind))


def key_id(public: bytes | None = None) -> str:
    return sm3_hex(public if public is not None else public_key_bytes())[:16]


def sign(payload: dict[str, Any]) -> str:
    """Sign with the algorithm the payload names (default: the one in force)."""
    kind = str(payload.get("algorithm") or algorithms.ED25519)
    return algorithms.sign(kind, private_key_hex(kind), canonical(payload))


def verify(payload: dict[str, Any], signature: str, public: bytes | None = None) -> bool:
    """Whether ``signature`` is the platform's (or ``public``'s) over ``payload``."""
    kind = str(payload.get("algorithm") or algorithms.ED25519)
    if kind not in algorithms.ALGORITHMS:
        return False
    key = public.hex() if public is not None else public_key_hex(kind)
    return algorithms.verify(kind, key, canonical(payload), signature)


def stamp(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with the algorithm and key id of the key in force, ready to sign."""
    kind = algorithm()
    return {**payload, "algorithm": kind, "key_id": key_id(public_key_bytes(kind))}
