"""Resident identity numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015).

Source D9. The checks are python-stdnum's (``stdnum.cn.ric``, ``stdnum.cn.uscc``), split by
purpose: length, format, check character and birth date decide validity; the region code is
looked up only to name the place, because people keep their number when their region is
reorganised, so a valid number may carry a code that today's map no longer has.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, ValidationError


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
class ResidentIdCheck:
    valid: bool
    normalized: str
    birth_date: dt.date | None = None
    sex: Sex | None = None
    region_code: str = ""
    region: str = ""
    reason: Reason | None = None


@dataclass(frozen=True)
class CreditCodeCheck:
    valid: bool
    normalized: str
    region_code: str = ""
    region: str = ""
    reason: Reason | None = None


LENGTH = Reason("length", "长度应为18位。", "Must be 18 characters long.")
FORMAT = Reason("format", "含有不允许的字符。", "Contains characters that are not allowed.")
CHECKSUM = Reason("checksum", "校验位不正确。", "The check character is wrong.")
BIRTH_DATE = Reason("birth_date", "出生日期无效。", "The birth date is not a valid date.")
FUTURE_BIRTH = Reason(
    "birth_date_future", "出生日期晚于今天。", "The birth date is later than today."
)


def _place(region_code: str, year: int | None = None) -> str:
    """The place a region code names in stdnum's code list, or "" when it has none."""
    try:
        # ric.get_birth_place needs a full number only for the birth year it checks against.
        year_part = f"{year:04d}0101" if year else "19900101"
        info = ric.get_birth_place(region_code + year_part + "0000")
    except (ValidationError, ValueError):
        return ""
    parts: list[str] = []
    for part in ("province", "prefecture", "county"):
        name = info.get(part, "")
        if name and name not in parts:
            parts.append(name)
    return "".join(parts)


def check_resident_id(value: str, *, today: dt.date, with_place: bool = True) -> ResidentIdCheck:
    """Check an 18-character resident identity number; ``x`` is accepted as ``X``.

    ``today`` bounds the birth date (rules take no clock). ``with_place=False`` skips naming
    the region (the slow part), for bulk validation.
    """
    value = value or ""
    number = value.upper() if value.isalnum() else ric.compact(value)
    if len(number) != 18:
        return ResidentIdCheck(False, number, reason=LENGTH)
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return ResidentIdCheck(False, number, reason=FORMAT)
    if number[17] != ric.calc_check_digit(number):
        return ResidentIdCheck(False, number, reason=CHECKSUM)
    birth = _birth_date(number[6:14])
    if birth is None:
        return ResidentIdCheck(False, number, reason=BIRTH_DATE)
    if birth > today:
        return ResidentIdCheck(False, number, reason=FUTURE_BIRTH)
    sex = Sex.MALE if int(number[16]) % 2 == 1 else Sex.FEMALE
    return ResidentIdCheck(
        True,
        number,
        birth_date=birth,
        sex=sex,
        region_code=number[:6],
        region=_place(number[:6], birth.year) if with_place else "",
    )


@lru_cache(maxsize=65536)
def _birth_date(digits: str) -> dt.date | None:
    """The YYYYMMDD part as a date (stdnum's check), cached: many people share a birthday."""
    try:
        return ric.get_birth_date("000000" + digits + "0000")
    except ValidationError:
        return None


def check_credit_code(value: str) -> CreditCodeCheck:
    """Check an 18-character unified social credit code (weighted mod-31 check character)."""
    code = uscc.compact(value or "")
    if len(code) != 18:
        return CreditCodeCheck(False, code, reason=LENGTH)
    try:
        uscc.validate(code)
    except ValidationError as exc:
        reason = CHECKSUM if isinstance(exc, InvalidChecksum) else FORMAT
        return CreditCodeCheck(False, code, reason=reason)
    return CreditCodeCheck(True, code, region_code=code[2:8], region=_place(code[2:8]))
