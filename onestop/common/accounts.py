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


#: A bank card number (ISO/IEC 7812): 16 to 19 digits; UnionPay's, the cards pensions and
#: benefits are paid to, start with 62 and end in a Luhn check digit. Other account numbers
#: (passbooks) carry none and are not checked that way.
CARD_DIGITS = (16, 19)


def bank_card_check_digit_wrong(account: str) -> bool:
    """Whether ``account`` (normalized) is a UnionPay card number whose Luhn check digit is
    wrong (python-stdnum's ``luhn``): a typing error the person can see and correct."""
    from stdnum import luhn

    low, high = CARD_DIGITS
    card = account.isascii() and account.isdigit() and low <= len(account) <= high
    return card and account.startswith("62") and not luhn.is_valid(account)
