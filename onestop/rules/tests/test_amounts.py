"""The money grammar: every accepted and refused form of an amount."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from onestop.rules.amounts import amount_from_number, parse_amount
from onestop.rules.values import RuleError


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("6500", "6500.00"),
        ("6500.3", "6500.30"),
        (" 6,500.30 ", "6500.30"),
        ("1,234,567.89", "1234567.89"),
        ("0", "0.00"),
        ("0.05", "0.05"),
        ("６，５００．３０", "6500.30"),  # full-width, as typed with a Chinese input method
        ("123", "123.00"),
        ("1,000", "1000.00"),
    ],
)
def test_accepted(text: str, amount: str) -> None:
    assert parse_amount(text) == Decimal(amount)
    assert str(parse_amount(text)) == amount


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "amount_empty"),
        ("   ", "amount_empty"),
        ("1,2,3,4", "amount_grouping"),
        ("12,34", "amount_grouping"),
        ("1,0000", "amount_grouping"),
        (",100", "amount_grouping"),
        ("1e3", "amount_exponent"),
        ("1E3", "amount_exponent"),
        ("-0", "amount_sign"),
        ("+5", "amount_sign"),
        ("−5", "amount_sign"),
        ("1_000", "amount_format"),
        ("6500.299", "amount_decimals"),
        (".5", "amount_format"),
        ("5.", "amount_format"),
        ("٦٥٠٠", "amount_format"),  # Arabic-Indic digits
        ("६५००", "amount_format"),  # Devanagari digits
        ("NaN", "amount_format"),
        ("Infinity", "amount_format"),
        ("0x10", "amount_format"),
        ("1 000", "amount_format"),
        ("9" * 40, "amount_format"),
        ("1" * 29, "amount_format"),  # within the length, beyond Decimal's 28 digits
        ("9" * 16, "amount_format"),
        ("9,999,999,999,999,999", "amount_format"),
    ],
)
def test_refused(text: str, code: str) -> None:
    with pytest.raises(RuleError) as refused:
        parse_amount(text)
    assert refused.value.code == code
    assert refused.value.zh and refused.value.en


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        (6500.299999999999, "6500.30"),
        (6500.3, "6500.30"),
        (6500, "6500.00"),
        (0.1 + 0.2, "0.30"),
        (Decimal("12.5"), "12.50"),
        (0.0, "0.00"),
    ],
)
def test_spreadsheet_numbers(value: float, amount: str) -> None:
    assert str(amount_from_number(value)) == amount


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (6500.2999, "amount_decimals"),
        (0.001, "amount_decimals"),
        (-1.0, "amount_sign"),
        (-0.0, "amount_sign"),
        (float("nan"), "amount_format"),
        (float("inf"), "amount_format"),
        (True, "amount_format"),
        (1e300, "amount_format"),
        (-1e300, "amount_format"),
    ],
)
def test_spreadsheet_numbers_refused(value: float, code: str) -> None:
    with pytest.raises(RuleError) as refused:
        amount_from_number(value)
    assert refused.value.code == code


@given(st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False))
def test_written_amounts_read_back(value: Decimal) -> None:
    assert parse_amount(f"{value:,.2f}") == value
    assert parse_amount(f"{value:.2f}") == value
    assert amount_from_number(float(value)) == value


def test_leading_zeros_do_not_count_as_digits() -> None:
    assert parse_amount("0" * 20 + "5.00") == Decimal("5.00")
    assert parse_amount("9" * 15) == Decimal("9" * 15)


@given(st.text(max_size=40))
@example("1,234.50")  # random text rarely reads as an amount: both outcomes run every time
@example("1.2.3")
@example("1" * 29)
def test_any_text_is_an_amount_or_a_rule_error(text: str) -> None:
    try:
        value = parse_amount(text)
    except RuleError:
        return
    assert value >= 0 and value == value.quantize(Decimal("0.01"))
