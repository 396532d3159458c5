"""The declaration reader against hostile and odd files: every one is rows or FileRefused.

Each case is a file a new user or a hostile one sent in (issue 17); none may raise anything
but the reader's refusal, and memory stays bounded (the zip bomb is measured).
"""

from __future__ import annotations

import contextlib
import io
import tracemalloc
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from onestop.contributions import files

ID = "11010519491231002X"
HEADER = "公民身份号码,姓名,月工资"


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite(content: bytes, member: str, change: object) -> bytes:
    """The same XLSX with one member's bytes passed through ``change``."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == member:
                data = change(data)  # type: ignore[operator]
            target.writestr(info.filename, data)
    return out.getvalue()


def refusal(name: str, content: bytes) -> files.FileRefused:
    with pytest.raises(files.FileRefused) as refused:
        files.parse(name, content)
    assert refused.value.zh and refused.value.en
    return refused.value


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_any_newline_convention(newline: str) -> None:
    """Old-Mac CR-only files read like the others."""
    text = newline.join([HEADER, f"{ID},张三,6500", f"{ID},李四,7000.5", ""])
    rows = files.parse("wages.csv", text.encode())
    assert [(r.line, r.resident_id, r.wage) for r in rows] == [
        (2, ID, "6500"),
        (3, ID, "7000.5"),
    ]


def test_a_field_beyond_the_csv_module_limit_is_refused_by_row() -> None:
    """131,073 characters in one cell: a clear refusal naming the row, not a csv.Error."""
    content = f'{HEADER}\n{ID},张三,6500\n{ID},"{"x" * 131_073}",1\n'.encode()
    refused = refusal("wages.csv", content)
    assert refused.code == "cell_chars"
    assert refused.en.startswith("Row 3") and "256 characters" in refused.en


def test_a_long_cell_is_refused_with_row_and_column() -> None:
    content = f"{HEADER}\n{ID},{'名' * 300},6500\n".encode()
    refused = refusal("wages.csv", content)
    assert (refused.code, refused.en) == (
        "cell_chars",
        "Row 2, column 2 (B): the cell is longer than 256 characters.",
    )
    assert refused.zh.startswith("第2行第2列（B）")


def test_more_cells_than_the_header_is_refused() -> None:
    content = f"{HEADER}\n{ID},张三,6500\n{ID},张三,6500,9999\n".encode()
    refused = refusal("wages.csv", content)
    assert refused.code == "cells"
    assert refused.en == "Row 3, column 4 (D): the row has more cells than the header (3)."


def test_trailing_empty_cells_are_not_extra_cells() -> None:
    rows = files.parse("wages.csv", f"{HEADER},\n{ID},张三,6500,,\n".encode())
    assert [(r.resident_id, r.wage) for r in rows] == [(ID, "6500")]


def test_too_many_rows_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_ROWS", 3)
    content = (HEADER + "\n" + f"{ID},张三,1\n" * 4).encode()
    refused = refusal("wages.csv", content)
    assert (refused.code, refused.en) == ("rows", "Row 5: the file has more than 3 data rows.")


def test_a_file_above_the_size_limit_is_refused_before_reading() -> None:
    with pytest.raises(files.FileRefused) as refused:
        files.check_size(files.MAX_FILE_BYTES + 1)
    assert refused.value.code == "file_size" and "50 MB" in refused.value.en


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_chinese_encodings(encoding: str) -> None:
    rows = files.parse("wages.csv", f"{HEADER}\n{ID},张三,6500\n".encode(encoding))
    assert [(r.resident_id, r.wage) for r in rows] == [(ID, "6500")]


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (f"{HEADER}\n{ID},张三,6500\n".encode("utf-16"), "UTF-16"),
        (f"{HEADER}\n{ID},张三,6500\n".encode("utf-32"), "UTF-32"),
        (f"{HEADER}\n".encode() + b"\x00\x01\x02", "NUL byte"),
        (f"{HEADER}\n{ID},".encode() + b"\x81\x20\xff\xfe,1\n", "neither UTF-8 nor GBK"),
    ],
)
def test_other_encodings_are_refused_by_name(content: bytes, named: str) -> None:
    refused = refusal("wages.csv", content)
    assert refused.code == "encoding" and named in refused.en


def test_excel_float_is_taken_as_the_cents_it_displays() -> None:
    """6500.299999999999 is what Excel stores for 6500.3: accepted as 6500.30."""
    content = xlsx([[HEADER.split(",")[0], "姓名", "月工资"], [ID, "张三", 6500.299999999999]])
    rows = files.parse("wages.xlsx", content)
    assert [(r.resident_id, r.wage) for r in rows] == [(ID, "6500.30")]


def test_excel_float_far_from_cents_stays_refusable() -> None:
    content = xlsx([["公民身份号码", "姓名", "月工资"], [ID, "张三", 6500.2999]])
    assert [r.wage for r in files.parse("wages.xlsx", content)] == ["6500.2999"]


def test_xlsx_with_more_cells_than_the_header_is_refused() -> None:
    content = xlsx([["公民身份号码", "姓名", "月工资"], [ID, "张三", 6500, "x"]])
    refused = refusal("wages.xlsx", content)
    assert refused.code == "cells" and refused.en.startswith("Row 2, column 4 (D)")


def test_truncated_sheet_xml_is_refused() -> None:
    content = rewrite(
        xlsx([["公民身份号码", "姓名", "月工资"], *([[ID, "张三", 6500]] * 50)]),
        "xl/worksheets/sheet1.xml",
        lambda data: data[: len(data) // 2],
    )
    refused = refusal("wages.xlsx", content)
    assert refused.code == "xlsx_damaged"


def test_dtd_entities_are_refused() -> None:
    """A billion-laughs DTD in the sheet is refused before any XML is parsed."""
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    content = rewrite(
        xlsx([["公民身份号码", "姓名", "月工资"], [ID, "张三", 6500]]),
        "xl/worksheets/sheet1.xml",
        lambda data: bomb + data.split(b"?>", 1)[-1],
    )
    refused = refusal("wages.xlsx", content)
    assert refused.code == "xlsx_dtd" and "sheet1.xml" in refused.en


def zip_bomb(cell_bytes: int = 200 * 1024 * 1024) -> bytes:
    """An XLSX of about 200 KB whose shared strings hold one cell of ``cell_bytes``."""
    base = xlsx([["公民身份号码", "姓名", "月工资"], [ID, "张三", 6500]])
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                continue
            target.writestr(info.filename, source.read(info))
        target.writestr(
            "xl/worksheets/sheet1.xml",
            b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
            b'<c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
        )
        with target.open("xl/sharedStrings.xml", "w") as stream:
            stream.write(
                b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
            )
            chunk = b"A" * (1024 * 1024)
            for _ in range(cell_bytes // len(chunk)):
                stream.write(chunk)
            stream.write(b"</t></si></sst>")
    return out.getvalue()


def test_zip_bomb_is_refused_with_bounded_memory() -> None:
    """A ~200 KB XLSX holding a 200 MB cell: refused by ratio, peak memory a few MB."""
    content = zip_bomb()
    assert len(content) < 400 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(files.FileRefused) as refused:
            files.parse("wages.xlsx", content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.code == "xlsx_ratio"
    assert "sharedStrings.xml" in refused.value.en
    print(f"zip bomb: {len(content):,} bytes, peak traced memory {peak:,} bytes")
    assert peak < 8 * 1024 * 1024


def test_a_large_member_is_refused_by_its_uncompressed_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(files, "MAX_XLSX_STRINGS_BYTES", 2 * files.MIB)
    monkeypatch.setattr(files, "MAX_XLSX_RATIO", 10_000)
    refused = refusal("wages.xlsx", zip_bomb(3 * files.MIB))
    assert refused.code == "xlsx_size" and "larger than 2 MB" in refused.en


def test_a_member_larger_than_it_claims_is_refused() -> None:
    """The sizes in the zip directory are a claim: reading stops at the stated size."""
    content = xlsx([["公民身份号码", "姓名", "月工资"], [ID, "张三", 6500]])
    # Lower the stated uncompressed size of the sheet in both headers.
    archive = zipfile.ZipFile(io.BytesIO(content))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    stated = info.file_size.to_bytes(4, "little")
    forged = content.replace(stated, (10).to_bytes(4, "little"))
    refusal("wages.xlsx", forged)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.text(max_size=20),
                st.sampled_from([ID, "6500", "1,2,3,4", "1e3", "-0", '"', "\r", "\n", ","]),
            ),
            max_size=6,
        ),
        max_size=8,
    ),
    st.sampled_from(["utf-8", "gb18030", "utf-16"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_fuzz_csv_reader(table: list[list[str]], encoding: str, newline: str) -> None:
    """Any table, encoding and newline: rows or the reader's refusal, never another error."""
    text = newline.join([HEADER] + [",".join(row) for row in table])
    try:
        content = text.encode(encoding, errors="replace")
    except UnicodeEncodeError:  # pragma: no cover - errors="replace"
        return
    try:
        rows = files.parse("wages.csv", content)
    except files.FileRefused:
        return
    assert all(len(r.resident_id) <= files.MAX_CELL_CHARS for r in rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.integers(min_value=0, max_value=4000))
def test_fuzz_xlsx_reader(noise: bytes, at: int) -> None:
    """A real XLSX with bytes overwritten anywhere: rows or the reader's refusal."""
    content = bytearray(xlsx([["公民身份号码", "姓名", "月工资"], [ID, "张三", 6500]]))
    at = min(at, len(content))
    content[at : at + len(noise)] = noise
    with contextlib.suppress(files.FileRefused):
        files.parse("wages.xlsx", bytes(content))


@pytest.mark.parametrize(
    ("text", "formula"),
    [
        ("=HYPERLINK(1)", True),
        ("＝1+1", True),  # full-width, NFKC
        ("－5", True),
        ("＠SUM(A1)", True),
        ("  'zz", False),
        (" \u3000=1", True),  # leading spaces (the ideographic one too) dropped
        ("'+1", True),
        ("\t1", True),
        ("\r1", True),
        ("张三", False),
        ("a=1", False),
        ("9-1", False),
        ("Ａ=1", False),  # full-width letter: the slow path
        ("", False),
    ],
)
def test_the_formula_guard_s_fast_path_refuses_what_the_full_check_does(
    text: str, formula: bool
) -> None:
    from onestop.contributions.services import starts_like_formula

    assert starts_like_formula(text) is formula


def test_no_ascii_letter_digit_or_cjk_ideograph_normalises_into_a_formula_start() -> None:
    """The fast path's premise, over every character it lets through."""
    import unicodedata

    from onestop.contributions.services import FORMULA_START

    starts = [chr(c) for c in range(0x30, 0x7B) if chr(c).isalnum()]
    starts += [chr(c) for c in range(0x4E00, 0xA000)]
    for first in starts:
        for text in (first, first + "\u0301=1"):
            normal = unicodedata.normalize("NFKC", text)
            assert normal[0] == first or not normal.startswith(FORMULA_START)
            assert not normal[0].isspace() and normal[0] != "'"
