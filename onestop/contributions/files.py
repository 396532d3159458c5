"""Declaration files: CSV (UTF-8 or GBK) and XLSX in, template and error report out."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook, load_workbook

from onestop.common.errors import ServiceError
from onestop.contributions.services import DeclaredRow, RowError

MAX_BYTES = 50 * 1024 * 1024
HEADERS = {
    "resident_id": ("公民身份号码", "身份证号", "resident_id", "resident id"),
    "wage": ("月工资", "工资", "wage", "monthly wage"),
}
TEMPLATE_HEADER = ["公民身份号码 resident_id", "姓名 name", "月工资 wage"]


class FileRefused(ServiceError):
    status = 422
    code = "file"


def _column(header: Sequence[str], field: str) -> int:
    names = [h.strip().lower() for h in header]
    for i, name in enumerate(names):
        if any(
            name == alias.lower()
            or name.startswith(alias.lower() + " ")
            or name.endswith(" " + alias.lower())
            for alias in HEADERS[field]
        ):
            return i
    raise FileRefused(
        f"缺少列：{HEADERS[field][0]}。请使用下载的模板。",
        f"Missing column: {HEADERS[field][2]}. Please use the template.",
    )


def _cell(cells: Sequence[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _rows(table: Iterable[Sequence[object]]) -> list[DeclaredRow]:
    iterator = iter(table)
    header = next(iterator, None)
    if header is None:
        raise FileRefused("文件为空。", "The file is empty.")
    header_text = ["" if h is None else str(h) for h in header]
    id_col, wage_col = _column(header_text, "resident_id"), _column(header_text, "wage")
    rows = []
    for number, values in enumerate(iterator, start=2):
        cells = ["" if v is None else str(v) for v in values]
        if not any(c.strip() for c in cells):
            continue  # blank lines are not rows
        rows.append(DeclaredRow(number, _cell(cells, id_col), _cell(cells, wage_col)))
    return rows


def parse(name: str, content: bytes) -> list[DeclaredRow]:
    """Rows of a declaration file; line numbers are the file's (the header is line 1)."""
    if len(content) > MAX_BYTES:
        raise FileRefused("文件超过50MB。", "The file is larger than 50 MB.")
    lower = name.lower()
    if lower.endswith(".xlsx"):
        if not content.startswith(b"PK"):
            raise FileRefused("不是有效的XLSX文件。", "This is not a valid XLSX file.")
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds for damaged files
            raise FileRefused("无法读取XLSX文件。", "The XLSX file cannot be read.") from exc
        sheet = workbook.worksheets[0]
        rows = _rows(sheet.iter_rows(values_only=True))
        workbook.close()
        return rows
    if lower.endswith(".csv") or lower.endswith(".txt"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes any byte string
            raise FileRefused("无法识别文件编码。", "The file encoding is not recognised.")
        return _rows(csv.reader(io.StringIO(text)))
    raise FileRefused("请上传CSV或XLSX文件。", "Please upload a CSV or XLSX file.")


def template_csv() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(TEMPLATE_HEADER)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    workbook = Workbook()
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


def error_report(errors: Sequence[RowError]) -> bytes:
    """The row-level reasons as CSV (UTF-8 with BOM, so spreadsheets open it correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["行号 line", "字段 field", "原因", "reason"])
    for e in errors:
        writer.writerow([e.line, e.field, e.zh, e.en])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
