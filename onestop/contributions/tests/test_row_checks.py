"""The row checks' short path (an employee's ID as typed, a wage already parsed) decides
every row as the full checks do: same rows passed, same reasons, same IDs listed."""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric

from onestop.contributions.services import (
    DeclaredRow,
    _check_rows,
    _CheckState,
    _masked,
    _typed_indexes,
)
from onestop.identity import crypto
from onestop.identity.auth import resident_id_index
from onestop.identity.masking import mask_resident_id

TODAY = dt.date(2026, 11, 15)


def an_id(serial: int, *, sex_odd: bool = True) -> str:
    body = f"61011319900101{serial:02d}{1 if sex_odd else 2}"
    return body + ric.calc_check_digit(body + "0")


def with_x() -> str:
    """An ID whose check character is X, written in lower case."""
    for serial in range(100):
        number = an_id(serial)
        if number.endswith("X"):
            return number.lower()
    raise AssertionError("no ID with X")


def test_many_blind_indexes_are_the_single_ones() -> None:
    values = [an_id(i) for i in range(5)] + ["", "ß"]
    assert crypto.blind_indexes(purpose="resident_id")(values) == [
        crypto.blind_index(v, purpose="resident_id") for v in values
    ]


def test_the_short_mask_is_the_mask() -> None:
    for value in [an_id(1), with_x(), " " + an_id(2)[:17], an_id(3)[:15], "ß" * 18, "abc"]:
        assert _masked(value) == mask_resident_id(value.strip().upper()), value


def test_the_short_path_decides_as_the_full_checks() -> None:
    employee_ids = [an_id(i) for i in range(1, 8)] + [with_x().upper()]
    employees = {resident_id_index(number): 100 + i for i, number in enumerate(employee_ids)}
    stranger = an_id(40)  # valid, no employee
    valid = an_id(41)
    wrong = valid[:17] + ("1" if valid[17] == "0" else "0")  # a wrong check character
    rows = [
        DeclaredRow(2, employee_ids[0], "5000.00"),
        DeclaredRow(3, employee_ids[1], "5000.00"),  # the wage parsed once, then reused
        DeclaredRow(4, employee_ids[0], "6000.00"),  # a duplicate
        DeclaredRow(5, with_x(), "5000.00"),  # lower-case x: the same person
        DeclaredRow(6, employee_ids[2], "=1+1"),  # a formula wage
        DeclaredRow(7, employee_ids[3], "5000.00", name="=HYPERLINK(1)"),
        DeclaredRow(8, employee_ids[4], "5000.00", formula_column="备注"),
        DeclaredRow(9, f" {employee_ids[5]} ", " 5000.00 "),  # spaces around both
        DeclaredRow(10, employee_ids[6], "abc"),  # refused wage: the person still listed
        DeclaredRow(11, stranger, "5000.00"),  # not an employee: the full check
        DeclaredRow(12, wrong, "5000.00"),
        DeclaredRow(13, "", "5000.00"),
        DeclaredRow(14, employee_ids[6], "7000.00"),  # after its refused row: passes
    ]
    short, full = _CheckState(), _CheckState()
    short_result = _check_rows(rows, TODAY, employees, short)
    # No index as typed: every row takes the full checks.
    full_result = _check_rows(rows, TODAY, employees, full, [None] * len(rows))
    assert short_result == full_result
    good, errors = short_result
    assert [(row.line, person) for row, _, _, person in good] == [
        (2, 100),
        (3, 101),
        (5, 107),
        (7, 103),
        (8, 104),
        (9, 105),
        (11, None),
        (14, 106),
    ]
    assert [(e.line, e.reason) for e in errors] == [
        (4, "duplicate"),
        (6, "formula"),
        (7, "formula"),
        (8, "formula"),
        (10, "amount_format"),
        (12, "resident_id"),
        (13, "resident_id"),
    ]
    for index in [*employees, resident_id_index(stranger)]:
        assert index in short.listed and index in full.listed
    assert resident_id_index(wrong) not in short.listed
    assert _typed_indexes(rows)[7] is None  # spaces around the ID: not as typed
