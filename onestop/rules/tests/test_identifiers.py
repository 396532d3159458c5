"""Resident IDs and credit codes: validity per GB 11643 / GB 32100, places for information."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from onestop.rules.identifiers import Sex, check_credit_code, check_resident_id

TODAY = dt.date(2026, 11, 23)


def with_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def test_valid_id_gives_birth_date_sex_and_place() -> None:
    result = check_resident_id("11010519491231002X", today=TODAY)
    assert result.valid
    assert result.birth_date == dt.date(1949, 12, 31)
    assert result.sex is Sex.FEMALE
    assert result.region_code == "110105"
    assert result.region == "北京市朝阳区"


def test_lower_case_x_is_normalised() -> None:
    result = check_resident_id(" 11010519491231002x ", today=TODAY)
    assert result.valid
    assert result.normalized == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1101051949123100", "length"),
        ("11010519491231002XX", "length"),
        ("1101051949123100AX", "format"),
        ("110105194912310021", "checksum"),
        (with_check("11010519490231002"), "birth_date"),
        (with_check("11010520300101001"), "birth_date_future"),
        ("", "length"),
    ],
)
def test_invalid_ids_say_why(value: str, code: str) -> None:
    result = check_resident_id(value, today=TODAY)
    assert not result.valid
    assert result.reason is not None
    assert result.reason.code == code
    assert result.reason.zh and result.reason.en


def test_region_code_missing_from_todays_map_is_still_valid() -> None:
    """People keep their number when their region is reorganised (pension-rules D9)."""
    number = with_check("99999919900101001")
    result = check_resident_id(number, today=TODAY)
    assert result.valid
    assert result.region == ""
    assert result.sex is Sex.MALE


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    st.integers(min_value=0, max_value=999),
)
def test_generated_ids_are_valid_and_sex_follows_the_17th_digit(birth: dt.date, seq: int) -> None:
    number = with_check(f"610113{birth:%Y%m%d}{seq:03d}")
    result = check_resident_id(number, today=TODAY)
    assert result.valid
    assert result.birth_date == birth
    assert result.sex is (Sex.MALE if seq % 2 else Sex.FEMALE)


def test_credit_codes() -> None:
    good = check_credit_code("91110000600037341L")
    assert good.valid and good.region_code == "110000"
    assert check_credit_code("91110000600037341l").normalized == "91110000600037341L"
    assert check_credit_code("91110000600037341M").reason.code == "checksum"  # type: ignore[union-attr]
    assert check_credit_code("9111000060003734").reason.code == "length"  # type: ignore[union-attr]
    assert check_credit_code("A1110000600037341L").reason.code == "format"  # type: ignore[union-attr]
    assert check_credit_code("91110000600O37341L").reason.code == "format"  # type: ignore[union-attr]
