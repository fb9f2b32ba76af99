"""The 12371 export as a workbook written with openpyxl's write-only mode: each sheet's rows go
to a temporary file as they are appended, so memory holds one batch of rows and the shared
strings, never the sheet. The rows come from ``service.rows``; each batch is appended, and the
file zipped, in a worker thread, so a large export never blocks the event loop for seconds.

Every cell is text (``rules.cells``); a value starting with "=" stays text, never a formula, and
characters XML cannot carry are dropped.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from . import rules
from .service import Export12371

#: Rows appended per hand-over to the worker thread.
CHUNK = 500
_MIN_WIDTH, _MAX_WIDTH = 10, 40


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _cell(sheet: WriteOnlyWorksheet, value: str) -> str | WriteOnlyCell:
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith("="):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"  # user text, not a formula
    return cell


def _append(sheet: WriteOnlyWorksheet, rows: list[list[str]]) -> None:
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])


def _sheet(book: Workbook, stage: str, unmasked: bool) -> WriteOnlyWorksheet:
    sheet = book.create_sheet(rules.STAGE_NAMES[stage])
    headers = rules.headers(rules.columns(stage))
    # Widths must be set before the first row: a write-only sheet writes them first.
    for index, header in enumerate(headers, start=1):
        width = min(_MAX_WIDTH, max(_MIN_WIDTH, _width(header) + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([rules.notice(unmasked)])
    sheet.append(headers)
    return sheet


async def write(
    target: Path,
    export: Export12371,
    rows_of: Callable[[str], AsyncIterator[list[str]]],
) -> int:
    """Write the export to ``target``: one sheet per stage of ``export``, each with the notice,
    the headers and the rows ``rows_of(stage)`` yields. The number of recruits written."""
    book = Workbook(write_only=True)
    count = 0
    for stage in export.stages:
        sheet = _sheet(book, stage, export.unmasked)
        chunk: list[list[str]] = []
        async for row in rows_of(stage):
            chunk.append(row)
            if len(chunk) >= CHUNK:
                await asyncio.to_thread(_append, sheet, chunk)
                count, chunk = count + len(chunk), []
        if chunk:
            await asyncio.to_thread(_append, sheet, chunk)
            count += len(chunk)
    await asyncio.to_thread(book.save, target)
    return count
