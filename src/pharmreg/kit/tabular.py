"""Reading uploaded tables (CSV or Excel .xlsx) into rows, or refusing the whole file with a reason.

The format is judged by the content, and the file name's extension must agree with it. Problems
that concern the whole file raise `TabularError`, whose message is for the person who uploaded it.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import math
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import PurePosixPath

import openpyxl  # ships no type hints
from openpyxl.utils import get_column_letter

from pharmreg.kit.boundaries import normalise_field

_NO_ROWS = "文件中没有数据行"
_XLS = (
    "旧版 Excel（.xls）文件或加密的 Excel 文件不能直接导入，"
    "请在 Excel 中另存为不加密的 .xlsx 或 CSV 文件后再上传"
)
_SIGNATURES = (
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"%PDF", "PDF 文档"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
)
_ZIP_KINDS = (
    ("word/document.xml", "Word 文档"),
    ("ppt/presentation.xml", "PowerPoint 演示文稿"),
    ("content.xml", "OpenDocument 文档"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc, and password-protected .xlsx
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_HEADER_TRIM = "*＊\ufeff\u200b"  # templates mark required columns with an asterisk
# Declared unpacked size an .xlsx may reach, as a multiple of the upload limit: ordinary sheets
# compress about ten to one, so this stops only archives built to exhaust memory.
_UNPACK_FACTOR = 50
# Excel keeps 15 significant digits: a longer number (an ID number typed as a number) has
# already lost its last digits, and no import should take it.
_EXACT_LIMIT = 1e15


class TabularError(ValueError):
    """The file as a whole cannot be read; `str()` is the message for the person who uploaded it."""


@dataclass(frozen=True, slots=True)
class Column:
    field: str  # canonical field name, e.g. "id_number"
    headers: tuple[str, ...]  # accepted header spellings; the first Chinese one names the column
    required: bool = True
    rule: str = ""  # what a cell must hold, for the person preparing the file (Chinese)

    @property
    def label(self) -> str:
        """The name of the column in messages: its first Chinese header."""
        return next((h for h in self.headers if re.search(r"[\u4e00-\u9fff]", h)), self.headers[0])


def describe_columns(columns: Sequence[Column]) -> list[tuple[str, str]]:
    """(name, description) of every column a file may have: whether it is required, the other
    header spellings accepted and what its cells must hold; what an import's help lists."""
    rows = []
    for column in columns:
        others = [h for h in column.headers if h != column.label]
        parts = ["必填" if column.required else "可选"]
        parts += [f"表头也可写作 {'、'.join(others)}"] if others else []
        parts += [column.rule] if column.rule else []
        rows.append((column.label, "；".join(parts)))
    return rows


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # line (CSV) or row (Excel) number as a person sees it; the header is usually line 1
    values: dict[str, str]  # field -> stripped text, "" when empty; absent optional columns left out


def read_table(
    data: bytes,
    filename: str,
    columns: Sequence[Column],
    *,
    max_bytes: int = 50 * 1024 * 1024,
    max_rows: int = 2_000_000,
) -> Iterator[Row]:
    """Rows of an uploaded CSV or .xlsx file (first worksheet); rows blank in every known column are skipped.

    The header is the first non-blank line; its cells are matched to `columns` ignoring case,
    spaces (full-width too) and asterisks, and other columns are ignored. Everything that can be
    judged before the first data row (size, format, encoding, header, at least one row) is
    checked before this returns; a `TabularError` raised while iterating (too many rows, a broken
    line further down) still concerns the whole file, so callers must discard what they took.
    """
    lookup = _header_lookup(columns)
    if len(data) > max_bytes:
        raise TabularError(f"文件大小超过上限（{_size_label(max_bytes)}），请拆分成多个文件后分别导入")
    extension = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if extension == ".xls":
        raise TabularError(_XLS)
    if extension not in (".csv", ".xlsx"):
        raise TabularError("只能导入 CSV（.csv）或 Excel（.xlsx）文件，请检查文件的扩展名")
    if not data:
        raise TabularError(_NO_ROWS)
    text = _identify(data, extension)
    records = _csv_records(text) if text is not None else _xlsx_records(data, max_bytes * _UNPACK_FACTOR)
    rows = _rows(records, columns, lookup, max_rows)
    first = next(rows, None)
    if first is None:
        raise TabularError(_NO_ROWS)
    return itertools.chain((first,), rows)


def _identify(data: bytes, extension: str) -> str | None:
    """The decoded text of a CSV file, or None for an .xlsx file; refuses anything else."""
    if data.startswith(b"PK\x03\x04"):
        _check_xlsx_archive(data)
        if extension != ".xlsx":
            raise TabularError(
                f"文件扩展名是 {extension}，但内容是 Excel（.xlsx）表格；"
                "请确认选择的文件是否正确，或把扩展名改为 .xlsx"
            )
        return None
    if data.startswith(_OLE2):
        raise TabularError(_XLS)
    text = None if data.startswith(b"%PDF-") else _decode(data)
    if text is None:
        what = next((what for signature, what in _SIGNATURES if data.startswith(signature)), None)
        seems = f"（看起来是{what}）" if what else ""
        raise TabularError(f"文件内容不是 CSV 或 Excel（.xlsx）表格{seems}，请检查后重新上传")
    if extension != ".csv":
        raise TabularError(
            f"文件扩展名是 {extension}，但内容是 CSV 文本而不是 Excel 表格；"
            "请确认选择的文件是否正确，或把扩展名改为 .csv"
        )
    return text


def _check_xlsx_archive(data: bytes) -> None:
    """Refuses a ZIP archive that is not an Excel workbook, naming what it seems to be."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise TabularError("文件已损坏，无法读取；请在 Excel 中重新保存为 .xlsx 后再上传") from None
    if "xl/workbook.xml" in names:
        return
    what = next((what for name, what in _ZIP_KINDS if name in names), "ZIP 压缩包")
    raise TabularError(f"文件内容不是 CSV 或 Excel（.xlsx）表格（看起来是{what}），请检查后重新上传")


def _decode(data: bytes) -> str | None:
    """CSV text in UTF-8 (BOM or not), GB18030 (Excel in China saves GBK) or BOM-marked UTF-16."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)  # Excel's "Unicode text"
    elif b"\x00" in data:
        return None
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if _BINARY.search(text) else text
    return None


def _csv_records(text: str) -> Iterator[tuple[int, Sequence[object]]]:
    """(first line, cells) of each record; a quoted cell may run over several lines."""
    first_line = next((line for line in io.StringIO(text, newline="") if line.strip()), "")
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    # Strict: an unclosed quote would otherwise swallow the rest of the file into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    try:
        for record in reader:
            yield line, record
            line = reader.line_num + 1
    except csv.Error:
        raise TabularError(
            f"第{line}行起的内容无法按 CSV 格式读取（可能是引号不成对，或单元格内容过长），请检查后重新上传"
        ) from None


def _xlsx_records(data: bytes, max_unpacked: int) -> Iterator[tuple[int, Sequence[object]]]:
    """(row number, cell values) of the first worksheet, every row including blank ones."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > max_unpacked:
        raise TabularError("Excel 文件解压后内容过大，请拆分成多个文件后分别导入")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a malformed upload can fail anywhere inside openpyxl
        raise TabularError("Excel 文件无法打开，可能已损坏；请在 Excel 中重新保存为 .xlsx 后再上传") from None
    try:
        if not workbook.worksheets:
            raise TabularError(_NO_ROWS)
        sheet = workbook.worksheets[0]
        # Read-only mode trusts the size stored in the file, which some programs write wrongly;
        # without it, rows could go missing unnoticed.
        sheet.reset_dimensions()
        # Missing rows come back empty, so counting gives the row numbers Excel shows.
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    except TabularError:
        raise
    except Exception:
        raise TabularError("Excel 文件内容有误，无法读取；请在 Excel 中重新保存为 .xlsx 后再上传") from None
    finally:
        workbook.close()


def _rows(
    records: Iterator[tuple[int, Sequence[object]]],
    columns: Sequence[Column],
    lookup: dict[str, Column],
    max_rows: int,
) -> Iterator[Row]:
    for line, cells in records:
        header = [_cell_text(cell, line, index) for index, cell in enumerate(cells)]
        if any(header):
            positions = _match_header(header, columns, lookup, line)
            break
    else:
        return
    count = 0
    for line, cells in records:
        values = {
            field: _cell_text(cells[index], line, index) if index < len(cells) else ""
            for field, index in positions.items()
        }
        if not any(values.values()):
            continue
        count += 1
        if count > max_rows:
            raise TabularError(f"数据行数超过上限（{max_rows}行），请拆分成多个文件后分别导入")
        yield Row(line, values)


def _match_header(
    header: list[str], columns: Sequence[Column], lookup: dict[str, Column], line: int
) -> dict[str, int]:
    """Field -> cell position; refuses a header missing required columns or naming one twice."""
    positions: dict[str, int] = {}
    duplicates: dict[str, list[str]] = {}
    for index, text in enumerate(header):
        column = lookup.get(_header_key(text))
        if column is None:
            continue
        if column.field in positions:
            duplicates.setdefault(column.field, [header[positions[column.field]]]).append(text)
        else:
            positions[column.field] = index
    if duplicates:
        problems = "；".join(
            "、".join(f"“{text}”" for text in texts) + f"都表示{column.label}"
            for column in columns
            if (texts := duplicates.get(column.field))
        )
        raise TabularError(f"表头（第{line}行）中有重复的列：{problems}。每项只能保留一列")
    missing = [column.label for column in columns if column.required and column.field not in positions]
    if missing:
        raise TabularError(f"缺少必需的列：{'、'.join(missing)}。请检查表头（第{line}行）")
    return positions


def _header_lookup(columns: Sequence[Column]) -> dict[str, Column]:
    """Normalised spelling -> column; the column definitions themselves must be unambiguous."""
    if not columns:
        raise ValueError("at least one column is needed")
    lookup: dict[str, Column] = {}
    fields: set[str] = set()
    for column in columns:
        if column.field in fields:
            raise ValueError(f"field {column.field!r} is defined twice")
        if not column.headers:
            raise ValueError(f"column {column.field!r} has no header spelling")
        fields.add(column.field)
        for spelling in column.headers:
            key = _header_key(spelling)
            if not key:
                raise ValueError(f"column {column.field!r} has a blank header spelling")
            other = lookup.get(key)
            if other is not None and other.field != column.field:
                raise ValueError(f"header {spelling!r} names both {other.field!r} and {column.field!r}")
            lookup[key] = column
    return lookup


def _header_key(text: str) -> str:
    # Spaces inside go too: forms align two-character labels with a full-width space ("姓　名").
    return "".join(text.split()).strip(_HEADER_TRIM).casefold()


def _cell_text(value: object, line: int, index: int) -> str:
    """A cell as text: dates in ISO form, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return normalise_field(value.strip())
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel shows them
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return repr(value)
        if abs(value) >= _EXACT_LIMIT:
            raise TabularError(
                f"第{line}行 {get_column_letter(index + 1)} 列是超过15位的数字，Excel 已丢失其末尾几位；"
                "请把该列设置为“文本”格式后重新录入，再上传"
            )
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip()


def _size_label(size: int) -> str:
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024} KB"
    return f"{size} 字节"
