"""Excel workbook of the annual execution report of the guiding plan for recruiting Party members
(发展党员指导性计划执行情况), built from a stored report snapshot with openpyxl.

A school's workbook has one sheet per level of the snapshot (the school with its direct children,
then every unit below that has children of its own, in tree order), then ``发展结构`` (structure
of the recruits, the plan's structural targets, the recruitment pipeline at period end) and, when
the school wrote one, ``报告正文`` with its narrative; before it, when admissions of the period
were annulled as irregular, ``不予承认`` lists them (no figure counts them). A commission's province-wide snapshot gives
``全省汇总`` with one row per school instead. Pure: takes the snapshot dict, returns .xlsx bytes.

Every total row (合计) is the sum of the rows above it, and shows the roll-up's own figures (so a
snapshot that did not add up would show, not hide, the gap): a level sheet lists the children,
then the places the unit reserved (预留) and received but neither handed down nor reserved
(未分解) when there are any, then the unit itself (本级直属: recruits on it, its own forecast).
Snapshots frozen before lines carried ``reserve`` and ``unallocated`` simply have no such rows.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

Snapshot = Mapping[str, Any]
Line = Mapping[str, Any]

PERCENT = "0.0%"
LEVEL_HEADERS = ("序号", "单位/支部名称", "计划数", "预计数", "完成数", "完成率", "备注")
SCHOOL_NAME_HEADER = "学校名称"
STRUCTURE_HEADERS = (
    *("序号", "单位名称", "完成数", "单列高层次人才", "女性", "少数民族", "35岁及以下"),
    *("大专及以上", "学生", "教职工", "高知群体", "专业技术人员"),
)
STRUCTURE_KEYS = (
    *("women", "ethnic_minority", "youth_35", "college_educated", "students", "staff"),
    *("high_knowledge", "professional_technical"),
)
TARGETS_SECTION = "结构性要求"
TARGET_HEADERS = ("指标", "最低人数", "最低占比", "实际人数", "实际占比", "是否达到")
PIPELINE_SECTION = "期末发展队伍"
PIPELINE_HEADERS = ("单位名称", "入党申请人", "入党积极分子", "发展对象", "预备党员", "本期转正")
PIPELINE_KEYS = ("applicants", "activists", "development_targets", "probationary", "converted")
OWN_LABEL = "本级直属"
RESERVE_LABEL = "预留"
UNALLOCATED_LABEL = "未分解"
TOTAL_LABEL = "合计"
PROVINCE_SHEET = "全省汇总"
STRUCTURE_SHEET = "发展结构"
NARRATIVE_SHEET = "报告正文"
ANNULMENT_SHEET = "不予承认"
ANNULMENT_HEADERS = ("序号", "姓名", "党支部", "原审批日期", "不予承认日期", "文号", "理由")
TITLE_LIMIT = 31

_INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BOLD = Font(bold=True)
_NAME_WIDTH = 24
_MIN_WIDTH, _MAX_WIDTH = 6, 60
_NARRATIVE_WIDTH = 100
_LINE_HEIGHT, _MAX_ROW_HEIGHT = 15, 409


def build_workbook(snapshot: Snapshot) -> bytes:
    """The .xlsx bytes of the report workbook for ``snapshot`` (kind ``school`` or ``province``)."""
    province = snapshot["kind"] == "province"
    workbook = Workbook()
    workbook.remove(workbook.active)
    # Fixed titles are claimed first so that a unit named like one of them is the one suffixed.
    used = {STRUCTURE_SHEET.casefold(), NARRATIVE_SHEET.casefold(), ANNULMENT_SHEET.casefold()}
    for index, level in enumerate(snapshot["levels"]):
        summary = province and index == 0
        title = sheet_title(PROVINCE_SHEET if summary else level["unit"]["name"], used)
        _level_sheet(
            workbook.create_sheet(title),
            level,
            _caption_text(snapshot, level, summary),
            SCHOOL_NAME_HEADER if summary else LEVEL_HEADERS[1],
        )
    _structure_sheet(workbook.create_sheet(STRUCTURE_SHEET), snapshot)
    if annulled := snapshot.get("annulments") or []:
        _annulment_sheet(workbook.create_sheet(ANNULMENT_SHEET), snapshot, annulled)
    narrative = _text(snapshot.get("narrative") or "").strip()
    if narrative:
        _narrative_sheet(workbook.create_sheet(NARRATIVE_SHEET), snapshot, narrative)
    root = {"unit": snapshot["unit"]}
    workbook.properties.title = _caption_text(snapshot, root, province)
    workbook.properties.creator = "partyplan"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_title(name: str, used: set[str]) -> str:
    """A valid Excel sheet title for ``name``, unique among ``used`` (casefolded titles, which
    Excel compares case-insensitively); the title is added to ``used``."""
    # Excel also refuses a title that starts or ends with an apostrophe.
    base = _INVALID_TITLE.sub("_", _text(name)).strip().strip("'").strip() or "Sheet"
    title, number = base[:TITLE_LIMIT], 1
    while title.casefold() in used:
        number += 1
        suffix = f"({number})"
        title = base[: TITLE_LIMIT - len(suffix)].rstrip().rstrip("'") + suffix
    used.add(title.casefold())
    return title


def _caption_text(snapshot: Snapshot, level: Mapping[str, Any], summary: bool) -> str:
    period = snapshot["period"]["name"]
    if summary:
        return f"{snapshot['unit']['name']} {period} 各高校发展党员指导性计划执行情况"
    return f"{level['unit']['name']} {period}发展党员指导性计划执行情况"


def _level_rows(
    level: Mapping[str, Any], *, places: bool = False
) -> Iterator[tuple[int | None, str, Line]]:
    """Children numbered from 1, then (with ``places``) the reserved and unallocated places,
    then the unit itself, then the roll-up: the rows above the total add up to it."""
    for number, child in enumerate(level["children"], 1):
        yield number, child["unit_name"], child
    if places:
        for label, key in ((RESERVE_LABEL, "reserve"), (UNALLOCATED_LABEL, "unallocated")):
            if count := level["line"].get(key):
                yield None, label, {"plan": count}
    if level.get("own") is not None:
        yield None, OWN_LABEL, level["own"]
    yield None, TOTAL_LABEL, level["line"]


def _level_sheet(sheet: Worksheet, level: Mapping[str, Any], caption: str, name: str) -> None:
    headers = (LEVEL_HEADERS[0], name, *LEVEL_HEADERS[2:])
    _caption(sheet, caption, len(headers))
    _write(sheet, 2, 1, headers, bold=True)
    for row, (number, label, line) in enumerate(_level_rows(level, places=True), 3):
        values = (
            number,
            label,
            line["plan"],
            line.get("forecast"),  # places kept or not handed down have a plan figure only
            line.get("admitted"),
            line.get("completion_rate"),
            _remark(line),
        )
        cells = _write(sheet, row, 1, values, bold=label == TOTAL_LABEL and number is None)
        cells[5].number_format = PERCENT
    sheet.freeze_panes = "A3"
    _fit_columns(sheet, {2: _NAME_WIDTH})


def _remark(line: Line) -> str | None:
    # Exempt talents do not count against the plan, so the table would otherwise hide them.
    parts = [_text(line.get("remark") or "").strip()]
    if exempt := line.get("admitted_exempt") or 0:
        parts.append(f"不占计划的高层次人才 {exempt} 名")
    return "；".join(part for part in parts if part) or None


def _structure_sheet(sheet: Worksheet, snapshot: Snapshot) -> None:
    level = snapshot["levels"][0]
    caption = f"{level['unit']['name']} {snapshot['period']['name']}发展党员结构情况"
    _caption(sheet, caption, len(STRUCTURE_HEADERS))
    _write(sheet, 2, 1, STRUCTURE_HEADERS, bold=True)
    rows = list(_level_rows(level))
    row = 3
    for number, label, line in rows:
        structure = line.get("structure") or {}
        values = (
            number,
            label,
            line["admitted"],
            line.get("admitted_exempt") or 0,
            *(structure.get(key, 0) for key in STRUCTURE_KEYS),
        )
        _write(sheet, row, 1, values, bold=label == TOTAL_LABEL and number is None)
        row += 1
    if targets := snapshot.get("targets") or []:
        sheet.cell(row + 1, 1, TARGETS_SECTION).font = _BOLD
        _write(sheet, row + 2, 1, TARGET_HEADERS, bold=True)
        row += 3
        for target in targets:
            minimum = target.get("min_share_percent")
            values = (
                target["label"],
                target.get("min_count"),
                None if minimum is None else minimum / 100,
                target.get("actual"),
                target.get("share"),
                "是" if target.get("met") else "否",
            )
            cells = _write(sheet, row, 1, values)
            cells[2].number_format = cells[4].number_format = PERCENT
            row += 1
    sheet.cell(row + 1, 1, PIPELINE_SECTION).font = _BOLD
    _write(sheet, row + 2, 1, PIPELINE_HEADERS, bold=True)
    for offset, (number, label, line) in enumerate(rows, row + 3):
        pipeline = line.get("pipeline") or {}
        values = (label, *(pipeline.get(key, 0) for key in PIPELINE_KEYS))
        _write(sheet, offset, 1, values, bold=label == TOTAL_LABEL and number is None)
    sheet.freeze_panes = "A3"
    _fit_columns(sheet, {1: _NAME_WIDTH, 2: _NAME_WIDTH})


def _annulment_sheet(sheet: Worksheet, snapshot: Snapshot, annulled: list[Any]) -> None:
    """The period's admissions annulled as irregular (一律不予承认), which no figure counts."""
    caption = f"{snapshot['unit']['name']} {snapshot['period']['name']}不予承认的发展党员"
    _caption(sheet, caption, len(ANNULMENT_HEADERS))
    _write(sheet, 2, 1, ANNULMENT_HEADERS, bold=True)
    for row, a in enumerate(annulled, 3):
        values = (
            row - 2,
            a["recruit_name"],
            a.get("branch_name") or "",
            a["approved_on"],
            a["annulled_on"],
            a["document_no"],
            a["reason"],
        )
        _write(sheet, row, 1, values)
    _fit_columns(sheet, {2: 10, 3: _NAME_WIDTH})


def _narrative_sheet(sheet: Worksheet, snapshot: Snapshot, narrative: str) -> None:
    period = snapshot["period"]
    rows = (
        ("报告期间", f"{period['name']}（{period['starts_on']} 至 {period['ends_on']}）"),
        ("填报单位", snapshot["unit"]["name"]),
        ("生成时间", snapshot.get("generated_at") or ""),
        ("报告正文", narrative),
    )
    for row, (label, value) in enumerate(rows, 1):
        sheet.cell(row, 1, label).font = _BOLD
        _set(sheet.cell(row, 2), value).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = _NARRATIVE_WIDTH
    # openpyxl stores no computed height and Excel does not grow the row on open, so estimate it.
    lines = sum(
        max(1, math.ceil(_width(part) / _NARRATIVE_WIDTH)) for part in narrative.split("\n")
    )
    sheet.row_dimensions[len(rows)].height = min(_MAX_ROW_HEIGHT, lines * _LINE_HEIGHT)


def _caption(sheet: Worksheet, text: str, columns: int) -> None:
    cell = _set(sheet.cell(1, 1), text)
    cell.font = Font(bold=True, size=14)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    sheet.row_dimensions[1].height = 28


def _write(
    sheet: Worksheet, row: int, column: int, values: Sequence[Any], *, bold: bool = False
) -> list[Cell]:
    cells = []
    for offset, value in enumerate(values):
        cell = _set(sheet.cell(row, column + offset), value)
        cell.border = _BORDER
        if bold:
            cell.font = _BOLD
        cells.append(cell)
    return cells


def _set(cell: Cell, value: Any) -> Cell:
    cell.value = _text(value) if isinstance(value, str) else value
    # Names and remarks are user text: one starting with "=" must stay text, not become a formula.
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _text(value: str) -> str:
    # openpyxl refuses control characters that XML cannot carry; pasted text sometimes has them.
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _fit_columns(sheet: Worksheet, minimums: Mapping[int, int]) -> None:
    widths = dict.fromkeys(range(1, sheet.max_column + 1), _MIN_WIDTH)
    # The merged caption in row 1 spans the table; measuring it would widen column A alone.
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if cell.value is None:
                continue
            text = f"{cell.value:.1%}" if cell.number_format == PERCENT else str(cell.value)
            needed = max(_width(part) for part in text.split("\n")) + 2
            widths[cell.column] = max(widths[cell.column], needed)
    for column, width in widths.items():
        width = min(_MAX_WIDTH, max(width, minimums.get(column, 0)))
        sheet.column_dimensions[get_column_letter(column)].width = width
