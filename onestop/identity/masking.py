"""Masking of identifiers for display: enough to recognise, not enough to reuse."""

from __future__ import annotations

import re


def mask_resident_id(value: str) -> str:
    """``610113199001011234`` -> ``6101**********1234``."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


#: A resident ID (GB 11643: 17 digits and a check character) standing alone in free text.
RESIDENT_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def mask_resident_ids_in(text: str) -> str:
    """Every resident ID written in ``text`` (a note, a correction line) masked as
    ``mask_resident_id`` masks it; the rest of the text as it is."""
    return RESIDENT_ID_IN_TEXT.sub(lambda m: mask_resident_id(m.group(0)), text)


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
    """``6222020200112233446`` -> ``**************3446``: the last four digits only."""
    value = "".join(str(value or "").split())
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]
