"""Bank account numbers as people type them: "6222 0202 0011 2233 445" or "6222-0202-…",
as printed on the card, in full-width digits from a Chinese input method. Every check and
the blind index read the normalized number, so the same account typed two ways is one."""

from __future__ import annotations

import re
import unicodedata

#: What separates a card number's groups as printed or typed: any space, any dash.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\ufe63\uff0d]+")


def bank_account_normalized(value: object) -> str:
    """The account's characters without separators, full-width digits as ASCII (NFKC);
    anything else stays, for the checks to refuse."""
    text = unicodedata.normalize("NFKC", str(value if value is not None else ""))
    return _SEPARATORS.sub("", text)


def bank_account_repeated(account: str) -> bool:
    """Whether the number is one digit repeated ("000000000000"): a placeholder, no account."""
    return len(account) > 1 and len(set(account)) == 1
