"""Declaration files: one reader for CSV and XLSX, template and error report out.

The reader is a boundary: whatever the file, it answers rows or :class:`FileRefused`
(HTTP 422) with a bilingual message naming the row and column, and its memory stays bounded
by the limits below, checked before anything is parsed where they can be:

============================  ==========================================  ===================
limit                         value                                       refusal code
============================  ==========================================  ===================
file size                     :data:`MAX_FILE_BYTES` (50 MiB)             ``file_size``
data rows                     :data:`MAX_ROWS` (2,000,000; XLSX holds     ``rows``
                              1,048,575 at most)
header cells                  :data:`MAX_COLUMNS` (32)                    ``columns``
cells in a row                no more non-empty cells than the header     ``cells``
characters in a cell          :data:`MAX_CELL_CHARS` (256)                ``cell_chars``
CSV encoding                  UTF-8 (with or without BOM), GBK/GB18030    ``encoding``
CSV line endings              LF, CRLF or CR alone (old Mac)              --
XLSX members                  :data:`MAX_XLSX_MEMBERS` (500)              ``xlsx_members``
XLSX uncompressed, a member   :data:`MAX_XLSX_MEMBER_BYTES` (192 MiB);    ``xlsx_size``
                              shared strings :data:`MAX_XLSX_STRINGS_...
XLSX uncompressed, in all     :data:`MAX_XLSX_TOTAL_BYTES` (320 MiB)      ``xlsx_size``
XLSX compression ratio        :data:`MAX_XLSX_RATIO` (100:1) per member   ``xlsx_ratio``
                              above 1 MiB (a zip bomb)
XLSX DTDs / entities          none (XML bombs, external entities)         ``xlsx_dtd``
XLSX XML                      well-formed to the end                      ``xlsx_damaged``
============================  ==========================================  ===================

Columns beyond the resident ID and wage (a name, remarks, any header) are read only to
refuse formulas: an XLSX formula cell in any column (a formula, an array or data-table
formula), or a text cell of any column but the ID's and wage's that starts with =, +, -, @,
a tab or a carriage return once NFKC-normalised and leading spaces and quotes dropped,
refuses its row naming the column (``services``); a header cell like it refuses the file.
The ID and wage columns keep their own checks (a wage of "-5" is a wage error). What goes out
(the template, the error report) starts no cell with a formula character.

Amounts in the wage column follow :mod:`onestop.rules.amounts`; a numeric XLSX cell is taken
as the two-decimal value it is within 1e-6 of (what Excel displays).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from onestop.common.errors import ServiceError
from onestop.contributions.services import (
    FORMULA_START,
    DeclaredRow,
    RowError,
    starts_like_formula,
)
from onestop.rules.amounts import amount_from_number
from onestop.rules.values import RuleError

MIB = 1024 * 1024
MAX_FILE_BYTES = 50 * MIB
MAX_ROWS = 2_000_000
MAX_COLUMNS = 32
MAX_CELL_CHARS = 256
MAX_XLSX_MEMBERS = 500
MAX_XLSX_MEMBER_BYTES = 192 * MIB
MAX_XLSX_STRINGS_BYTES = 128 * MIB  # xl/sharedStrings.xml, which openpyxl holds in memory
MAX_XLSX_TOTAL_BYTES = 320 * MIB
MAX_XLSX_RATIO = 100
XLSX_RATIO_FROM = 1 * MIB  # small members (styles, content types) compress unevenly
MAX_BYTES = MAX_FILE_BYTES  # the name earlier callers know
#: A JSON declaration through the API: 64 bytes of envelope and 80 a row
#: (``{"resident_id": "61011319660115002X", "wage": "10000000.00"},`` is 62).
MAX_JSON_BYTES = 64 * 1024 + 80 * MAX_ROWS

HEADERS = {
    "resident_id": ("公民身份号码", "身份证号", "resident_id", "resident id"),
    "wage": ("月工资", "工资", "wage", "monthly wage"),
}
#: The name column(s), optional: read only to refuse a formula in them (services).
NAME_HEADERS = ("姓名", "name")

TEMPLATE_HEADER = ["公民身份号码 resident_id", "姓名 name", "月工资 wage"]
_CHUNK = 64 * 1024
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


class FileRefused(ServiceError):
    status = 422
    code = "file"


def _place(row: int, column: int | None = None) -> tuple[str, str]:
    if column is None:
        return f"第{row}行", f"row {row}"
    letter = get_column_letter(column)
    return f"第{row}行第{column}列（{letter}）", f"row {row}, column {column} ({letter})"


def _refuse_at(row: int, column: int | None, zh: str, en: str, code: str) -> FileRefused:
    where_zh, where_en = _place(row, column)
    return FileRefused(f"{where_zh}：{zh}", f"{where_en[0].upper()}{where_en[1:]}: {en}", code=code)


def check_size(size: int | None) -> None:
    """Refuse a file above :data:`MAX_FILE_BYTES` before reading it."""
    if size is None or size > MAX_FILE_BYTES:
        raise FileRefused(
            f"文件超过{MAX_FILE_BYTES // MIB} MB。",
            f"The file is larger than {MAX_FILE_BYTES // MIB} MB.",
            code="file_size",
        )


def _column(header: Sequence[str], field: str) -> int:
    """The one column naming ``field``; a header naming it twice (``工资`` and ``wage``)
    is refused: which one holds the wages is not for the platform to guess."""
    names = [h.strip().lower() for h in header]
    found = [
        i
        for i, name in enumerate(names)
        if any(
            name == alias.lower()
            or name.startswith(alias.lower() + " ")
            or name.endswith(" " + alias.lower())
            for alias in HEADERS[field]
        )
    ]
    if len(found) > 1:
        columns = "、".join(str(i + 1) for i in found)
        raise FileRefused(
            f"第{columns}列都是“{HEADERS[field][0]}”，只能有一列。请使用下载的模板。",
            f"Columns {', '.join(str(i + 1) for i in found)} all name {HEADERS[field][2]}; "
            "keep one. Please use the template.",
            code="columns",
        )
    if found:
        return found[0]
    raise FileRefused(
        f"缺少列：{HEADERS[field][0]}。请使用下载的模板。",
        f"Missing column: {HEADERS[field][2]}. Please use the template.",
        code="columns",
    )


def _text(value: object, *, row: int, column: int, wage: bool) -> str:
    """A cell as text, within the character limit; a wage's number as its two-decimal text."""
    if value is None:
        return ""
    if wage and isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return f"{amount_from_number(value):.2f}"
        except RuleError:
            return repr(value)  # the money grammar refuses it with the row's other errors
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_CELL_CHARS:
        raise _refuse_at(
            row,
            column,
            f"单元格超过{MAX_CELL_CHARS}个字符。",
            f"the cell is longer than {MAX_CELL_CHARS} characters.",
            "cell_chars",
        )
    return text


#: ``progress(done, estimated_total)`` while rows are read; the total is the file's own
#: estimate (line breaks, the sheet's stated size), good for a progress bar only.
ReadProgress = Callable[[int, int], None]
PROGRESS_EVERY = 5000


def _is_formula(value: object, *, xlsx: bool, text_column: bool) -> bool:
    """An XLSX formula cell (a formula, an array or data-table formula) in any column; a
    text cell of a text column (not the ID's or wage's: those keep their own checks) that
    ``starts_like_formula``."""
    if isinstance(value, (ArrayFormula, DataTableFormula)):
        return True
    if not isinstance(value, str):
        return False
    if xlsx and value.startswith("="):
        return True  # openpyxl gives a formula cell as its text, "=..."
    return text_column and starts_like_formula(value)


def _rows(
    table: Iterable[Sequence[object]],
    progress: ReadProgress | None = None,
    estimate: int = 0,
    *,
    xlsx: bool = False,
) -> list[DeclaredRow]:
    iterator = iter(table)
    header = next(iterator, None)
    if header is None:
        raise FileRefused("文件为空。", "The file is empty.", code="empty")
    while header and header[-1] in (None, ""):
        header = header[:-1]
    if len(header) > MAX_COLUMNS:
        raise _refuse_at(
            1,
            MAX_COLUMNS + 1,
            f"表头超过{MAX_COLUMNS}列。",
            f"the header has more than {MAX_COLUMNS} columns.",
            "columns",
        )
    for i, h in enumerate(header):
        if _is_formula(h, xlsx=xlsx, text_column=True):
            raise _refuse_at(
                1,
                i + 1,
                "表头含公式或以特殊字符（=、+、-、@、制表符、回车）开头。请使用下载的模板。",
                "the header holds a formula or starts with a special character (=, +, -, @, "
                "tab, CR). Please use the template.",
                "formula",
            )
    header_text = [_text(h, row=1, column=i + 1, wage=False) for i, h in enumerate(header)]
    if not any(h.strip() for h in header_text):
        raise FileRefused("文件为空。", "The file is empty.", code="empty")
    id_col, wage_col = _column(header_text, "resident_id"), _column(header_text, "wage")
    name_cols = _name_columns(header_text)
    width = len(header_text)
    rows = []
    for number, values in enumerate(iterator, start=2):
        if progress is not None and (number - 1) % PROGRESS_EVERY == 0:
            progress(number - 1, max(estimate, number - 1))
        if number > MAX_ROWS + 1:
            raise _refuse_at(
                number,
                None,
                f"文件超过{MAX_ROWS:,}行数据。",
                f"the file has more than {MAX_ROWS:,} data rows.",
                "rows",
            )
        for extra in range(width, len(values)):
            if values[extra] not in (None, "") and str(values[extra]).strip():
                raise _refuse_at(
                    number,
                    extra + 1,
                    f"单元格数多于表头（{width}列）。",
                    f"the row has more cells than the header ({width}).",
                    "cells",
                )
        cells = [
            _text(v, row=number, column=i + 1, wage=i == wage_col)
            for i, v in enumerate(values[:width])
        ]
        if not any(c.strip() for c in cells):
            continue  # blank lines are not rows
        formula = next(
            (
                header_text[i].strip() or get_column_letter(i + 1)
                for i, v in enumerate(values[:width])
                if _is_formula(v, xlsx=xlsx, text_column=i not in (id_col, wage_col))
            ),
            "",
        )
        rows.append(
            DeclaredRow(
                number,
                cells[id_col] if id_col < len(cells) else "",
                cells[wage_col] if wage_col < len(cells) else "",
                _name_of(cells, name_cols),
                formula,
            )
        )
    return rows


def _name_columns(header: Sequence[str]) -> list[int]:
    """The columns naming the person's name (none, one, or more: each is checked)."""
    names = [h.strip().lower() for h in header]
    return [
        i
        for i, name in enumerate(names)
        if any(
            name == alias or name.startswith(alias + " ") or name.endswith(" " + alias)
            for alias in NAME_HEADERS
        )
    ]


def _name_of(cells: Sequence[str], columns: Sequence[int]) -> str:
    """The row's name: of several name columns, one holding a formula if any (so that the
    row is refused), else the first."""
    found = [cells[i] for i in columns if i < len(cells)]
    for cell in found:
        if cell.strip().startswith(FORMULA_START) or cell.startswith(FORMULA_START):
            return cell
    return found[0] if found else ""


# --- CSV ---------------------------------------------------------------------------------


def _line_of(content: bytes, offset: int) -> int:
    return len(_LINE_BREAK.findall(content, 0, offset)) + 1


def _decode(content: bytes) -> str:
    """UTF-8 (BOM or not), else GB18030 (a superset of GBK and GB2312); others refused."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if content.startswith(bom):
            raise FileRefused(
                f"不支持{name}编码。请另存为UTF-8或GBK编码的CSV。",
                f"{name} is not supported. Save the CSV as UTF-8 or GBK.",
                code="encoding",
            )
    if b"\x00" in content:
        raise _refuse_at(
            _line_of(content, content.index(b"\x00")),
            None,
            "含有NUL字节：不是文本文件，或为UTF-16编码。请另存为UTF-8或GBK编码的CSV。",
            "contains a NUL byte: not a text file, or UTF-16. Save the CSV as UTF-8 or GBK.",
            "encoding",
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _refuse_at(
            _line_of(content, exc.start),
            None,
            "既不是UTF-8也不是GBK/GB18030编码。请另存为UTF-8或GBK编码的CSV。",
            "the text is neither UTF-8 nor GBK/GB18030. Save the CSV as UTF-8 or GBK.",
            "encoding",
        ) from exc


def _csv_records(text: str) -> Iterator[list[str]]:
    # newline="" lets the csv module see LF, CRLF and a lone CR (old Mac) as line ends.
    reader = csv.reader(io.StringIO(text, newline=""))
    record = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise _refuse_at(
                    record,
                    None,
                    f"单元格超过{MAX_CELL_CHARS}个字符。",
                    f"a cell is longer than {MAX_CELL_CHARS} characters.",
                    "cell_chars",
                ) from exc
            raise _refuse_at(
                record, None, "CSV格式错误。", f"the CSV is malformed ({exc}).", "csv"
            ) from exc
        record += 1
        yield values


# --- XLSX --------------------------------------------------------------------------------


def _xlsx_refused(zh: str, en: str, code: str) -> FileRefused:
    return FileRefused(f"XLSX文件被拒绝：{zh}", f"The XLSX file is refused: {en}", code=code)


def _xlsx_check(content: bytes) -> None:
    """Refuse zip bombs and XML bombs before any XML is parsed; memory stays at one chunk."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise _xlsx_refused(
            "不是有效的XLSX文件。", "this is not a valid XLSX file.", "xlsx"
        ) from exc
    if len(members) > MAX_XLSX_MEMBERS:
        raise _xlsx_refused(
            f"压缩包内文件超过{MAX_XLSX_MEMBERS}个。",
            f"it holds more than {MAX_XLSX_MEMBERS} parts.",
            "xlsx_members",
        )
    total = 0
    for member in members:
        limit = (
            MAX_XLSX_STRINGS_BYTES
            if member.filename.lower() == "xl/sharedstrings.xml"
            else MAX_XLSX_MEMBER_BYTES
        )
        if member.file_size > XLSX_RATIO_FROM and member.file_size > MAX_XLSX_RATIO * max(
            member.compress_size, 1
        ):
            raise _xlsx_refused(
                f"压缩比超过{MAX_XLSX_RATIO}:1（{member.filename}），疑似压缩炸弹。",
                f"its compression ratio exceeds {MAX_XLSX_RATIO}:1 ({member.filename}), "
                "as in a zip bomb.",
                "xlsx_ratio",
            )
        total += member.file_size
        if member.file_size > limit or total > MAX_XLSX_TOTAL_BYTES:
            raise _xlsx_refused(
                f"解压后超过{min(limit, MAX_XLSX_TOTAL_BYTES) // MIB} MB（{member.filename}）。",
                f"uncompressed it is larger than {min(limit, MAX_XLSX_TOTAL_BYTES) // MIB} MB "
                f"({member.filename}).",
                "xlsx_size",
            )
    for member in members:
        if not member.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        # The sizes above are the archive's claim: count what really comes out.
        read, tail = 0, b""
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    read += len(chunk)
                    if read > member.file_size or read > MAX_XLSX_MEMBER_BYTES:
                        raise _xlsx_refused(
                            f"解压后大于声明的大小（{member.filename}）。",
                            f"it uncompresses beyond its stated size ({member.filename}).",
                            "xlsx_size",
                        )
                    if _DTD.search(tail + chunk):
                        raise _xlsx_refused(
                            f"含有DTD或实体声明（{member.filename}）。",
                            f"it declares a DTD or entities ({member.filename}).",
                            "xlsx_dtd",
                        )
                    tail = chunk[-16:]
        except FileRefused:
            raise
        except Exception as exc:  # damaged, encrypted, unsupported compression...
            raise _xlsx_refused(
                f"无法解压（{member.filename}）。",
                f"it cannot be uncompressed ({member.filename}).",
                "xlsx_damaged",
            ) from exc


def _xlsx_records(content: bytes, sizes: list[int] | None = None) -> Iterator[Sequence[Any]]:
    _xlsx_check(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        if sizes is not None:
            sizes.append(max(0, (sheet.max_row or 1) - 1))  # the sheet's claim: an estimate
        # Ignore the sheet's own claim of its dimensions: a forged one would pad every row.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise _xlsx_refused("无法读取。", "it cannot be read.", "xlsx_damaged") from exc
    number = 0
    try:
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:
                raise _refuse_at(
                    number + 1,
                    None,
                    "XLSX内容损坏或不完整。",
                    "the XLSX content is damaged or truncated.",
                    "xlsx_damaged",
                ) from exc
            number += 1
            yield values
    finally:
        workbook.close()


def check_format(name: str) -> None:
    """Refuse a file that is neither CSV nor XLSX by its name, before storing it."""
    if not name.lower().endswith((".xlsx", ".csv", ".txt")):
        raise FileRefused(
            "请上传CSV或XLSX文件。", "Please upload a CSV or XLSX file.", code="format"
        )


def parse(name: str, content: bytes, progress: ReadProgress | None = None) -> list[DeclaredRow]:
    """Rows of a declaration file; row numbers are the file's (the header is row 1).

    Raises :class:`FileRefused` (422) with the row, column and limit; nothing else.
    ``progress`` hears every :data:`PROGRESS_EVERY` rows how many were read.
    """
    check_size(len(content))
    check_format(name)
    if name.lower().endswith(".xlsx"):
        if not content.startswith(b"PK"):
            raise _xlsx_refused("不是有效的XLSX文件。", "this is not a valid XLSX file.", "xlsx")
        sizes: list[int] = []
        records = _xlsx_records(content, sizes)

        def estimated(done: int, total: int) -> None:
            assert progress is not None
            progress(done, max(total, sizes[0] if sizes else 0))

        return _rows(records, estimated if progress is not None else None, xlsx=True)
    estimate = len(_LINE_BREAK.findall(content)) if progress is not None else 0
    return _rows(_csv_records(_decode(content)), progress, estimate)


#: A row of the pre-filled template: resident ID, name, wage (two decimals).
TemplateRow = tuple[str, str, str]


def _cell_safe(text: str) -> str:
    """Text a spreadsheet shows as written, never runs: a leading formula character gets
    an apostrophe (names come from registrations, not from this employer)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def template_csv(rows: Sequence[TemplateRow] = ()) -> bytes:
    """The template as CSV (UTF-8 with BOM); ``rows`` pre-fill it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_HEADER)
    writer.writerows((rid, _cell_safe(name), wage) for rid, name, wage in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(rows: Sequence[TemplateRow] = ()) -> bytes:
    """The template as XLSX; resident IDs are text cells, wages numbers with two decimals."""
    workbook = Workbook(write_only=bool(rows))
    if rows:
        # Write-only: memory stays flat for a large employer.
        from openpyxl.cell import WriteOnlyCell

        sheet: Any = workbook.create_sheet("申报 declaration")
        for column in ("A", "B", "C"):
            sheet.column_dimensions[column].width = 24
        sheet.append(TEMPLATE_HEADER)
        for rid, name, wage in rows:
            id_cell = WriteOnlyCell(sheet, value=rid)
            id_cell.number_format = "@"
            wage_cell = WriteOnlyCell(sheet, value=float(wage))
            wage_cell.number_format = "0.00"
            sheet.append([id_cell, _cell_safe(name), wage_cell])
    else:
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "申报 declaration"
        sheet.append(TEMPLATE_HEADER)
        for column in ("A", "B", "C"):
            sheet.column_dimensions[column].width = 24
        # Resident IDs are text, never numbers (18 digits lose precision in a spreadsheet).
        for row in sheet.iter_rows(min_row=2, max_row=2000, max_col=1):
            for cell in row:
                cell.number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


#: What a row error is about, by the field code it records: (Chinese, English).
REPORT_FIELDS = {
    "resident_id": ("公民身份号码", "resident ID"),
    "wage": ("月工资", "monthly wage"),
    "name": ("姓名", "name"),
    "row": ("整行", "the whole row"),
    "rows": ("全部行", "the rows as a whole"),
    "file": ("文件", "the file"),
    "kind": ("申报类型", "kind of declaration"),
    "period": ("所属期", "period"),
    "employer": ("参保单位", "employer"),
}


def error_report(errors: Sequence[RowError], *, zh: bool = True, total: int | None = None) -> bytes:
    """The row-level reasons as CSV (UTF-8 with BOM, so spreadsheets open it correctly), in
    one language: the reader's. With ``total`` above the rows given (a report keeps the
    first 10,000), a last row says how many were left out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["行号", "字段", "原因"] if zh else ["Line", "Field", "Reason"])
    for e in errors:
        field = REPORT_FIELDS.get(e.field, (e.field, e.field))[0 if zh else 1]
        # Nothing exported runs as a formula, whatever a reason quotes.
        writer.writerow([e.line, _cell_safe(field), _cell_safe(e.zh if zh else e.en)])
    if total is not None and total > len(errors):
        left = total - len(errors)
        said = (
            f"另有{left:,}条原因未列出（共{total:,}条）：请先更正以上各行，再上传检查其余各行。"
            if zh
            else f"{left:,} more reasons are not listed ({total:,} in all): correct the rows "
            "above, then upload again to check the rest."
        )
        writer.writerow(["", "", said])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
