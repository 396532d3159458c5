"""Resident IDs and credit codes: validity per GB 11643 / GB 32100, places for information."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from onestop.rules.identifiers import (
    ALPHABET,
    AUTHORITIES,
    PlaceName,
    Sex,
    check_credit_code,
    check_mobile,
    check_resident_id,
    normalize_typed,
    place,
)

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
        ("11010519491231002Y", "format"),
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
    assert check_credit_code("A1110000600037341L").reason.code == "checksum"  # type: ignore[union-attr]
    assert check_credit_code("91110000600O37341L").reason.code == "format"  # type: ignore[union-attr]


def with_credit_check(body: str) -> str:
    from stdnum.cn import uscc

    return body + uscc.calc_check_digit(body)


@pytest.mark.parametrize("authority", list(AUTHORITIES))
def test_every_registration_authority_of_gb_32100_is_valid(authority: str) -> None:
    """GB 32100-2015 table 1 and amendments: 1-9, A (military), N (agriculture), Y (other)."""
    code = with_credit_check(f"{authority}1610113MA00000" + "12")
    result = check_credit_code(code)
    assert (result.valid, result.region_code, result.region) == (
        True,
        "610113",
        "陕西省西安市雁塔区",
    )


def test_letter_authorities_the_issue_names() -> None:
    for code in ("N2610113MF00000124", "Y1610113MA0000012L"):
        assert check_credit_code(code).valid, code


@pytest.mark.parametrize(
    ("body", "position", "zh_expected"),
    [
        ("B1610113MA0000012", 1, "登记管理部门代码"),  # not an authority
        ("Z1610113MA0000012", 1, "登记管理部门代码"),
        ("9A610113MA0000012", 2, "机构类别代码"),
        ("90610113MA0000012", 2, "机构类别代码"),
        ("91610A13MA0000012", 6, "行政区划代码"),
        ("91610113MA000I012", 14, "不含 I、O、S、V、Z"),
    ],
)
def test_a_credit_code_fault_names_the_character(
    body: str, position: int, zh_expected: str
) -> None:
    result = check_credit_code(body + "0")
    assert result.reason is not None and result.reason.code == "format"
    assert result.reason.zh.startswith(f"第{position}位“{body[position - 1]}”不允许")
    assert zh_expected in result.reason.zh
    assert result.reason.en.startswith(f"Character {position} ")


def test_the_last_credit_code_character_is_from_the_alphabet() -> None:
    result = check_credit_code("91610113MA0000012I")
    assert result.reason is not None and result.reason.zh.startswith("第18位“I”")
    assert set(ALPHABET) == set("0123456789ABCDEFGHJKLMNPQRTUWXY")


def test_full_width_forms_and_ideographic_spaces_are_normalised() -> None:
    """NFKC before checking: what a Chinese input method types is the same number."""
    typed = "１１０１０５\u3000１９４９１２３１\u3000００２ｘ"
    result = check_resident_id(typed, today=TODAY)
    assert (result.valid, result.normalized) == (True, "11010519491231002X")
    assert check_credit_code("９１１１００００６０００３７３４１Ｌ").valid
    assert check_credit_code("91110000-600037341L").valid
    assert normalize_typed(" １３８\u30000000\u30000001 ") == "13800000001"


def test_a_fault_left_after_normalising_is_named() -> None:
    """Not "the check character is wrong" for a letter O typed for a zero, or a short one."""
    letter_o = check_resident_id("１１０１０５１９４９１２３１Ｏ０２Ｘ", today=TODAY)
    assert letter_o.reason is not None
    assert letter_o.reason.zh == "第15位“O”不允许：应为数字。"
    assert letter_o.reason.en == "Character 15 ('O') is not allowed: a digit expected."
    short = check_resident_id("１１０１０５１９４９１２３１００２", today=TODAY)
    assert short.reason is not None and short.reason.zh == "长度应为18位（现为17位）。"


def test_a_place_is_named_by_its_current_or_last_known_name() -> None:
    """Not as of the birth year: Yanta's code dates from 1983, alice was born in 1974."""
    alice = with_check("61011319740515002")
    assert check_resident_id(alice, today=TODAY).region == "陕西省西安市雁塔区"
    lan = check_credit_code("92141127MA0KD1Y64A")
    assert (lan.valid, lan.region, lan.region_history) == (True, "山西省吕梁市岚县", ())
    assert place("120110") == PlaceName("天津市东丽区", ("-1991 东郊区", "1992- 东丽区"))
    assert place("419001") == PlaceName("河南省济源市", ("1986-1989 义马市", "1997- 济源市"))
    assert place("110103") == PlaceName("北京市崇文区", ("-2010 崇文区",))  # withdrawn
    assert place("110105") == PlaceName("北京市朝阳区")  # 市辖区 is not a place
    assert place("610000") == PlaceName("陕西省")
    assert place("610100") == PlaceName("陕西省西安市")
    assert place("610199") == PlaceName()  # the province is known, the code is not
    assert place("990000") == PlaceName()
    assert place("61011") == PlaceName() and place("61011X") == PlaceName()
    assert check_resident_id(with_check("12011019900101001"), today=TODAY).region_history == (
        "-1991 东郊区",
        "1992- 东丽区",
    )
    assert check_resident_id(alice, today=TODAY, with_place=False).region == ""


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("13800000001", "13800000001"),
        ("１３８\u3000０００００\u3000００１", "13800000001"),
        ("+86 138-0000-0001", "13800000001"),
        ("0086１３８００００００01", "13800000001"),
    ],
)
def test_mobile_numbers_as_typed(typed: str, normalized: str) -> None:
    assert check_mobile(typed) == (check_mobile(normalized)) and check_mobile(typed).valid
    assert check_mobile(typed).normalized == normalized


def test_a_mobile_number_fault_is_named() -> None:
    letter = check_mobile("1380000000l")
    assert letter.reason is not None and letter.reason.zh == "第11位“L”不允许：应为数字。"
    short = check_mobile("１３８０００００００")
    assert (
        short.reason is not None
        and short.reason.zh == "手机号码应为以1开头的11位数字（现为10位）。"
    )
    assert check_mobile("23800000001").reason is not None
