"""The ledger as a workbook: one sheet 台账, its first row the committee and the masking notice,
then the headers and a row per activist or development target. Pure: rows in, bytes out. User
text starting with "=" stays text, never a formula; characters XML cannot carry are dropped."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from . import rules
from .service import Ledger

SHEET = "台账"


def build_workbook(ledger: Ledger, rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.cell(1, 1).value = f"{ledger.unit_name}入党积极分子和发展对象台账"
    sheet.cell(1, 1).font = Font(bold=True)
    sheet.cell(2, 1).value = rules.notice(ledger.unmasked)
    for column, header in enumerate(rules.HEADERS, start=1):
        cell = sheet.cell(3, column)
        cell.value = header
        cell.font = Font(bold=True)
        width = sum(2 if ord(c) > 0x2E80 else 1 for c in header) + 2
        sheet.column_dimensions[get_column_letter(column)].width = max(10, min(width, 30))
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(4 + offset, column)
            if isinstance(value, str):
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if cell.data_type == "f":
                    cell.data_type = "s"  # user text, not a formula
            else:
                cell.value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
