"""Masking of identifiers for display: enough to recognise, not enough to reuse."""

from __future__ import annotations


def mask_resident_id(value: str) -> str:
    """``610113199001011234`` -> ``6101**********1234``."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """``13812345678`` -> ``138****5678``."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """``张三丰`` -> ``张**``: the family name stays, the given name is hidden."""
    if len(value) <= 1:
        return value
    return value[0] + "*" * (len(value) - 1)


def mask_bank_account(value: str) -> str:
    """``6222020200112233445`` -> ``**************3445``: the last four digits only."""
    value = "".join(str(value or "").split())
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]
