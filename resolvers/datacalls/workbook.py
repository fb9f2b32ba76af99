"""A data call's roll-up as an Excel workbook (openpyxl). Pure: takes what
``service.rollup.workbook_content`` gathered, returns the .xlsx bytes.

* One sheet per level (the top level first, named 汇总, then every unit with units to answer
  below it, in tree order): a row per child, the unit's own row (本级) when it must answer, and
  the total row (合计). Columns: 应报单位数, 已报单位数, each number field (summed), each
  option of each choice field (counted).
* 明细: every unit's answers, every field, with its state and time; the last row sums the
  number fields.

Every total row is the roll-up's own total, which is the sum of the rows above it (a check of
the figures, not a formula a spreadsheet recomputes). User text (titles, labels, answers)
starting with "=" stays text, never a formula; characters XML cannot carry are dropped.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import rules

SUMMARY_SHEET = "汇总"
DETAIL_SHEET = "明细"
TOTAL_LABEL = "合计"
OWN_LABEL = "本级"
LEVEL_HEADERS = ("序号", "单位名称", "应报单位数", "已报单位数")
DETAIL_HEADERS = ("序号", "单位名称", "填报状态", "填报时间", "修改次数")
_INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)


def _set(cell: Cell, value: Any) -> Cell:
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if cell.data_type == "f":
            cell.data_type = "s"
    else:
        cell.value = value
    return cell


def _row(sheet: Worksheet, row: int, values: Sequence[Any], *, bold: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        cell = _set(sheet.cell(row, column), value)
        if bold:
            cell.font = _BOLD


def _title(name: str, used: set[str]) -> str:
    base = _INVALID_TITLE.sub("_", ILLEGAL_CHARACTERS_RE.sub("", name)).strip("'") or "层级"
    base = base[:28]
    title, n = base, 2
    while title.casefold() in used:
        title = f"{base[:25]}({n})"
        n += 1
    used.add(title.casefold())
    return title


def figure_headers(form: Sequence[Mapping[str, Any]]) -> list[str]:
    headers = []
    for spec in form:
        if spec["kind"] == "number":
            headers.append(spec["label"])
        elif spec["kind"] == "choice":
            headers.extend(f"{spec['label']}：{option}" for option in spec["options"])
    return headers


def figures(form: Sequence[Mapping[str, Any]], aggregate: rules.Aggregate) -> list[Any]:
    totals, counts = aggregate.totals(form), aggregate.choices(form)
    values: list[Any] = [aggregate.expected, aggregate.answered]
    for spec in form:
        if spec["kind"] == "number":
            values.append(totals[spec["key"]])
        elif spec["kind"] == "choice":
            values.extend(counts[spec["key"]].values())
    return values


def _caption(sheet: Worksheet, content: Mapping[str, Any], what: str) -> None:
    state = "已关闭" if content["closed"] else f"截止日期 {content['due_on']}"
    _set(sheet.cell(1, 1), f"{content['title']}（{content['issuer']}，{state}）{what}")
    sheet.cell(1, 1).font = _BOLD
    _set(sheet.cell(2, 1), f"统计日期：{content['as_of']}")


def _level_sheet(book: Workbook, content: Mapping[str, Any], level: Any, title: str) -> None:
    form = content["form"]
    sheet = book.create_sheet(title)
    _caption(sheet, content, f"— {level.unit_name}")
    _row(sheet, 3, [*LEVEL_HEADERS, *figure_headers(form)], bold=True)
    row = 4
    lines = [*level.lines, *([level.own] if level.own else [])]
    for index, line in enumerate(lines, start=1):
        name = OWN_LABEL if line is level.own else line.unit_name
        _row(sheet, row, [index, name, *figures(form, line.figures)])
        row += 1
    _row(sheet, row, ["", TOTAL_LABEL, *figures(form, level.total)], bold=True)
    _fit(sheet)


def _shown(spec: Mapping[str, Any], value: Any) -> Any:
    return "" if value is None else value


def _detail_sheet(book: Workbook, content: Mapping[str, Any]) -> None:
    form = content["form"]
    sheet = book.create_sheet(DETAIL_SHEET)
    _caption(sheet, content, "— 各单位填报明细")
    _row(sheet, 3, [*DETAIL_HEADERS, *(spec["label"] for spec in form)], bold=True)
    total = rules.Aggregate()
    row = 4
    for index, response in enumerate(content["responses"], start=1):
        answers = response.answers or {}
        total.add(form, response.answers)
        answered = response.answered_at
        _row(
            sheet,
            row,
            [
                index,
                response.unit_name,
                "已填报" if answered else "未填报",
                "" if answered is None else answered.strftime("%Y-%m-%d %H:%M"),
                response.revisions,
                *(_shown(spec, answers.get(spec["key"])) for spec in form),
            ],
        )
        row += 1
    sums = total.totals(form)
    _row(
        sheet,
        row,
        [
            "",
            TOTAL_LABEL,
            f"{total.answered}/{total.expected}",
            "",
            "",
            *(sums.get(spec["key"], "") for spec in form),
        ],
        bold=True,
    )
    _fit(sheet)


def _fit(sheet: Worksheet) -> None:
    for column in range(1, sheet.max_column + 1):
        width = 8
        for cells in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
            for cell in cells:
                if cell.value is not None:
                    text = str(cell.value)
                    width = max(width, sum(2 if ord(c) > 0x2E80 else 1 for c in text) + 2)
        sheet.column_dimensions[get_column_letter(column)].width = min(width, 50)


def build_workbook(content: Mapping[str, Any]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    used = {DETAIL_SHEET.casefold(), SUMMARY_SHEET.casefold()}
    for index, level in enumerate(content["levels"]):
        title = SUMMARY_SHEET if index == 0 else _title(level.unit_name, used)
        _level_sheet(book, content, level, title)
    _detail_sheet(book, content)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
