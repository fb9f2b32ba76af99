"""Opening an uploaded workbook safely and walking its rows: the low-level part of reading any
12371 file (the recruits' export, the member roster), free of what the sheets mean.

Every failure is a :class:`FileRefused`; no file, however hostile, gets past as another error.

* :func:`check_archive` looks at the zip's central directory only, before anything is
  decompressed: an .xlsx is a zip, so a file that is no zip (a text file renamed, an old .xls,
  a password-protected workbook, which Excel stores as an OLE compound file) is
  NOT_A_WORKBOOK. A zip bomb is FILE_TOO_LARGE: what its members declare, uncompressed, passes
  :func:`uncompressed_limit`. The declared sizes are what Python's ``zipfile`` will ever
  inflate (it cuts a member at its declared size and then fails its CRC), so the bound holds
  however the sizes lie.
* :func:`opened` opens the workbook with openpyxl ``read_only=True``: sheets are parsed as
  they are iterated, never loaded (the shared strings are, bounded by the check above).
* :func:`rows` yields a sheet's non-empty rows as ``{column: Cell}``, reading the sheet's XML
  directly: openpyxl's own row iterator pads the rows and columns a file skips, so a single
  cell at row 1,000,000,000 would have it yield a billion empty rows.
* :func:`cell_text` is a cell's value as text (a real Excel date cell as ``YYYY-MM-DD``);
  :func:`header_columns` matches a header row against known labels.
"""

from __future__ import annotations

import logging
import os
import unicodedata
import warnings
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NamedTuple

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import (
    FORMULA_TAG,
    INLINE_STRING,
    SHEET_MAIN_NS,
    VALUE_TAG,
    WorkSheetParser,
)
from openpyxl.xml.functions import SubElement

from partyplan.resolvers.text import storable

from .errors import FILE_EMPTY, CellInvalid, FileProblem, FileRefused, ImportErrorCode, too_large

__all__ = [
    "CELL_TEXT_LIMIT",
    "Cell",
    "MAX_COLUMN",
    "MAX_MEMBERS",
    "MAX_ROW",
    "cell_text",
    "check_archive",
    "header_columns",
    "header_key",
    "opened",
    "rows",
    "uncompressed_limit",
]

log = logging.getLogger(__name__)

#: A zip may inflate to this many times the upload limit...
UNCOMPRESSED_FACTOR = 20
#: ...and never to more than this, whatever the upload limit (a workbook of 200,000 recruits
#: is some 100 MB of XML).
UNCOMPRESSED_HARD_LIMIT = 1024 * 1024 * 1024
#: Members of a zip: a workbook has a dozen files plus one per sheet.
MAX_MEMBERS = 2000
#: Excel's own bounds: rows and columns of a sheet, characters of a cell.
MAX_ROW = 1_048_576
MAX_COLUMN = 16_384
CELL_TEXT_LIMIT = 32_767
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # .xls, and an encrypted .xlsx


def _refuse(code: ImportErrorCode, message: str, sheet: str | None = None) -> FileRefused:
    return FileRefused.one(code, message, sheet=sheet)


def uncompressed_limit(max_bytes: int) -> int:
    """The most a workbook of at most ``max_bytes`` may declare uncompressed, all members."""
    return min(UNCOMPRESSED_FACTOR * max_bytes, UNCOMPRESSED_HARD_LIMIT)


def check_archive(path: Path, *, max_bytes: int) -> None:
    """Refuse what is no .xlsx, or too large, from the zip's central directory alone.

    NOT_A_WORKBOOK: empty, not a zip (an .xls, an encrypted workbook, text), a zip without
    the workbook part, encrypted members, too many members. FILE_TOO_LARGE: the file is over
    ``max_bytes``, or its members declare more than :func:`uncompressed_limit` uncompressed
    (a zip bomb: refused for its size rather than as corrupt, since a huge honest workbook
    is refused the same way).
    """
    try:
        size = os.stat(path).st_size
        with open(path, "rb") as handle:
            head = handle.read(len(_OLE_MAGIC))
    except OSError:
        raise _refuse(ImportErrorCode.NOT_A_WORKBOOK, "无法读取该文件") from None
    if size == 0:
        raise _refuse(ImportErrorCode.NOT_A_WORKBOOK, FILE_EMPTY)
    if size > max_bytes:
        raise _refuse(ImportErrorCode.FILE_TOO_LARGE, too_large(max_bytes))
    if head == _OLE_MAGIC:
        raise _refuse(
            ImportErrorCode.NOT_A_WORKBOOK,
            "该文件是旧版 Excel（.xls）或受密码保护的工作簿：请另存为未加密的 .xlsx 文件",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refuse(ImportErrorCode.NOT_A_WORKBOOK, "该文件不是 Excel 工作簿（.xlsx）") from None
    if len(members) > MAX_MEMBERS:
        raise _refuse(ImportErrorCode.NOT_A_WORKBOOK, "该文件不是 Excel 工作簿")
    if any(member.flag_bits & 0x1 for member in members):
        raise _refuse(ImportErrorCode.NOT_A_WORKBOOK, "该工作簿已加密")
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names:
        raise _refuse(
            ImportErrorCode.NOT_A_WORKBOOK, "该文件是 zip 压缩包，但不是 Excel 工作簿（.xlsx）"
        )
    declared = sum(member.file_size for member in members)
    if declared > uncompressed_limit(max_bytes):
        raise _refuse(
            ImportErrorCode.FILE_TOO_LARGE,
            f"该工作簿解压后为 {declared:,} 字节，超过允许的 "
            f"{uncompressed_limit(max_bytes):,} 字节",
        )


@contextmanager
def opened(path: Path, *, max_bytes: int) -> Iterator[Workbook]:
    """The workbook at ``path``, checked (:func:`check_archive`) and opened read-only (the
    sheets are not parsed until iterated); closed when the block ends. Blocking: call it in a
    worker thread."""
    check_archive(path, max_bytes=max_bytes)
    # A handle, not the path: openpyxl refuses a path whose name lacks ".xlsx", and an upload
    # is stored under a name of the platform's own.
    handle = path.open("rb")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about what it does not support
            book = load_workbook(handle, read_only=True, data_only=False, keep_links=False)
    # openpyxl raises whatever its parsers meet (KeyError, ValueError, ParseError, TypeError,
    # zipfile's CRC error...) on a corrupt or hostile file: all of it is "not a workbook".
    except Exception as failure:
        log.info("12371 file refused: %r", failure)
        handle.close()
        raise _refuse(ImportErrorCode.NOT_A_WORKBOOK, "该文件不是可以读取的 Excel 工作簿") from None
    try:
        yield book
    finally:
        book.close()
        handle.close()


class Cell(NamedTuple):
    column: int  # 1-based
    value: Any  # as openpyxl reads it: str, int, float, bool, datetime...
    data_type: str  # openpyxl's: "s" text, "n" number, "d" date, "f" formula, "e" error, "b"


_T = f"{{{SHEET_MAIN_NS}}}t"
_RUN = f"{{{SHEET_MAIN_NS}}}r"


class _SheetParser(WorkSheetParser):
    """openpyxl's parser, but an inline string (what a write-only workbook writes, the
    platform's export included) is read as its text without building openpyxl's rich-text
    objects, which took half the time of reading such a file: the ``t`` element and each
    run's ``t``, as ``Text.content`` joins them (phonetic runs left out)."""

    def parse_cell(self, element: Any) -> dict[str, Any]:
        if element.get("t") == "inlineStr" and element.find(FORMULA_TAG) is None:
            child = element.find(INLINE_STRING)
            if child is not None:
                text = (child.findtext(_T) or "") + "".join(
                    run.findtext(_T) or "" for run in child.findall(_RUN)
                )
                element.remove(child)
                SubElement(element, VALUE_TAG).text = text
                element.set("t", "str")  # openpyxl's own path for a formula's string result
        return super().parse_cell(element)


def rows(sheet: ReadOnlyWorksheet) -> Iterator[tuple[int, dict[int, Cell]]]:
    """The sheet's rows that hold a value, in order: (row number, cells by column), without
    the empty cells (None, or only whitespace). A row number or column beyond Excel's, rows
    out of order, or XML that does not parse: NOT_A_WORKBOOK; a number too long to read
    (thousands of digits in a number cell): INVALID_VALUE; both name the sheet and the last
    row read."""
    title = sheet.title
    last = 0
    try:
        # What ReadOnlyWorksheet._cells_by_row does, without the padding (see the module).
        source = sheet._get_source()
    except Exception:
        raise _refuse(ImportErrorCode.NOT_A_WORKBOOK, "无法读取该工作表", title) from None
    with source:
        book = sheet.parent
        parser = _SheetParser(
            source,
            sheet._shared_strings,
            data_only=False,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        parsed = parser.parse()
        while True:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    item = next(parsed, None)
            except ValueError as failure:
                # int() of a number cell of more than 4,300 digits, a date serial out of range.
                log.info("12371 sheet %r refused after row %d: %r", title, last, failure)
                raise _refuse(
                    ImportErrorCode.INVALID_VALUE,
                    f"第 {last} 行之后有单元格的值无法读取（可能是位数过多的数字）",
                    title,
                ) from None
            except Exception as failure:
                log.info("12371 sheet %r refused after row %d: %r", title, last, failure)
                raise _refuse(
                    ImportErrorCode.NOT_A_WORKBOOK,
                    f"该工作表第 {last} 行之后已损坏",
                    title,
                ) from None
            if item is None:
                return
            number, parsed_cells = item
            if not isinstance(number, int) or not last < number <= MAX_ROW:
                raise _refuse(
                    ImportErrorCode.NOT_A_WORKBOOK,
                    f"该工作表第 {last} 行之后已损坏（行的顺序错乱或超出第 {MAX_ROW:,} 行）",
                    title,
                )
            last = number
            cells: dict[int, Cell] = {}
            for parsed_cell in parsed_cells:
                column, value = parsed_cell["column"], parsed_cell["value"]
                if not 1 <= column <= MAX_COLUMN:
                    raise _refuse(
                        ImportErrorCode.NOT_A_WORKBOOK,
                        f"第 {number} 行有超出第 {MAX_COLUMN:,} 列的单元格",
                        title,
                    )
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                cells[column] = Cell(column, value, parsed_cell["data_type"])
            if cells:
                yield number, cells


def cell_text(cell: Cell | None) -> str:
    """A cell as text, trimmed: ``""`` for no cell. A real Excel date (or date-time at
    midnight) is ``YYYY-MM-DD``; a whole number stored as a number is its digits (a phone
    typed as a number). Raises :class:`CellInvalid` (INVALID_VALUE) for a formula, an error
    value (``#VALUE!``), text over Excel's 32,767 characters, or characters that cannot be
    stored (NUL, lone surrogates: an .xlsx can carry them escaped as ``_x0000_``)."""
    if cell is None or cell.value is None:
        return ""
    value, kind = cell.value, cell.data_type
    if kind == "f":
        raise CellInvalid(ImportErrorCode.INVALID_VALUE, "不接受公式：请粘贴为数值")
    if kind == "e":
        raise CellInvalid(ImportErrorCode.INVALID_VALUE, f"单元格为错误值（{value}）")
    if isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        integral = value == value and abs(value) < 1e15 and value == int(value)
        text = str(int(value)) if integral else repr(value)
    else:
        text = str(value)
    if len(text) > CELL_TEXT_LIMIT:
        raise CellInvalid(
            ImportErrorCode.INVALID_VALUE,
            f"单元格内容超过 {CELL_TEXT_LIMIT:,} 个字符的上限",
        )
    if not storable(text):
        raise CellInvalid(
            ImportErrorCode.INVALID_VALUE,
            "单元格含有无法保存的字符（NUL 或不成对的代理字符）",
        )
    return text.strip()


def header_key(label: str) -> str:
    """How headers compare: NFKC (full-width brackets and digits as ASCII) without any
    whitespace, so a header retyped as ``培养联系人(2名)`` still matches."""
    return "".join(unicodedata.normalize("NFKC", label).split())


def header_columns(
    sheet: str, row: int, cells: Mapping[int, Cell], labels: Mapping[str, str]
) -> dict[int, str]:
    """The items of a header row by column: ``labels`` maps each accepted header text to its
    item (two labels may name one item: aliases). WRONG_LAYOUT, every offender at once: a
    header no label matches, or two columns for one item. An empty header cell with values
    below it is only found by the caller (it has no item)."""
    known = {header_key(label): item for label, item in labels.items()}
    items: dict[int, str] = {}
    seen: dict[str, int] = {}
    problems = []
    for column, cell in sorted(cells.items()):
        try:
            text = cell_text(cell)
        except CellInvalid as failure:
            problems.append(
                FileProblem.at(
                    ImportErrorCode.WRONG_LAYOUT,
                    failure.message,
                    sheet=sheet,
                    row=row,
                    index=column,
                )
            )
            continue
        item = known.get(header_key(text))
        if item is None:
            problems.append(
                FileProblem.at(
                    ImportErrorCode.WRONG_LAYOUT,
                    f"未知的列“{text[:50]}”（可用的列：{'、'.join(dict.fromkeys(labels))}）",
                    sheet=sheet,
                    row=row,
                    column=text[:50],
                    index=column,
                )
            )
        elif item in seen:
            problems.append(
                FileProblem.at(
                    ImportErrorCode.WRONG_LAYOUT,
                    f"该列重复（另见 {get_column_letter(seen[item])} 列）",
                    sheet=sheet,
                    row=row,
                    column=text,
                    index=column,
                )
            )
        else:
            items[column], seen[item] = item, column
    if problems:
        raise FileRefused(problems)
    return items
