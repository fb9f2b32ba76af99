"""The report workbook read back with openpyxl: a school with two college committees (one with two
branches and recruits of its own) and a province table of three schools, whose figures add up."""

from __future__ import annotations

import copy
import io
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from partyplan.resolvers.reports.workbook import (
    LEVEL_HEADERS,
    PIPELINE_HEADERS,
    PIPELINE_KEYS,
    STRUCTURE_HEADERS,
    STRUCTURE_KEYS,
    TARGET_HEADERS,
    build_workbook,
    sheet_title,
)

PERIOD = {
    "id": 7,
    "name": "2024 年度",
    "starts_on": "2024-01-01",
    "ends_on": "2024-12-31",
    "report_due_on": "2024-12-15",
}
FIGURES = ("plan", "forecast", "admitted")


def line(
    unit_id: int,
    name: str,
    kind: str,
    plan: int,
    forecast: int,
    admitted: int,
    exempt: int = 0,
    structure: dict[str, int] | None = None,
    pipeline: dict[str, int] | None = None,
    remark: str | None = None,
) -> dict[str, Any]:
    return {
        "unit_id": unit_id,
        "unit_name": name,
        "unit_kind": kind,
        "plan": plan,
        "forecast": forecast,
        "admitted": admitted,
        "admitted_exempt": exempt,
        "completion_rate": round(admitted / plan, 4) if plan else None,
        "remark": remark,
        "structure": {key: 0 for key in STRUCTURE_KEYS} | (structure or {}),
        "pipeline": {key: 0 for key in PIPELINE_KEYS} | (pipeline or {}),
        "open_findings": 0,
    }


def rollup(unit_id: int, name: str, kind: str, *parts: dict[str, Any]) -> dict[str, Any]:
    """The unit's own line: the sum of its parts, as the roll-up computes it."""
    return line(
        unit_id,
        name,
        kind,
        *(sum(p[f] for p in parts) for f in FIGURES),
        exempt=sum(p["admitted_exempt"] for p in parts),
        structure={k: sum(p["structure"][k] for p in parts) for k in STRUCTURE_KEYS},
        pipeline={k: sum(p["pipeline"][k] for p in parts) for k in PIPELINE_KEYS},
    )


def unit(line_: dict[str, Any]) -> dict[str, Any]:
    return {"id": line_["unit_id"], "name": line_["unit_name"], "kind": line_["unit_kind"]}


BRANCH_1 = line(
    5,
    "甲院第一党支部",
    "branch",
    6,
    5,
    2,
    exempt=1,
    structure={
        "women": 1,
        "ethnic_minority": 1,
        "youth_35": 2,
        "college_educated": 2,
        "staff": 2,
        "high_knowledge": 1,
        "professional_technical": 1,
    },
    pipeline={"applicants": 4, "activists": 2, "development_targets": 1, "probationary": 3},
    remark="2 名教师（1 名高知识群体教师）",
)
BRANCH_2 = line(
    6,
    "甲院第二党支部",
    "branch",
    4,
    4,
    3,
    structure={"women": 2, "youth_35": 3, "college_educated": 3, "students": 3},
    pipeline={
        "applicants": 10,
        "activists": 5,
        "development_targets": 2,
        "probationary": 3,
        "converted": 1,
    },
)
# Recruits attached to the committee itself, with no quota of their own: no completion rate.
COMMITTEE_OWN = line(
    4,
    "甲学院党委",
    "college",
    0,
    1,
    1,
    structure={"youth_35": 1, "college_educated": 1, "staff": 1},
    pipeline={"activists": 1, "probationary": 1},
)
COMMITTEE_A = rollup(4, "甲学院党委", "college", BRANCH_1, BRANCH_2, COMMITTEE_OWN)
COMMITTEE_B = line(8, "乙学院党委", "college", 5, 5, 0, pipeline={"applicants": 3})
SCHOOL = rollup(3, "学校甲党委", "school", COMMITTEE_A, COMMITTEE_B)

SCHOOL_SNAPSHOT: dict[str, Any] = {
    "format": 1,
    "kind": "school",
    "period": PERIOD,
    "unit": unit(SCHOOL),
    "generated_at": "2024-12-10T08:00:00+08:00",
    "narrative": "一、总体情况\n全年计划 15 名，完成 6 名。\n二、存在问题\n学生党员发展偏少。",
    "levels": [
        {"unit": unit(SCHOOL), "line": SCHOOL, "own": None, "children": [COMMITTEE_A, COMMITTEE_B]},
        {
            "unit": unit(COMMITTEE_A),
            "line": COMMITTEE_A,
            "own": COMMITTEE_OWN,
            "children": [BRANCH_1, BRANCH_2],
        },
    ],
    "targets": [
        {
            "indicator": "women",
            "label": "女性",
            "min_count": 1,
            "min_share_percent": None,
            "actual": 3,
            "share": 0.5,
            "met": True,
        },
        {
            "indicator": "youth_35",
            "label": "35岁及以下",
            "min_count": None,
            "min_share_percent": 80,
            "actual": 6,
            "share": 1.0,
            "met": True,
        },
        {
            "indicator": "ethnic_minority",
            "label": "少数民族",
            "min_count": 2,
            "min_share_percent": None,
            "actual": 1,
            "share": 0.1667,
            "met": False,
        },
    ],
}

SCHOOLS = [
    line(3, "学校甲党委", "school", 15, 15, 6, exempt=1, structure={"women": 3}),
    line(11, "学校乙党委", "school", 20, 18, 20, structure={"women": 9}),
    line(12, "学校丙党委", "school", 0, 0, 0),
]
COMMISSION = rollup(1, "省委教育工委", "commission", *SCHOOLS)
PROVINCE_SNAPSHOT: dict[str, Any] = {
    "format": 1,
    "kind": "province",
    "period": PERIOD,
    "unit": unit(COMMISSION),
    "generated_at": "2024-12-20T09:30:00+08:00",
    "narrative": "",
    "levels": [{"unit": unit(COMMISSION), "line": COMMISSION, "own": None, "children": SCHOOLS}],
    "targets": [],
}


def load(snapshot: dict[str, Any]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(build_workbook(snapshot)))


def rows(sheet: Worksheet, first: int, count: int, width: int) -> list[tuple[Any, ...]]:
    return [
        tuple(sheet.cell(row, column).value for column in range(1, width + 1))
        for row in range(first, first + count)
    ]


def find(sheet: Worksheet, label: str) -> int:
    return next(row[0].row for row in sheet.iter_rows() if row[0].value == label)


def widths(sheet: Worksheet) -> dict[int, float]:
    # A <col> element may cover a range of columns.
    found: dict[int, float] = {}
    for dimension in sheet.column_dimensions.values():
        for column in range(dimension.min, dimension.max + 1):
            found[column] = dimension.width
    return found


def test_sheets_in_order() -> None:
    book = load(SCHOOL_SNAPSHOT)
    assert book.sheetnames == ["学校甲党委", "甲学院党委", "发展结构", "报告正文"]
    assert book.properties.title == "学校甲党委 2024 年度发展党员指导性计划执行情况"
    assert book.properties.creator == "partyplan"


def test_level_sheets_rows_add_up_to_the_rollup() -> None:
    book = load(SCHOOL_SNAPSHOT)
    for level in SCHOOL_SNAPSHOT["levels"]:
        sheet = book[level["unit"]["name"]]
        caption = f"{level['unit']['name']} 2024 年度发展党员指导性计划执行情况"
        assert sheet["A1"].value == caption
        assert "A1:G1" in {str(merged) for merged in sheet.merged_cells.ranges}
        assert rows(sheet, 2, 1, 7) == [LEVEL_HEADERS]
        parts = list(level["children"]) + ([level["own"]] if level["own"] else [])
        body = rows(sheet, 3, len(parts) + 1, 5)
        expected = [
            (n, c["unit_name"], c["plan"], c["forecast"], c["admitted"])
            for n, c in enumerate(level["children"], 1)
        ]
        if level["own"]:
            own = level["own"]
            expected.append((None, "本级直属", own["plan"], own["forecast"], own["admitted"]))
        figures = tuple(level["line"][f] for f in FIGURES)
        assert body == [*expected, (None, "合计", *figures)]
        assert tuple(sum(row[i] for row in body[:-1]) for i in (2, 3, 4)) == figures
        assert sheet.max_row == 3 + len(parts)
    assert book["学校甲党委"]["A5"].value is None  # no own row: the total follows the children
    assert book["学校甲党委"]["B5"].value == "合计"


def test_reserved_and_unallocated_places_are_rows_of_the_plan() -> None:
    snapshot = copy.deepcopy(SCHOOL_SNAPSHOT)
    top = snapshot["levels"][0]["line"]
    top.update(plan=22, reserve=5, unallocated=2, completion_rate=round(6 / 22, 4))
    snapshot["levels"][1]["line"].update(reserve=0, unallocated=0)  # none: no rows
    book = load(snapshot)
    sheet = book["学校甲党委"]
    body = rows(sheet, 3, 5, 6)
    assert body == [
        (1, "甲学院党委", 10, 10, 6, 0.6),
        (2, "乙学院党委", 5, 5, 0, 0),
        (None, "预留", 5, None, None, None),
        (None, "未分解", 2, None, None, None),
        (None, "合计", 22, 15, 6, 0.2727),
    ]
    assert sum(row[2] for row in body[:-1]) == body[-1][2]
    assert not sheet["B5"].font.b and sheet["B7"].font.b
    assert sheet.max_row == 7
    assert book["甲学院党委"].max_row == 6  # children, own, total
    structure = book["发展结构"]  # no quota there: the places have no row
    assert [structure.cell(row, 2).value for row in (3, 4, 5)] == [
        "甲学院党委",
        "乙学院党委",
        "合计",
    ]


def test_completion_rate_is_a_percentage_number() -> None:
    sheet = load(SCHOOL_SNAPSHOT)["甲学院党委"]
    rates = [sheet.cell(row, 6) for row in range(3, 7)]
    assert [cell.value for cell in rates] == [0.3333, 0.75, None, 0.6]
    assert all(cell.number_format == "0.0%" for cell in rates)
    assert [cell.data_type for cell in rates[:2]] == ["n", "n"]
    assert load(SCHOOL_SNAPSHOT)["学校甲党委"]["F5"].value == SCHOOL["completion_rate"] == 0.4


def test_remarks_name_exempt_talents() -> None:
    sheet = load(SCHOOL_SNAPSHOT)["甲学院党委"]
    assert sheet["G3"].value == "2 名教师（1 名高知识群体教师）；不占计划的高层次人才 1 名"
    assert sheet["G4"].value is None
    assert sheet["G6"].value == "不占计划的高层次人才 1 名"
    assert load(SCHOOL_SNAPSHOT)["学校甲党委"]["G5"].value == "不占计划的高层次人才 1 名"


def test_total_row_is_the_rollup_not_a_sum() -> None:
    snapshot = copy.deepcopy(SCHOOL_SNAPSHOT)
    snapshot["levels"][0]["line"].update(plan=99, forecast=98, admitted=97, completion_rate=0.9798)
    sheet = load(snapshot)["学校甲党委"]
    assert rows(sheet, 5, 1, 6) == [(None, "合计", 99, 98, 97, 0.9798)]


def test_structure_sheet() -> None:
    sheet = load(SCHOOL_SNAPSHOT)["发展结构"]
    assert sheet["A1"].value == "学校甲党委 2024 年度发展党员结构情况"
    assert rows(sheet, 2, 1, 12) == [STRUCTURE_HEADERS]
    body = rows(sheet, 3, 3, 12)
    for row, part in zip(body, [COMMITTEE_A, COMMITTEE_B, SCHOOL], strict=True):
        assert row[2:] == (
            part["admitted"],
            part["admitted_exempt"],
            *(part["structure"][key] for key in STRUCTURE_KEYS),
        )
    assert [row[:2] for row in body] == [(1, "甲学院党委"), (2, "乙学院党委"), (None, "合计")]
    total = body[-1]
    assert total[4:] == tuple(SCHOOL["structure"][key] for key in STRUCTURE_KEYS)
    assert total[2:] == tuple(sum(row[i] for row in body[:-1]) for i in range(2, 12))
    assert sheet["A6"].value is None  # blank row before the targets


def test_structure_sheet_targets() -> None:
    sheet = load(SCHOOL_SNAPSHOT)["发展结构"]
    start = find(sheet, "结构性要求")
    assert start == 7
    assert rows(sheet, start + 1, 1, 6) == [TARGET_HEADERS]
    assert rows(sheet, start + 2, 3, 6) == [
        ("女性", 1, None, 3, 0.5, "是"),
        ("35岁及以下", None, 0.8, 6, 1.0, "是"),
        ("少数民族", 2, None, 1, 0.1667, "否"),
    ]
    for row in range(start + 2, start + 5):
        assert sheet.cell(row, 3).number_format == "0.0%"
        assert sheet.cell(row, 5).number_format == "0.0%"


def test_structure_sheet_pipeline() -> None:
    sheet = load(SCHOOL_SNAPSHOT)["发展结构"]
    start = find(sheet, "期末发展队伍")
    assert sheet.cell(start - 1, 1).value is None
    assert rows(sheet, start + 1, 1, 6) == [PIPELINE_HEADERS]
    body = rows(sheet, start + 2, 3, 6)
    assert body == [
        (
            part["unit_name"] if part is not SCHOOL else "合计",
            *(part["pipeline"][key] for key in PIPELINE_KEYS),
        )
        for part in (COMMITTEE_A, COMMITTEE_B, SCHOOL)
    ]
    assert body[-1][1:] == tuple(sum(row[i] for row in body[:-1]) for i in range(1, 6))
    assert sheet.max_row == start + 4


def test_own_line_on_the_first_level_is_listed_everywhere() -> None:
    own = line(1, "省委教育工委", "commission", 2, 2, 1, structure={"women": 1})
    total = rollup(1, "省委教育工委", "commission", *SCHOOLS, own)
    level = {"unit": unit(total), "line": total, "own": own, "children": SCHOOLS}
    book = load(PROVINCE_SNAPSHOT | {"kind": "school", "levels": [level]})
    assert rows(book["省委教育工委"], 6, 2, 5) == [
        (None, "本级直属", 2, 2, 1),
        (None, "合计", 37, 35, 27),
    ]
    structure = book["发展结构"]
    assert [structure.cell(row, 2).value for row in (6, 7)] == ["本级直属", "合计"]
    assert (structure["E6"].value, structure["E7"].value) == (1, 13)


def test_sheet_titles_are_sanitised_and_unique() -> None:
    used: set[str] = set()
    long = "丙学院[研究生]:第一/第二*联合?党总支\\委员会下属各党支部汇总表格名称很长很长"
    first = sheet_title(long, used)
    second = sheet_title(long, used)
    assert len(first) == 31 and len(second) <= 31
    assert not set("[]:*?/\\") & set(first + second)
    assert first.startswith("丙学院_研究生__第一_第二_联合_党总支_")
    assert second.endswith("(2)") and second[:-3] == first[: len(second) - 3]
    assert sheet_title("'Abc'", used) == "Abc"
    assert sheet_title("abc", used) == "abc(2)"
    assert sheet_title(" ?* ", used) == "__"
    assert sheet_title("", used) == "Sheet"


def test_duplicate_and_reserved_unit_names_get_suffixes() -> None:
    snapshot = copy.deepcopy(SCHOOL_SNAPSHOT)
    long = "丙学院[研究生]:第一/第二*联合?党总支\\委员会下属各党支部汇总表格名称很长很长"
    snapshot["levels"].append(copy.deepcopy(snapshot["levels"][1]))
    for level, name in zip(snapshot["levels"], ["发展结构", long, long], strict=True):
        level["unit"]["name"] = name
    names = load(snapshot).sheetnames
    assert names[0] == "发展结构(2)"
    assert names[3:] == ["发展结构", "报告正文"]
    assert len(names[1]) == 31 and names[2].endswith("(2)") and len(names[2]) <= 31
    assert len(set(names)) == 5


def test_formatting() -> None:
    book = load(SCHOOL_SNAPSHOT)
    for title, columns in (("学校甲党委", 7), ("甲学院党委", 7), ("发展结构", 12)):
        sheet = book[title]
        assert sheet.freeze_panes == "A3"
        found = widths(sheet)
        assert all(found.get(column, 0) > 0 for column in range(1, columns + 1)), found
        assert found[2] >= 24
        assert all(sheet.cell(2, column).font.b for column in range(1, columns + 1))
        assert sheet.cell(3, 2).border.left.style == "thin"
        assert sheet.cell(2, 1).border.bottom.style == "thin"
    assert widths(book["发展结构"])[1] >= 24  # the pipeline names are in column A


def test_narrative_sheet() -> None:
    sheet = load(SCHOOL_SNAPSHOT)["报告正文"]
    assert rows(sheet, 1, 4, 2) == [
        ("报告期间", "2024 年度（2024-01-01 至 2024-12-31）"),
        ("填报单位", "学校甲党委"),
        ("生成时间", "2024-12-10T08:00:00+08:00"),
        ("报告正文", SCHOOL_SNAPSHOT["narrative"]),
    ]
    assert sheet["B4"].alignment.wrap_text
    assert sheet.row_dimensions[4].height >= 4 * 15


def test_blank_narrative_means_no_narrative_sheet() -> None:
    for narrative in ("", "  \n ", None):
        snapshot = SCHOOL_SNAPSHOT | {"narrative": narrative}
        assert "报告正文" not in load(snapshot).sheetnames


def test_user_text_stays_text() -> None:
    snapshot = copy.deepcopy(SCHOOL_SNAPSHOT)
    snapshot["levels"][0]["children"][1]["remark"] = '=HYPERLINK("http://x")\x07'
    cell = load(snapshot)["学校甲党委"]["G4"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


def test_province_workbook() -> None:
    book = load(PROVINCE_SNAPSHOT)
    assert book.sheetnames == ["全省汇总", "发展结构"]
    sheet = book["全省汇总"]
    assert sheet["A1"].value == "省委教育工委 2024 年度 各高校发展党员指导性计划执行情况"
    assert rows(sheet, 2, 1, 7) == [("序号", "学校名称", *LEVEL_HEADERS[2:])]
    body = rows(sheet, 3, 4, 6)
    assert body == [
        (1, "学校甲党委", 15, 15, 6, 0.4),
        (2, "学校乙党委", 20, 18, 20, 1.0),
        (3, "学校丙党委", 0, 0, 0, None),
        (None, "合计", 35, 33, 26, COMMISSION["completion_rate"]),
    ]
    assert sheet.max_row == 6
    assert sheet.freeze_panes == "A3"
    structure = book["发展结构"]
    assert structure["A1"].value == "省委教育工委 2024 年度发展党员结构情况"
    assert [structure.cell(row, 2).value for row in range(3, 7)] == [
        "学校甲党委",
        "学校乙党委",
        "学校丙党委",
        "合计",
    ]
    assert structure["E6"].value == 12
    assert "结构性要求" not in [row[0] for row in structure.iter_rows(values_only=True)]
    assert book.properties.title == sheet["A1"].value


def test_column_letters_cover_every_used_column() -> None:
    book = load(PROVINCE_SNAPSHOT)
    for sheet in book.worksheets:
        found = widths(sheet)
        for column in range(1, sheet.max_column + 1):
            assert found.get(column, 0) > 0, (sheet.title, get_column_letter(column))
