"""Typed refusals of an uploaded 12371 file.

A file is refused whole (``FileRefused``, field ``file``) with the list of what is wrong with
it, each :class:`FileProblem` naming where: the sheet's title, the row's number as a
spreadsheet shows it (1-based), and the column's Chinese header; the message also gives the
cell's address (``C5``) so a user finds it without counting columns. A problem of the whole
file (not a workbook, too large) names no sheet; a problem of a whole sheet names no row.

Shared by every reader of 12371 files (recruits, the member roster): the codes are the
schema's as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from openpyxl.utils import get_column_letter

from partyplan.resolvers.errors import DomainError

__all__ = [
    "FILE_EMPTY",
    "MASKED_EXPORT",
    "no_such_date",
    "NO_HEADER",
    "CellInvalid",
    "FileProblem",
    "FileRefused",
    "ImportErrorCode",
    "too_large",
    "too_many_rows",
    "where",
]


class ImportErrorCode(StrEnum):
    # --- the file -----------------------------------------------------------------------------
    NOT_A_WORKBOOK = "NOT_A_WORKBOOK"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    WRONG_LAYOUT = "WRONG_LAYOUT"
    MASKED_ID_NUMBER = "MASKED_ID_NUMBER"
    # --- a row's cells ------------------------------------------------------------------------
    MISSING_VALUE = "MISSING_VALUE"
    INVALID_ID_NUMBER = "INVALID_ID_NUMBER"
    IDENTITY_MISMATCH = "IDENTITY_MISMATCH"
    INVALID_DATE = "INVALID_DATE"
    UNKNOWN_ETHNICITY = "UNKNOWN_ETHNICITY"
    UNKNOWN_CHOICE = "UNKNOWN_CHOICE"
    INVALID_VALUE = "INVALID_VALUE"
    DATES_OUT_OF_ORDER = "DATES_OUT_OF_ORDER"
    DUPLICATE_ID_NUMBER = "DUPLICATE_ID_NUMBER"
    # --- a row against the platform's records (resolvers/reconciliation) ---------------------
    #: 12371 holds the person at an earlier stage than the steps recorded here.
    STAGE_BEHIND_RECORDS = "STAGE_BEHIND_RECORDS"


# --- what several readers say in the same words (the upload, the recruits' and the roster's) --

FILE_EMPTY = "文件为空"
MASKED_EXPORT = (
    "该文件为脱敏导出（公民身份号码和手机号码部分以 * 隐藏）：请导出未脱敏的文件后再导入"
)
NO_HEADER = "该列没有表头，却填有内容"


def no_such_date(text: str) -> str:
    """A date written YYYY-MM-DD that the calendar lacks (2023-02-30)."""
    return f"日期 {text} 不存在"


def too_large(max_bytes: int) -> str:
    return f"文件超过允许的 {max_bytes:,} 字节"


def too_many_rows(max_rows: int) -> str:
    return f"文件的数据行超过允许的 {max_rows:,} 行"


def where(sheet: str | None, row: int | None, column: str | None, index: int | None) -> str:
    """The place as a user reads it: ``工作表“入党积极分子” C5 单元格（公民身份号码）``;
    ``index`` is the column's 1-based position, shown as its letter."""
    parts = []
    if sheet is not None:
        parts.append(f"工作表“{sheet}”")
    if row is not None and index is not None:
        parts.append(f"{get_column_letter(index)}{row} 单元格")
    elif row is not None:
        parts.append(f"第 {row} 行")
    elif index is not None:
        parts.append(f"{get_column_letter(index)} 列")
    place = " ".join(parts)
    if column is not None:
        place = f"{place}（{column}）" if place else f"“{column}”列"
    return place


@dataclass(frozen=True, slots=True)
class FileProblem:
    """One thing wrong with a file: ``column`` is the Chinese header (None for a problem of a
    row or a sheet), ``row`` the spreadsheet's 1-based row number."""

    code: ImportErrorCode
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    @classmethod
    def at(
        cls,
        code: ImportErrorCode,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        index: int | None = None,
    ) -> FileProblem:
        """A problem whose message starts with its place (:func:`where`); ``index`` is the
        column's 1-based position, printed as its letter."""
        place = where(sheet, row, column, index)
        return cls(code, f"{place}：{message}" if place else message, sheet, row, column)


class FileRefused(DomainError):
    """The file is refused whole. ``problems`` holds the first problems found (a reader stops
    collecting at its limit), ``total`` how many were found in all; ``code`` is the first
    problem's, ``field`` always ``file``."""

    def __init__(
        self, problems: list[FileProblem], *, total: int | None = None, field: str = "file"
    ) -> None:
        if not problems:
            raise ValueError("a refusal names at least one problem")
        self.problems = list(problems)
        self.total = max(total or 0, len(self.problems))
        first = self.problems[0]
        message = first.message
        if self.total > 1:
            message = f"{message}（文件中另有 {self.total - 1} 处问题）"
        super().__init__(first.code, message, field)

    @classmethod
    def one(
        cls,
        code: ImportErrorCode,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        index: int | None = None,
    ) -> FileRefused:
        """A refusal for a single problem (see :meth:`FileProblem.at`)."""
        return cls(
            [FileProblem.at(code, message, sheet=sheet, row=row, column=column, index=index)]
        )


class CellInvalid(ValueError):
    """A cell's text does not parse (raised by the pure parsers of ``layout``; the reader adds
    the sheet, row and column and turns it into a :class:`FileProblem`)."""

    def __init__(self, code: ImportErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
