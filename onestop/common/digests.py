"""SM3 digests and the short codes people type (query and verification codes)."""

from __future__ import annotations

import secrets
import string

from cryptography.hazmat.primitives import hashes

#: Upper-case letters and digits without the look-alikes O/0 and I/1.
CODE_ALPHABET = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def new_code(length: int = 8) -> str:
    """A random code to print or show once (8 characters: 40 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def code_hash(code: str) -> str:
    """What is stored of a code: its SM3 digest, case and surrounding spaces ignored."""
    return sm3_hex(code.strip().upper().encode())
