"""Masking of identifiers for display: enough to recognise, not enough to reuse."""

from __future__ import annotations

import re


def mask_resident_id(value: str) -> str:
    """``610113199001011234`` -> ``6101**********1234``."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


#: What people put between the digits of an ID they copy into free text: spaces (also
#: no-break and ideographic), hyphens and dashes, zero-width characters; at most two at a
#: place, so a run of digits with a separator now and then still reads as one ID.
_SEPARATOR = "[ \\t\u00a0\u3000\\-\u2010-\u2015\u200b-\u200d\u2060\ufeff]{0,2}"

#: A resident ID written in free text: GB 11643's 18 characters (17 digits and a check
#: character) or the old 15 digits, with or without separators, next to letters or not
#: ("ID610113...") but not inside a longer run of digits. Masking more than an ID (a
#: 15-digit number that is no ID) is the safe side.
RESIDENT_ID_IN_TEXT = re.compile(
    "(?<![0-9])(?:[0-9]" + _SEPARATOR + "){16}[0-9][0-9Xx](?![0-9])"
    "|(?<![0-9])(?:[0-9]" + _SEPARATOR + "){14}[0-9](?![0-9])"
)
_SEPARATORS = re.compile(_SEPARATOR.replace("{0,2}", "+"))


def mask_resident_ids_in(text: str) -> str:
    """Every resident ID written in ``text`` (a note, a correction line) masked as
    ``mask_resident_id`` masks it, its separators dropped; the rest of the text as it is."""
    return RESIDENT_ID_IN_TEXT.sub(
        lambda m: mask_resident_id(_SEPARATORS.sub("", m.group(0))), text
    )


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
