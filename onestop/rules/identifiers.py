"""Resident identity numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015).

Source D9. What is typed or uploaded is first normalised (``normalize_typed``: Unicode NFKC,
so full-width digits and letters and the ideographic space count as their ASCII forms; then
spaces and hyphens dropped, upper case); a fault that remains is named (which character,
where). Length, format, check character and birth date decide validity; the region code is
looked up only to name the place, because people keep their number when their region is
reorganised, so a valid number may carry a code that today's map no longer has. A place is
named by its code's current name, or its last known one when the code was withdrawn, with
the earlier names where it changed (python-stdnum's table of GB/T 2260 codes with years).

Resident IDs use python-stdnum's check digit and birth date; credit codes use its
alphabet and check character but follow GB 32100-2015 for the structure, which stdnum reads
more strictly than the standard (it wants the first eight characters to be digits, while the
registration authority code may be a letter: A, N, Y).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class Reason:
    """Why a value is invalid, in Chinese and English."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class PlaceName:
    """A region code's name: the current one (or the last known), and every dated name it
    had, oldest first (``("-1991 东郊区", "1992- 东丽区")``) when it changed or was withdrawn."""

    name: str = ""
    history: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResidentIdCheck:
    valid: bool
    normalized: str
    birth_date: dt.date | None = None
    sex: Sex | None = None
    region_code: str = ""
    region: str = ""
    reason: Reason | None = None
    region_history: tuple[str, ...] = ()


@dataclass(frozen=True)
class CreditCodeCheck:
    valid: bool
    normalized: str
    region_code: str = ""
    region: str = ""
    reason: Reason | None = None
    region_history: tuple[str, ...] = ()


@dataclass(frozen=True)
class MobileCheck:
    valid: bool
    normalized: str
    reason: Reason | None = None


LENGTH = Reason("length", "长度应为18位。", "Must be 18 characters long.")
FORMAT = Reason("format", "含有不允许的字符。", "Contains characters that are not allowed.")
CHECKSUM = Reason("checksum", "校验位不正确。", "The check character is wrong.")
BIRTH_DATE = Reason("birth_date", "出生日期无效。", "The birth date is not a valid date.")
FUTURE_BIRTH = Reason(
    "birth_date_future", "出生日期晚于今天。", "The birth date is later than today."
)

#: GB 32100-2015 table 1 and its amendments: the registration authority (登记管理部门) codes,
#: the first character of a credit code. 1 organisation establishment, 2 foreign affairs,
#: 3 justice, 4 culture, 5 civil affairs, 6 tourism, 7 religion, 8 trade unions, 9 market
#: regulation (industry and commerce), A the Central Military Commission's establishment
#: office, N agriculture and rural affairs (rural collective economic organisations), Y other.
AUTHORITIES = "123456789ANY"
#: The characters of a credit code (GB 32100-2015 5.1; as stdnum's): digits and capitals
#: without I, O, S, V and Z.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def normalize_typed(value: str) -> str:
    """What a person typed or uploaded, as the standard writes it: NFKC (full-width digits,
    letters and the ideographic space become ASCII), without spaces and hyphens, upper case."""
    if value and value.isascii() and value.isalnum():
        # Already as the standard writes it but for the case (NFKC leaves ASCII alone): the
        # common case of a file's million rows, without a pass per character.
        return value.upper()
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(c for c in text if not c.isspace() and c != "-").upper()


def _length(value: str) -> Reason:
    return Reason(
        "length",
        f"长度应为18位（现为{len(value)}位）。",
        f"Must be 18 characters long (this is {len(value)}).",
    )


def _bad_character(position: int, character: str, zh_expected: str, en_expected: str) -> Reason:
    return Reason(
        "format",
        f"第{position}位“{character}”不允许：应为{zh_expected}。",
        f"Character {position} ({character!r}) is not allowed: {en_expected} expected.",
    )


def _names(code: str) -> list[tuple[str, str, str]]:
    """The dated names of one six-digit code in stdnum's table: (from, until, name), years
    as text ("" when open)."""
    found: dict[str, str] = {}
    for _, props in numdb.get("cn/loc").info(code):
        found.update(props)
    names: list[tuple[str, str, str]] = []
    for entry in filter(None, found.get("county", "").split(",")):
        if entry.startswith("["):
            span, name = entry[1:].split("]", 1)
            start, end = span.split("-")
            names.append((start, end, name))
        else:
            names.append(("", "", entry))
    return names


def _current(names: list[tuple[str, str, str]]) -> tuple[str, str, str] | None:
    """The name in use (no end year; the latest to start), else the last to end."""
    if not names:
        return None
    return max(names, key=lambda n: (n[1] == "", n[1], n[0]))


#: Names of a prefecture-level code that are groupings, not places (市辖区: a city's
#: districts; 县: a municipality's counties; 省直辖县级行政单位: counties under the province).
_GROUPINGS = ("市辖区", "县", "省直辖县级行政区划", "省直辖县级行政单位", "自治区直辖县级行政区划")


@lru_cache(maxsize=8192)
def place(code: str) -> PlaceName:
    """The name of a six-digit GB/T 2260 code: province, prefecture and county as named
    today, or as last named when the code was withdrawn; its dated names when it changed.
    An unknown code gives ``PlaceName()``."""
    if len(code) != 6 or not code.isdigit():
        return PlaceName()
    own = _names(code)
    current = _current(own)
    if current is None:
        return PlaceName()
    parts = []
    for level in (code[:2] + "0000", code[:4] + "00"):
        upper = _current(_names(level)) if level != code else None
        if upper is not None and upper[2] not in _GROUPINGS and upper[2] not in parts:
            parts.append(upper[2])
    parts.append(current[2])
    changed = len(own) > 1 or current[1] != ""
    history = tuple(f"{start}-{end} {name}" for start, end, name in own) if changed else ()
    return PlaceName("".join(parts), history)


def check_resident_id(value: str, *, today: dt.date, with_place: bool = True) -> ResidentIdCheck:
    """Check an 18-character resident identity number (GB 11643-1999), as typed: normalised
    first (``normalize_typed``), ``x`` read as ``X``.

    ``today`` bounds the birth date (rules take no clock). ``with_place=False`` skips naming
    the region (the slow part), for bulk validation.
    """
    number = normalize_typed(value)
    if len(number) != 18:
        return ResidentIdCheck(False, number, reason=_length(number))
    # ASCII and upper case after normalising: 17 digits need no look per character.
    body_ok = number[:17].isdigit() and number[:17].isascii()
    for position, character in enumerate("" if body_ok else number[:17], start=1):
        if not ("0" <= character <= "9"):
            reason = _bad_character(position, character, "数字", "a digit")
            return ResidentIdCheck(False, number, reason=reason)
    if not ("0" <= number[17] <= "9" or number[17] == "X"):
        reason = _bad_character(18, number[17], "数字或 X", "a digit or X")
        return ResidentIdCheck(False, number, reason=reason)
    if number[17] != ric.calc_check_digit(number):
        return ResidentIdCheck(False, number, reason=CHECKSUM)
    birth = _birth_date(number[6:14])
    if birth is None:
        return ResidentIdCheck(False, number, reason=BIRTH_DATE)
    if birth > today:
        return ResidentIdCheck(False, number, reason=FUTURE_BIRTH)
    sex = Sex.MALE if int(number[16]) % 2 == 1 else Sex.FEMALE
    named = place(number[:6]) if with_place else PlaceName()
    return ResidentIdCheck(
        True,
        number,
        birth_date=birth,
        sex=sex,
        region_code=number[:6],
        region=named.name,
        region_history=named.history,
    )


@lru_cache(maxsize=65536)
def _birth_date(digits: str) -> dt.date | None:
    """The YYYYMMDD part as a date (stdnum's check), cached: many people share a birthday."""
    try:
        return ric.get_birth_date("000000" + digits + "0000")
    except ValidationError:
        return None


_AUTHORITY = (AUTHORITIES, "登记管理部门代码（1-9、A、N、Y）", "a registration authority code")
_CATEGORY = ("123456789", "机构类别代码（数字）", "an organisation category digit")
_DIVISION = ("0123456789", "行政区划代码（数字）", "a division code digit")
_ANY = (ALPHABET, "数字或大写字母（不含 I、O、S、V、Z）", "a digit or a capital but I, O, S, V, Z")
#: What each of the 18 positions may hold (GB 32100-2015 4 and 5.1).
_CREDIT_CODE_POSITIONS = (_AUTHORITY, _CATEGORY, *[_DIVISION] * 6, *[_ANY] * 10)


def check_credit_code(value: str) -> CreditCodeCheck:
    """Check an 18-character unified social credit code per GB 32100-2015, as typed
    (normalised first): 1 the registration authority (``AUTHORITIES``), 2 the category (a
    digit), 3-8 the division code (digits), 9-17 the organisation code and 18 the weighted
    mod-31 check character, all in the code's alphabet (digits and capitals but I, O, S, V,
    Z)."""
    code = normalize_typed(value)
    if len(code) != 18:
        return CreditCodeCheck(False, code, reason=_length(code))
    for position, character in enumerate(code, start=1):
        allowed, zh, en = _CREDIT_CODE_POSITIONS[position - 1]
        if character not in allowed:
            reason = _bad_character(position, character, zh, en)
            return CreditCodeCheck(False, code, reason=reason)
    if code[17] != uscc.calc_check_digit(code):
        return CreditCodeCheck(False, code, reason=CHECKSUM)
    named = place(code[2:8])
    return CreditCodeCheck(
        True, code, region_code=code[2:8], region=named.name, region_history=named.history
    )


def check_mobile(value: str) -> MobileCheck:
    """A mainland mobile number as typed: normalised (``normalize_typed``), a ``+86`` or
    ``0086`` prefix dropped; valid with 11 digits starting with 1 (the numbering plan of
    the Ministry of Industry and Information Technology)."""
    number = normalize_typed(value)
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix) :]
            break
    for position, character in enumerate(number, start=1):
        if not ("0" <= character <= "9"):
            reason = _bad_character(position, character, "数字", "a digit")
            return MobileCheck(False, number, reason)
    if len(number) != 11 or number[0] != "1":
        return MobileCheck(
            False,
            number,
            Reason(
                "length",
                f"手机号码应为以1开头的11位数字（现为{len(number)}位）。",
                f"A mobile number has 11 digits and starts with 1 (this has {len(number)}).",
            ),
        )
    return MobileCheck(True, number)
