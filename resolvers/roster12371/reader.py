"""Reading a 12371 member export (党员信息, .xlsx) a batch of checked members at a time.

The layout is ``rules``' (docs/12371-members.md); opening the workbook safely and walking its
rows is the 12371 reader's (``imports12371.workbook``: the zip checked from its central
directory before anything is inflated, openpyxl ``read_only``, rows read from the sheet's XML
as they come). Each batch is read and checked in a worker thread, so the event loop never
waits on the file.

Invariants:

* Layout problems (no roster sheet, an unknown or duplicate header, a required column
  missing) and the row limit refuse the file at once: TOO_MANY_ROWS as soon as the data rows
  pass ``max_rows``, before the rest is read.
* Row problems are collected (the first ``max_problems``, and how many in all), the bad rows
  left out of the batches; when the last batch has been handed out, :meth:`MemberFile.batches`
  raises :class:`FileRefused` with them. The caller writes batches as they arrive and relies
  on that raise to roll its transaction back: all rows or none.
* A member code appears once in a file: the second row naming it is DUPLICATE_CODE, naming
  the first.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from partyplan.resolvers.imports12371.errors import (
    NO_HEADER,
    CellInvalid,
    FileProblem,
    FileRefused,
    ImportErrorCode,
    too_many_rows,
)
from partyplan.resolvers.imports12371.workbook import (
    Cell,
    cell_text,
    header_columns,
    header_key,
    opened,
    rows,
)
from partyplan.resolvers.members.errors import MemberErrorCode

from . import rules

__all__ = ["FILE_BATCH", "MAX_PROBLEMS", "FileMember", "MemberFile"]

#: Members handed out (and upserted) at a time.
FILE_BATCH = 1000
#: Problems kept to report; the count goes on.
MAX_PROBLEMS = 100


@dataclass(frozen=True)
class FileMember:
    """A member read from the file, checked, at its branch."""

    sheet: str
    row: int  # as a spreadsheet numbers it
    line: rules.MemberLine
    branch: rules.Branch


class MemberFile:
    """One reading of a member export at ``path``: iterate :meth:`batches` once."""

    def __init__(
        self,
        path: Path,
        *,
        branches: Mapping[str, list[rules.Branch]],
        today: date,
        max_bytes: int,
        max_rows: int,
        batch: int = FILE_BATCH,
        max_problems: int = MAX_PROBLEMS,
    ) -> None:
        self.path, self.branches, self.today = path, branches, today
        self.max_bytes, self.max_rows, self.batch = max_bytes, max_rows, batch
        self.max_problems = max_problems
        self.problems: list[FileProblem] = []
        self.total = 0  # problems found, kept or not
        self.rows = 0  # data rows read
        self.sheet = ""
        self._items: dict[int, str] = {}  # column (1-based) → item
        self._headers: dict[int, str] = {}  # column → its header as the file spells it
        self._columns: dict[str, int] = {}  # item → column
        self._seen: dict[str, int] = {}  # code → the row that gave it first

    @property
    def clean(self) -> bool:
        """No problem found so far (writing more is worth it)."""
        return self.total == 0

    async def batches(self) -> AsyncIterator[list[FileMember]]:
        """Checked members, ``batch`` at a time; raises FileRefused at the end if any row had
        a problem (or at once for the file's layout and size)."""
        stack = ExitStack()
        try:
            book = await asyncio.to_thread(
                stack.enter_context, opened(self.path, max_bytes=self.max_bytes)
            )
            source = await asyncio.to_thread(self._start, book)
            while True:
                members = await asyncio.to_thread(self._next_batch, source)
                if members is None:
                    break
                if members:
                    yield members
        finally:
            await asyncio.to_thread(stack.close)
        if self.total:
            raise FileRefused(self.problems, total=self.total)

    # --- in the worker thread ---------------------------------------------------------------

    def _start(self, book: Workbook) -> Iterator[tuple[int, dict[int, Cell]]]:
        """The roster sheet's rows after its header row, the layout learnt from that row."""
        sheet = self._roster_sheet(book)
        self.sheet = sheet.title
        source = rows(sheet)
        for _ in range(rules.HEADER_SEARCH_ROWS):
            number, cells = next(source, (0, {}))
            if not cells:
                break
            if rules.looks_like_headers(map(_text_or_blank, cells.values()), header_key):
                self._learn(number, cells)
                return source
        raise FileRefused.one(
            ImportErrorCode.WRONG_LAYOUT,
            f"工作表的前 {rules.HEADER_SEARCH_ROWS} 行中没有表头行（须有{rules.headers_of('code')}"
            f"和姓名）；党员名册应为工作表“{rules.SHEET_TITLE}”或第一个工作表",
            sheet=self.sheet,
        )

    def _roster_sheet(self, book: Workbook) -> ReadOnlyWorksheet:
        if rules.SHEET_TITLE in book.sheetnames:
            sheet = book[rules.SHEET_TITLE]
            if isinstance(sheet, ReadOnlyWorksheet):
                return sheet
        worksheets = [s for s in book.worksheets if isinstance(s, ReadOnlyWorksheet)]
        if not worksheets:
            raise FileRefused.one(ImportErrorCode.WRONG_LAYOUT, "该工作簿没有工作表")
        return worksheets[0]

    def _learn(self, number: int, cells: dict[int, Cell]) -> None:
        self._items = header_columns(self.sheet, number, cells, rules.LABELS)
        self._headers = {column: cell_text(cells[column]) for column in self._items}
        self._columns = {item: column for column, item in self._items.items()}
        missing = rules.missing_items(self._items.values())
        if missing:
            raise FileRefused(
                [
                    FileProblem.at(
                        ImportErrorCode.WRONG_LAYOUT,
                        f"工作表缺少“{rules.headers_of(item)}”列",
                        sheet=self.sheet,
                        row=number,
                        column=rules.headers_of(item),
                    )
                    for item in missing
                ]
            )

    def _next_batch(self, source: Iterator[tuple[int, dict[int, Cell]]]) -> list[FileMember] | None:
        """Up to ``batch`` members; None when the sheet is done."""
        members: list[FileMember] = []
        for number, cells in source:
            self.rows += 1
            if self.rows > self.max_rows:
                raise FileRefused.one(
                    ImportErrorCode.TOO_MANY_ROWS,
                    too_many_rows(self.max_rows),
                    sheet=self.sheet,
                    row=number,
                )
            member = self._member(number, cells)
            if member is not None:
                members.append(member)
                if len(members) >= self.batch:
                    return members
        return members or None

    def _problem(
        self,
        code: StrEnum,
        message: str,
        row: int,
        item: str | None = None,
        column: int | None = None,
    ) -> None:
        self.total += 1
        if len(self.problems) >= self.max_problems:
            return
        if column is None and item is not None:
            column = self._columns[item]
        header = None if column is None else self._headers.get(column)
        self.problems.append(
            FileProblem.at(
                code,  # type: ignore[arg-type]  # a member's own codes beside the reader's
                message,
                sheet=self.sheet,
                row=row,
                column=header,
                index=column,
            )
        )

    def _member(self, number: int, cells: dict[int, Cell]) -> FileMember | None:
        texts: dict[str, str] = {}
        unread: set[str] = set()
        failed = False
        for column, cell in sorted(cells.items()):
            item = self._items.get(column)
            if item is None:
                self._problem(
                    ImportErrorCode.WRONG_LAYOUT,
                    NO_HEADER,
                    number,
                    column=column,
                )
                failed = True
            elif not item.startswith("ignored:"):
                try:
                    texts[item] = cell_text(cell)
                except CellInvalid as invalid:
                    self._problem(invalid.code, invalid.message, number, item)
                    unread.add(item)
        line, problems = rules.member_line(texts, self.today)
        for problem in problems:
            if problem.item not in unread:  # its cell was refused already
                self._problem(problem.code, problem.message, number, problem.item)
        if line is None or failed or unread:
            self._seen.setdefault(" ".join(texts.get("code", "").split()), number)
            return None
        first = self._seen.setdefault(line.code, number)
        if first != number:
            self._problem(
                MemberErrorCode.DUPLICATE_CODE,
                f"党员编号 {line.code} 已在第 {first} 行出现",
                number,
                "code",
            )
            return None
        branch = rules.resolve_branch(line.branch, self.branches)
        if isinstance(branch, rules.Problem):
            self._problem(branch.code, branch.message, number, "branch")
            return None
        return FileMember(self.sheet, number, line, branch)


def _text_or_blank(cell: Cell) -> str:
    try:
        return cell_text(cell)
    except CellInvalid:
        return ""
