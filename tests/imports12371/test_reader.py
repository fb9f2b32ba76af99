"""Reading a 12371 file back (``imports12371.reader``), without a database: files written by
the real export (``exports12371.workbook.write`` of ``rules.cells`` rows) or by openpyxl, read
back cell for cell, or refused with their code, sheet, row and column."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from support import id_number
from support_import12371 import (
    APPLICANT,
    HEADERS,
    MAX_BYTES,
    NAMES,
    TODAY,
    applicant_row,
    expected_values,
    export,
    letter,
    only,
    read,
    recruit,
    refused,
    sheet_file,
)

from partyplan.resolvers.exports12371 import rules, workbook
from partyplan.resolvers.exports12371.service import Export12371
from partyplan.resolvers.imports12371 import reader
from partyplan.resolvers.imports12371.errors import FileRefused, ImportErrorCode
from partyplan.resolvers.warnings.rules.requirements import ITEMS

# --- round trip ---------------------------------------------------------------------------------


def everyone() -> dict[str, list]:
    return {
        stage: [recruit(10 * index + n, female=n == 2) for n in range(1, 4)]
        for index, stage in enumerate(rules.STAGE_ORDER)
    }


async def test_an_export_reads_back_cell_for_cell(tmp_path: Path) -> None:
    path, people = tmp_path / "export.xlsx", everyone()
    await export(path, people)
    found = await read(path, batch=4)
    assert [(r.sheet, r.row) for r in found] == [
        (rules.STAGE_NAMES[stage], 3 + n) for stage in rules.STAGE_ORDER for n in range(3)
    ]
    for row in found:
        items = rules.columns(row.stage)
        person, steps, pii = people[row.stage][row.row - 3]
        written = rules.cells(items, person, steps, NAMES, pii)
        assert row.cells == dict(zip(items, written, strict=True))
        assert row.values == expected_values(person, steps, pii, items)
        assert row.id_number == pii["id_number"]
    assert await reader.stages_of(path, max_bytes=MAX_BYTES) == rules.STAGE_ORDER


async def test_batches_are_cut_at_the_batch_size(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    await export(path, {"applicant": [recruit(n) for n in range(1, 6)]})
    sizes = [
        len(batch)
        async for batch in reader.batches(
            path, max_rows=10, max_bytes=MAX_BYTES, today=TODAY, batch=2
        )
    ]
    assert sizes == [2, 2, 1]


async def test_stages_of_names_only_the_sheets_present(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    await export(path, {"full_member": [], "activist": [recruit(1)]})
    assert await reader.stages_of(path, max_bytes=MAX_BYTES) == ("activist", "full_member")
    assert [r.stage for r in await read(path)] == ["activist"]


async def test_a_file_without_the_notice_row(tmp_path: Path) -> None:
    path = sheet_file(tmp_path / "hand.xlsx", [HEADERS, [], applicant_row(1), applicant_row(2)])
    found = await read(path)
    # Rows keep the numbers a spreadsheet shows; the empty row 2 is skipped, not counted.
    assert [r.row for r in found] == [3, 4]
    assert found[0].cells == dict(zip(APPLICANT, applicant_row(1), strict=True))


async def test_headers_in_another_order_and_retyped(tmp_path: Path) -> None:
    headers = ["公民身份号码", "姓名", "培养联系人(2名)"]
    path = sheet_file(
        tmp_path / "hand.xlsx", [headers, [f" {id_number('20030504', 7)} ", " 张三 ", "李四"]]
    )
    (row,) = await read(path)
    assert row.values == {
        "id_number": id_number("20030504", 7),
        "name": "张三",
        "contacts": ["李四"],
    }
    assert row.cells == {"id_number": id_number("20030504", 7), "name": "张三", "contacts": "李四"}


async def test_a_real_excel_date_cell_is_a_date(tmp_path: Path) -> None:
    cells = applicant_row(1)
    cells[APPLICANT.index("application_date")] = datetime(2021, 9, 10)  # type: ignore[call-overload]
    path = sheet_file(tmp_path / "dates.xlsx", [HEADERS, cells])
    (row,) = await read(path)
    assert row.values["application_date"] == date(2021, 9, 10)
    assert row.cells["application_date"] == "2021-09-10"


# --- masked exports -----------------------------------------------------------------------------


async def test_the_masked_export_is_refused_at_its_notice(tmp_path: Path) -> None:
    path = tmp_path / "masked.xlsx"
    person, steps, pii = recruit(1)
    masked = {"id_number": "140***********0038", "phone": "138****8000"}
    await export(path, {"applicant": [(person, steps, masked)]}, unmasked=False)
    problem = only(await refused(path))
    assert problem.code == ImportErrorCode.MASKED_ID_NUMBER
    assert (problem.sheet, problem.row) == ("入党申请人", 1)
    assert "A1" in problem.message
    assert pii  # the clear numbers were never written


async def test_a_masked_number_in_a_clear_file(tmp_path: Path) -> None:
    rows = [
        [rules.NOTICE_CLEAR],
        HEADERS,
        applicant_row(1),
        applicant_row(2, id_number="140***********0058"),
        applicant_row(3, name="张3"),
    ]
    problem = only(await refused(sheet_file(tmp_path / "m.xlsx", rows)))
    assert problem.code == ImportErrorCode.MASKED_ID_NUMBER
    assert (problem.sheet, problem.row, problem.column) == ("入党申请人", 4, "公民身份号码")
    assert f"{letter('id_number')}4" in problem.message


# --- each row-level code ------------------------------------------------------------------------

BAD_CELLS = [
    ("id_number", id_number("20030504", 1)[:17] + "0", ImportErrorCode.INVALID_ID_NUMBER),
    ("id_number", id_number("20030231", 1), ImportErrorCode.INVALID_ID_NUMBER),
    ("id_number", "", ImportErrorCode.MISSING_VALUE),
    ("gender", "女", ImportErrorCode.IDENTITY_MISMATCH),
    ("gender", "M", ImportErrorCode.UNKNOWN_CHOICE),
    ("birth_date", "2003-05-05", ImportErrorCode.IDENTITY_MISMATCH),
    ("birth_date", "2023-02-30", ImportErrorCode.INVALID_DATE),
    ("application_date", "2021/09/10", ImportErrorCode.INVALID_DATE),
    ("application_date", "２０２１-09-10", ImportErrorCode.INVALID_DATE),
    ("ethnicity", "汉", ImportErrorCode.UNKNOWN_ETHNICITY),
    ("education", "小学", ImportErrorCode.UNKNOWN_CHOICE),
    ("category", "undergraduate", ImportErrorCode.UNKNOWN_CHOICE),
    ("name", "", ImportErrorCode.MISSING_VALUE),
    ("name", "张3", ImportErrorCode.INVALID_VALUE),
    ("name", "1" * 1_000_000, ImportErrorCode.INVALID_VALUE),
    ("phone", "12345", ImportErrorCode.INVALID_VALUE),
    ("branch", "=HYPERLINK(1)", None),  # text starting "=" is text (the export writes it so)
]


@pytest.mark.parametrize(("item", "text", "code"), BAD_CELLS)
async def test_a_bad_cell_names_sheet_row_and_column(
    tmp_path: Path, item: str, text: str, code: ImportErrorCode | None
) -> None:
    rows = [[rules.NOTICE_CLEAR], HEADERS, applicant_row(1), applicant_row(2, **{item: text})]
    path = tmp_path / "bad.xlsx"
    if code is None:
        about = Export12371(1, "学校", ("applicant",), None, None, None, None, True)

        async def rows_of(stage: str) -> AsyncIterator[list[str]]:
            for row in rows[2:]:
                yield row

        await workbook.write(path, about, rows_of)
        assert [r.values.get(item) for r in await read(path)] == ["计算机学院第一党支部", text]
        return
    refusal = await refused(sheet_file(path, rows))
    problem = only(refusal)
    assert problem.code == code and refusal.code == code
    assert (problem.sheet, problem.row, problem.column) == ("入党申请人", 4, ITEMS[item])
    assert f"{letter(item)}4" in problem.message


async def test_a_formula_is_refused(tmp_path: Path) -> None:
    rows = [HEADERS, applicant_row(1, branch="=1+1")]  # openpyxl writes it as a formula
    problem = only(await refused(sheet_file(tmp_path / "f.xlsx", rows)))
    assert (problem.code, problem.row, problem.column) == (
        ImportErrorCode.INVALID_VALUE,
        2,
        "所在党支部",
    )


def probationary_row(sequence: int, **changes: str) -> list[str]:
    items = rules.columns("probationary")
    person, steps, pii = recruit(sequence)
    cells = dict(zip(items, rules.cells(items, person, steps, NAMES, pii), strict=True))
    cells.update(changes)
    return [cells[item] for item in items]


@pytest.mark.parametrize(
    ("item", "text", "code"),
    [
        ("activist_date", "2021-09-01", ImportErrorCode.DATES_OUT_OF_ORDER),
        ("approval", "2023-05-19", ImportErrorCode.DATES_OUT_OF_ORDER),
        (
            "branch_meeting",
            "2023-05-20（应到99999999999999999999999人）",
            ImportErrorCode.INVALID_VALUE,
        ),
        (
            "branch_meeting",
            "2023-05-20（应到30人，实到" + "9" * 1_000_000 + "人）",
            ImportErrorCode.INVALID_VALUE,
        ),
        ("branch_meeting", "2023-05-20（赞成3人，应到30人）", ImportErrorCode.INVALID_VALUE),
        ("branch_meeting", "2023-05-20（应到-1人）", ImportErrorCode.INVALID_VALUE),
        ("training", "3天", ImportErrorCode.INVALID_DATE),
        ("training", "2023-04-02（3周）", ImportErrorCode.INVALID_VALUE),
        ("introducers", "王五、、李四", ImportErrorCode.INVALID_VALUE),
        ("political_review", "通过", ImportErrorCode.UNKNOWN_CHOICE),
    ],
)
async def test_composites_and_order(
    tmp_path: Path, item: str, text: str, code: ImportErrorCode
) -> None:
    items = rules.columns("probationary")
    rows = [rules.headers(items), probationary_row(1, **{item: text})]
    problem = only(await refused(sheet_file(tmp_path / "p.xlsx", rows, "预备党员")))
    assert (problem.code, problem.sheet, problem.row, problem.column) == (
        code,
        "预备党员",
        2,
        ITEMS[item],
    )
    assert f"{letter(item, items)}2" in problem.message


async def test_the_same_person_twice_names_both_rows(tmp_path: Path) -> None:
    path = tmp_path / "twice.xlsx"
    await export(path, {"applicant": [recruit(1), recruit(2)], "activist": [recruit(1)]})
    problem = only(await refused(path))
    assert problem.code == ImportErrorCode.DUPLICATE_ID_NUMBER
    assert (problem.sheet, problem.row, problem.column) == ("入党积极分子", 3, "公民身份号码")
    assert "工作表“入党申请人”第 3 行" in problem.message


async def test_problems_are_collected_then_refused_at_the_end(tmp_path: Path) -> None:
    rows = [
        HEADERS,
        applicant_row(1),
        applicant_row(2, name="张3"),
        applicant_row(3),
        applicant_row(4, ethnicity="x", education="y"),
        applicant_row(5),
        applicant_row(6),
    ]
    path = sheet_file(tmp_path / "many.xlsx", rows)
    yielded = []
    with pytest.raises(FileRefused) as caught:
        async for batch in reader.batches(
            path, max_rows=100, max_bytes=MAX_BYTES, today=TODAY, batch=1, max_problems=2
        ):
            yielded.append([r.row for r in batch])
    # Rows before the first bad one were yielded; none after it (the file is refused anyway).
    assert yielded == [[2]]
    assert [p.row for p in caught.value.problems] == [3, 5]
    assert caught.value.total == 3


# --- layout -------------------------------------------------------------------------------------


async def test_an_unknown_and_a_duplicate_header(tmp_path: Path) -> None:
    rows = [[*HEADERS, "备注", "姓名"], applicant_row(1)]
    refusal = await refused(sheet_file(tmp_path / "h.xlsx", rows))
    unknown, twice = refusal.problems
    width = len(HEADERS)
    assert (unknown.code, unknown.row, unknown.column) == (ImportErrorCode.WRONG_LAYOUT, 1, "备注")
    assert f"{openpyxl.utils.get_column_letter(width + 1)}1" in unknown.message
    assert (twice.code, twice.column) == (ImportErrorCode.WRONG_LAYOUT, "姓名")
    assert "另见 A 列" in twice.message


@pytest.mark.parametrize("missing", ["name", "id_number"])
async def test_the_identity_columns_are_required(tmp_path: Path, missing: str) -> None:
    keep = [i for i, item in enumerate(APPLICANT) if item != missing]
    rows = [[HEADERS[i] for i in keep], [applicant_row(1)[i] for i in keep]]
    problem = only(await refused(sheet_file(tmp_path / "h.xlsx", rows)))
    assert (problem.code, problem.sheet, problem.row) == (
        ImportErrorCode.WRONG_LAYOUT,
        "入党申请人",
        1,
    )
    assert ITEMS[missing] in problem.message


async def test_a_value_under_no_header(tmp_path: Path) -> None:
    rows = [HEADERS, [*applicant_row(1), "", "stray"]]
    problem = only(await refused(sheet_file(tmp_path / "s.xlsx", rows)))
    assert (problem.code, problem.row, problem.column) == (ImportErrorCode.WRONG_LAYOUT, 2, None)
    assert f"{openpyxl.utils.get_column_letter(len(HEADERS) + 2)}2" in problem.message


async def test_sheets_that_are_no_stage(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"  # empty: ignored
    path = tmp_path / "none.xlsx"
    book.save(path)
    problem = only(await refused(path))
    assert (problem.code, problem.sheet) == (ImportErrorCode.WRONG_LAYOUT, None)
    book.create_sheet("入党申请人").append(HEADERS)
    book["Sheet1"]["B2"] = "notes"
    book.save(path)
    problem = only(await refused(path))
    assert (problem.code, problem.sheet) == (ImportErrorCode.WRONG_LAYOUT, "Sheet1")
    del book["Sheet1"]
    book.save(path)
    assert await read(path) == []
