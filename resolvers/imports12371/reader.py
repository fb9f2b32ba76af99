"""Reading a 12371 file of recruits: the export's layout (``rules``) read back a batch of
checked :class:`FileRow` at a time, from a workbook opened safely (``workbook``).

The low-level workbook checks are re-exported here for other readers of 12371 files.

How a file is read (docs/12371-import.md):

* Sheets titled as a stage hold that stage's recruits; any other sheet must be empty. The
  first row is the export's notice, or already the header row (a file edited by hand loses the
  notice). Headers are the items' labels, in any order; 姓名 and 公民身份号码 are required.
* Problems of the file or a sheet (not a workbook, too large, wrong layout, too many rows, a
  masked export) raise at once. Problems of a row are collected (the first ``max_problems``,
  and how many in all), the row is skipped, and reading goes on so the user sees every bad
  row of the file in one go; the file is then refused at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

from partyplan.resolvers.warnings.rules.requirements import ITEMS

from . import rules
from .errors import (
    MASKED_EXPORT,
    NO_HEADER,
    CellInvalid,
    FileProblem,
    FileRefused,
    ImportErrorCode,
    too_many_rows,
)
from .rows import FileRow
from .workbook import (
    Cell,
    cell_text,
    header_columns,
    opened,
    rows,
)

__all__ = ["batches", "stages_of"]


def _layout(message: str, **place: Any) -> FileRefused:
    return FileRefused.one(ImportErrorCode.WRONG_LAYOUT, message, **place)


def _masked(message: str, **place: Any) -> FileRefused:
    return FileRefused.one(ImportErrorCode.MASKED_ID_NUMBER, message, **place)


class _Reading:
    """One pass over a file, driven a step at a time from worker threads (one at a time)."""

    def __init__(
        self, path: Path, *, max_bytes: int, max_rows: int, max_problems: int, today: date
    ) -> None:
        self.path, self.max_bytes, self.today = path, max_bytes, today
        self.max_rows, self.max_problems = max_rows, max_problems
        self.stack = ExitStack()
        self.problems: list[FileProblem] = []
        self.total = 0  # problems found, including those past max_problems
        self.count = 0  # data rows read, all sheets
        self.seen: dict[str, tuple[str, int]] = {}  # ID number -> (sheet, row) of its first row
        self.sheets: list[tuple[str, Any]] = []  # (stage, sheet), in the file's order
        self.rows: Iterator[FileRow | None] | None = None

    # --- opening --------------------------------------------------------------------------------

    def open(self) -> tuple[str, ...]:
        """Open the file and sort its sheets; the stages it covers, in procedure order."""
        book = self.stack.enter_context(opened(self.path, max_bytes=self.max_bytes))
        stages: dict[str, str] = {}
        for sheet in book.worksheets:
            stage = rules.stage_of(sheet.title)
            if stage is None:
                if next(rows(sheet), None) is not None:
                    raise _layout(
                        "该工作表不是 12371 的阶段工作表"
                        f"（{'、'.join(rules.SHEET_STAGES)}），且不为空",
                        sheet=sheet.title,
                    )
                continue
            if stage in stages:
                raise _layout(
                    f"同一阶段有两个工作表（另一个为“{stages[stage]}”）", sheet=sheet.title
                )
            stages[stage] = sheet.title
            self.sheets.append((stage, sheet))
        if not self.sheets:
            raise _layout(f"没有以 12371 阶段命名的工作表（{'、'.join(rules.SHEET_STAGES)}）")
        self.rows = self._all_rows()
        return tuple(stage for stage in rules.SHEET_STAGES.values() if stage in stages)

    def close(self) -> None:
        self.stack.close()

    # --- sheets ---------------------------------------------------------------------------------

    def _columns(self, title: str, lines: Iterator[tuple[int, dict[int, Cell]]]) -> dict[int, str]:
        """Read the notice (if any) and the header row: the items by column."""
        first = next(lines, None)
        if first is None:
            return {}
        number, cells = first
        only = cells.get(1) if len(cells) == 1 else None
        text = _text_or_none(only)
        if text is not None and text and rules.is_notice(text):
            if rules.masked_notice(text):
                raise _masked(
                    MASKED_EXPORT,
                    sheet=title,
                    row=number,
                    index=1,
                )
            first = next(lines, None)
            if first is None:
                raise _layout("该工作表没有表头行", sheet=title)
            number, cells = first
        columns = header_columns(title, number, cells, rules.HEADER_ITEMS)
        missing = [ITEMS[item] for item in rules.IDENTITY_ITEMS if item not in columns.values()]
        if missing:
            raise _layout(
                f"表头缺少{'、'.join(missing)}：每行须写明是哪一位人员",
                sheet=title,
                row=number,
            )
        return columns

    def _all_rows(self) -> Iterator[FileRow | None]:
        """Every data row of every stage sheet: the row, or None for a row refused (its
        problems collected). TOO_MANY_ROWS raises as soon as the count passes the limit."""
        for stage, sheet in self.sheets:
            lines = rows(sheet)
            columns = self._columns(sheet.title, lines)
            for number, cells in lines:
                self.count += 1
                if self.count > self.max_rows:
                    raise FileRefused.one(
                        ImportErrorCode.TOO_MANY_ROWS,
                        too_many_rows(self.max_rows),
                        sheet=sheet.title,
                        row=number,
                    )
                yield self._row(sheet.title, stage, number, cells, columns)

    # --- a row ----------------------------------------------------------------------------------

    def _row(
        self, title: str, stage: str, number: int, cells: dict[int, Cell], columns: dict[int, str]
    ) -> FileRow | None:
        problems: list[FileProblem] = []

        def problem(code: ImportErrorCode, message: str, item: str | None, index: int) -> None:
            column = ITEMS[item] if item else None
            problems.append(
                FileProblem.at(code, message, sheet=title, row=number, column=column, index=index)
            )

        index_of = {item: column for column, item in columns.items()}
        values: dict[str, Any] = {}
        for column, cell in cells.items():
            item = columns.get(column)
            if item is None:
                problem(ImportErrorCode.WRONG_LAYOUT, NO_HEADER, None, column)
                continue
            try:
                text = cell_text(cell)
                if text:
                    values[item] = rules.parse(item, text, today=self.today)
            except CellInvalid as failure:
                if failure.code == ImportErrorCode.MASKED_ID_NUMBER:
                    raise _masked(
                        failure.message, sheet=title, row=number, column=ITEMS[item], index=column
                    ) from None
                problem(failure.code, failure.message, item, column)
        failed = {p.column for p in problems}
        for item in rules.IDENTITY_ITEMS:
            if item not in values and ITEMS[item] not in failed:
                problem(ImportErrorCode.MISSING_VALUE, "此项为必填项", item, index_of[item])
        id_number = values.get("id_number")
        checks = rules.identity_problems(values) if id_number is not None else []
        for item, failure in checks + rules.order_problems(values):
            problem(failure.code, failure.message, item, index_of[item])
        if id_number is not None:
            first = self.seen.setdefault(id_number, (title, number))
            if first != (title, number):
                problem(
                    ImportErrorCode.DUPLICATE_ID_NUMBER,
                    f"与工作表“{first[0]}”第 {first[1]} 行为同一人",
                    "id_number",
                    index_of["id_number"],
                )
        if problems:
            self.total += len(problems)
            room = self.max_problems - len(self.problems)
            self.problems.extend(problems[: max(room, 0)])
            return None
        items = tuple(columns.values())
        return FileRow(title, number, stage, id_number, rules.render_row(items, values), values)

    # --- a step ---------------------------------------------------------------------------------

    def step(self, size: int) -> tuple[list[FileRow], bool]:
        """Read up to ``size`` rows: the good ones, and whether the file is done."""
        assert self.rows is not None
        good: list[FileRow] = []
        for _ in range(size):
            row = next(self.rows, False)
            if row is False:
                return good, True
            if row is not None:
                good.append(row)
        return good, False


def _text_or_none(cell: Cell | None) -> str | None:
    try:
        return cell_text(cell) if cell is not None else None
    except CellInvalid:
        return None


async def batches(
    path: Path,
    *,
    max_rows: int,
    max_bytes: int,
    today: date,
    batch: int = 500,
    max_problems: int = 100,
) -> AsyncIterator[list[FileRow]]:
    """The recruits of the 12371 file at ``path``, a batch of checked rows at a time.

    ``max_bytes`` is the upload limit (the workbook may unpack to
    ``uncompressed_limit(max_bytes)``); ``today`` (Asia/Shanghai) bounds ID numbers' birth
    dates. Each batch is read in a worker thread: the event loop never waits on the file.

    Raises :class:`FileRefused`: at once for a problem of the file or a sheet; at the END,
    after every batch was yielded, for the problems of rows, collected up to ``max_problems``
    (``total`` counts them all). Once a row is refused no further batch is yielded, but the
    file is read to its end to report every problem. The caller may therefore write each
    batch as it arrives, in the request's transaction, and MUST let this raise roll that
    transaction back: the rows already yielded are only valid if the whole file is.
    """
    reading = _Reading(
        path, max_bytes=max_bytes, max_rows=max_rows, max_problems=max_problems, today=today
    )
    pending: asyncio.Future[tuple[list[FileRow], bool]] | None = None
    try:
        await asyncio.to_thread(reading.open)
        # One batch read ahead: the next is parsed in the worker thread while the caller
        # compares and writes this one (its statements wait on the database, not the GIL).
        pending = asyncio.ensure_future(asyncio.to_thread(reading.step, batch))
        while True:
            rows_read, done = await pending
            clean = not reading.problems
            pending = (
                None if done else asyncio.ensure_future(asyncio.to_thread(reading.step, batch))
            )
            if rows_read and clean:
                yield rows_read
            if done:
                break
        if reading.problems:
            raise FileRefused(reading.problems, total=reading.total)
    finally:
        if pending is not None:
            # The caller stopped early: the thread still holds the workbook; let it finish.
            with contextlib.suppress(Exception):
                await pending
        await asyncio.to_thread(reading.close)


async def stages_of(path: Path, *, max_bytes: int) -> tuple[str, ...]:
    """The stages the file at ``path`` has a sheet for, in procedure order (``STAGE_ORDER``).

    Reads the workbook's sheet list (and that non-stage sheets are empty), not its rows;
    refuses as :func:`batches` does for a problem of the file."""

    def read() -> tuple[str, ...]:
        reading = _Reading(path, max_bytes=max_bytes, max_rows=0, max_problems=0, today=date.max)
        try:
            return reading.open()
        finally:
            reading.close()

    return await asyncio.to_thread(read)
