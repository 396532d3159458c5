"""Signature algorithms a gateway party may use: Ed25519 (the default, ``cryptography``) or
SM2 with SM3 (GB/T 32918, ``gmssl``). Keys are hex; signatures are base64 (Ed25519) or hex
(SM2, r||s), as each library writes them."""

from __future__ import annotations

import base64
import binascii
import secrets

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from gmssl import sm2

ED25519 = "ed25519"
SM2 = "sm2"
ALGORITHMS = (ED25519, SM2)
_RAW = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)


#: A public key's length in bytes, per algorithm (Ed25519 raw; SM2 x||y).
PUBLIC_KEY_BYTES = {ED25519: 32, SM2: 64}


def public_key_from_text(algorithm: str, text: str) -> str:
    """A public key written as hex (as registered and exported) or base64 (as
    ``GET /api/v1/certificates/keys`` publishes it), as hex. Raises ``ValueError`` when it is
    neither, or not the algorithm's length."""
    size = PUBLIC_KEY_BYTES.get(algorithm)
    if size is None:
        raise ValueError(f"unknown algorithm {algorithm!r}")
    text = text.strip()
    raw: bytes | None = None
    if len(text) == 2 * size:
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raw = None
    if raw is None:
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
    if len(raw) != size:
        raise ValueError(
            f"not an {algorithm} public key: give {size} bytes as {2 * size} hex digits or base64"
        )
    return raw.hex()


def keypair(algorithm: str) -> tuple[str, str]:
    """A new (private, public) key pair as hex."""
    if algorithm == SM2:
        private = secrets.token_hex(32)
        table = sm2.default_ecc_table
        public = sm2.CryptSM2(private_key=private, public_key="")._kg(int(private, 16), table["g"])
        return private, str(public)
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return raw.hex(), key.public_key().public_bytes(*_RAW).hex()


def public_of(algorithm: str, private: str) -> str:
    if algorithm == SM2:
        table = sm2.default_ecc_table
        return str(
            sm2.CryptSM2(private_key=private, public_key="")._kg(int(private, 16), table["g"])
        )
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private))
    return key.public_key().public_bytes(*_RAW).hex()


def _sm2(private: str, public: str) -> sm2.CryptSM2:
    """gmssl's constructor strips a leading "04" with ``lstrip``, which also eats the first
    digits of a raw x||y key that happens to start with 0 or 4 (about one key in 256): the
    key is set after construction instead."""
    crypt = sm2.CryptSM2(private_key=private, public_key="")
    crypt.public_key = public
    return crypt


def sign(algorithm: str, private: str, data: bytes) -> str:
    if algorithm == SM2:
        signer = _sm2(private, public_of(SM2, private))
        return str(signer.sign_with_sm3(data, secrets.token_hex(32)))
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private))
    return base64.b64encode(key.sign(data)).decode("ascii")


def verify(algorithm: str, public: str, data: bytes, signature: str) -> bool:
    """Whether ``signature`` over ``data`` is ``public``'s; any malformed input is False."""
    try:
        if algorithm == SM2:
            if len(signature) != 128 or len(public) != 128:
                return False
            int(signature, 16)
            checker = _sm2("", public)
            return bool(checker.verify_with_sm3(signature, data))
        if algorithm != ED25519:
            return False
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public))
        key.verify(base64.b64decode(signature, validate=True), data)
        return True
    except (InvalidSignature, ValueError, binascii.Error, TypeError):
        return False
