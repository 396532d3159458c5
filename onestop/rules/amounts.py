"""The one grammar of an amount of money a person types or a file carries.

After Unicode NFKC (so full-width ``６，５００．３０`` reads as ``6,500.30``) and trimming
spaces, an amount is ASCII digits, optionally grouped by thousands with commas (every group
after the first exactly three digits), and at most two decimals after a point::

    6500    6500.3    6,500.30    1,234,567.89

Refused, each with its reason: an empty value, a sign (``-0``, ``+5``), an exponent
(``1e3``), underscores (``1_000``), commas anywhere but between groups of three (``1,2,3,4``,
``12,34``), more than two decimals, a bare point (``.5``, ``5.``), digits of other scripts
(``٦٥٠٠``), anything else. An XLSX numeric cell is a binary float: it is taken as the
two-decimal value it is within ``1e-6`` of (what Excel displays; ``6500.299999999999`` is
6500.30) and refused otherwise.

Sources: GB/T 15835-2011 (numbers in publications: groups of three); the declaration rules
in pension-rules.md (wages in yuan, to the fen).
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from onestop.rules.values import CENT, RuleError

#: ASCII digits only: ``\d`` would match every script's digits.
_AMOUNT = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?$")
#: How far a spreadsheet's float may sit from the two-decimal value it displays.
FLOAT_TOLERANCE = Decimal("0.000001")
#: Longest text looked at: 15 digits, separators and decimals; longer is no amount.
MAX_CHARS = 32
#: Digits before the point of the largest amount looked at (far above any wage), typed or
#: from a spreadsheet's number.
MAX_DIGITS = 15


def _refuse(text: str, zh: str, en: str, code: str) -> RuleError:
    shown = text if len(text) <= MAX_CHARS else text[:MAX_CHARS] + "…"
    return RuleError(
        f"金额“{shown}”无效：{zh}", f"The amount {shown!r} is not valid: {en}", code=code
    )


def parse_amount(text: str) -> Decimal:
    """The amount ``text`` states, as a Decimal with two places; RuleError otherwise.

    Codes: ``amount_empty``, ``amount_sign``, ``amount_exponent``, ``amount_decimals``,
    ``amount_grouping``, ``amount_format``.
    """
    value = unicodedata.normalize("NFKC", text).strip()
    if not value:
        raise _refuse(value, "为空。", "it is empty.", "amount_empty")
    if len(value) > MAX_CHARS:
        raise _refuse(value, "过长。", "it is too long.", "amount_format")
    match = _AMOUNT.match(value)
    if match is None:
        if value[0] in "+-−":
            raise _refuse(value, "不能带正负号。", "it must not carry a sign.", "amount_sign")
        if "e" in value.lower() and any(c.isdigit() for c in value):
            raise _refuse(
                value, "不能使用科学计数法。", "it must not use an exponent.", "amount_exponent"
            )
        if "," in value:
            raise _refuse(
                value,
                "千位分隔符只能每三位一组。",
                "thousands separators must group three digits.",
                "amount_grouping",
            )
        raise _refuse(
            value,
            "应为数字，可带千位分隔符和至多两位小数。",
            "write digits, optionally with thousands separators and at most two decimals.",
            "amount_format",
        )
    decimals = match.group(1)
    if decimals is not None and len(decimals) > 2:
        raise _refuse(value, "最多两位小数。", "it has more than two decimals.", "amount_decimals")
    digits = value.split(".")[0].replace(",", "").lstrip("0")
    if len(digits) > MAX_DIGITS:
        raise _refuse(value, "过大。", "it is too large.", "amount_format")
    return Decimal(value.replace(",", "")).quantize(CENT)


def amount_from_number(value: float | int | Decimal) -> Decimal:
    """A spreadsheet's numeric cell as an amount: the two-decimal value within 1e-6, or
    RuleError (``amount_decimals``, ``amount_sign``, ``amount_format``)."""
    if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
        raise _refuse(str(value), "不是数字。", "it is not a number.", "amount_format")
    exact = Decimal(value)
    if exact.adjusted() >= MAX_DIGITS:
        raise _refuse(str(value), "过大。", "it is too large.", "amount_format")
    if exact < 0 or (exact == 0 and str(value).startswith("-")):
        raise _refuse(str(value), "不能为负数。", "it must not be negative.", "amount_sign")
    rounded = exact.quantize(CENT, rounding=ROUND_HALF_UP)
    if abs(exact - rounded) > FLOAT_TOLERANCE:
        raise _refuse(
            repr(value), "最多两位小数。", "it has more than two decimals.", "amount_decimals"
        )
    return rounded
