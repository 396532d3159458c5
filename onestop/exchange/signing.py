"""The platform's signing key (Ed25519) and signatures over canonical JSON.

``ONESTOP_SIGNING_KEY`` holds the raw 32-byte private key as hex; without it (development and
tests) a key is derived from SECRET_KEY. The key id is the first 16 hex characters of the
SM3 digest of the public key, so verifiers can tell keys apart after a rotation.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from onestop.common.digests import sm3_hex


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


@lru_cache(maxsize=2)
def _private_key(spec: str, secret: str) -> Ed25519PrivateKey:
    if spec:
        try:
            raw = bytes.fromhex(spec)
        except ValueError as exc:
            raise ImproperlyConfigured("ONESTOP_SIGNING_KEY must be hex.") from exc
        if len(raw) != 32:
            raise ImproperlyConfigured("ONESTOP_SIGNING_KEY must be 32 bytes (64 hex).")
    else:
        raw = hashlib.sha256(f"onestop-dev-signing-{secret}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(raw)


def private_key() -> Ed25519PrivateKey:
    return _private_key(getattr(settings, "ONESTOP_SIGNING_KEY", ""), settings.SECRET_KEY)


def public_key_bytes() -> bytes:
    return (
        private_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def key_id(public: bytes | None = None) -> str:
    return sm3_hex(public if public is not None else public_key_bytes())[:16]


def sign(payload: dict[str, Any]) -> str:
    return base64.b64encode(private_key().sign(canonical(payload))).decode("ascii")


def verify(payload: dict[str, Any], signature: str, public: bytes | None = None) -> bool:
    """Whether ``signature`` is the platform key's (or ``public``'s) over ``payload``."""
    key = Ed25519PublicKey.from_public_bytes(public if public is not None else public_key_bytes())
    try:
        key.verify(base64.b64decode(signature, validate=True), canonical(payload))
    except (InvalidSignature, ValueError):
        return False
    return True
