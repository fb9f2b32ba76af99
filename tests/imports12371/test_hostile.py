"""Hostile and oversized 12371 files: each refused with a typed error, never a crash, and
the row limit enforced before the file is read to its end."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from support_import12371 import (
    APPLICANT,
    HEADERS,
    MAX_BYTES,
    applicant_row,
    export,
    only,
    patched,
    read,
    recruit,
    refused,
    sheet_file,
)

from partyplan.resolvers.exports12371 import rules
from partyplan.resolvers.imports12371.errors import CellInvalid, ImportErrorCode
from partyplan.resolvers.imports12371.workbook import Cell, cell_text

# --- too many rows ------------------------------------------------------------------------------


async def test_too_many_rows_stops_before_the_end(tmp_path: Path) -> None:
    rows = [
        [rules.NOTICE_CLEAR],
        HEADERS,
        *(applicant_row(n) for n in range(1, 5)),
        applicant_row(5, name="张3"),
    ]  # bad, but past the limit: never read
    path = sheet_file(tmp_path / "rows.xlsx", rows)
    # Within the limit, the bad last row is found...
    assert only(await refused(path, max_rows=5)).code == ImportErrorCode.INVALID_VALUE
    # ...past it, reading stops at the first row too many, before the bad one.
    problem = only(await refused(path, max_rows=4))
    assert (problem.code, problem.sheet, problem.row) == (
        ImportErrorCode.TOO_MANY_ROWS,
        "入党申请人",
        7,
    )


async def test_rows_of_all_sheets_count_together(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    await export(path, {"applicant": [recruit(1), recruit(2)], "activist": [recruit(3)]})
    assert len(await read(path, max_rows=3)) == 3
    problem = only(await refused(path, max_rows=2))
    assert (problem.code, problem.sheet, problem.row) == (
        ImportErrorCode.TOO_MANY_ROWS,
        "入党积极分子",
        3,
    )


# --- hostile files ------------------------------------------------------------------------------


async def test_text_renamed_xlsx_and_an_empty_file(tmp_path: Path) -> None:
    text = tmp_path / "text.xlsx"
    text.write_text("姓名,公民身份号码\n张三,1\n", encoding="utf-8")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    ole = tmp_path / "old.xlsx"
    ole.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 600)
    for path in (text, empty, ole):
        problem = only(await refused(path))
        assert (problem.code, problem.sheet) == (ImportErrorCode.NOT_A_WORKBOOK, None)


async def test_a_zip_that_is_no_workbook_or_is_truncated(tmp_path: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("readme.txt", "hello")
    good = tmp_path / "good.xlsx"
    await export(good, {"applicant": [recruit(1)]})
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    for path in (plain, truncated):
        assert only(await refused(path)).code == ImportErrorCode.NOT_A_WORKBOOK


async def test_a_zip_bomb_is_too_large(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (21 * MAX_BYTES))
    assert bomb.stat().st_size < MAX_BYTES
    problem = only(await refused(bomb))
    assert problem.code == ImportErrorCode.FILE_TOO_LARGE
    assert "解压后" in problem.message


async def test_a_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    await export(path, {"applicant": [recruit(1)]})
    problem = only(await refused(path, max_bytes=path.stat().st_size - 1))
    assert problem.code == ImportErrorCode.FILE_TOO_LARGE


@pytest.mark.parametrize("character", [b"&#0;", b"&#xD800;", b"\xed\xa0\x80"])
async def test_text_that_cannot_be_stored(tmp_path: Path, character: bytes) -> None:
    path = sheet_file(tmp_path / "nul.xlsx", [HEADERS, applicant_row(1, branch="PLACEHOLDER")])
    patched(path, "xl/worksheets/sheet1.xml", b"PLACEHOLDER", b"branch" + character)
    # XML cannot carry them: the sheet does not parse, and is refused as corrupt.
    problem = only(await refused(path))
    assert (problem.code, problem.sheet) == (ImportErrorCode.NOT_A_WORKBOOK, "入党申请人")


def test_cell_text_refuses_nul_and_surrogates() -> None:
    for text in ("a\0b", "a\ud800b"):
        with pytest.raises(CellInvalid) as caught:
            cell_text(Cell(1, text, "s"))
        assert caught.value.code == ImportErrorCode.INVALID_VALUE


async def test_a_number_of_thousands_of_digits(tmp_path: Path) -> None:
    row = applicant_row(1)
    row[APPLICANT.index("phone")] = 987654321  # type: ignore[call-overload]
    path = sheet_file(tmp_path / "n.xlsx", [HEADERS, row])
    patched(path, "xl/worksheets/sheet1.xml", b">987654321<", b">" + b"9" * 5000 + b"<")
    problem = only(await refused(path))
    assert (problem.code, problem.sheet) == (ImportErrorCode.INVALID_VALUE, "入党申请人")


async def test_a_row_far_beyond_excels_last(tmp_path: Path) -> None:
    path = sheet_file(tmp_path / "far.xlsx", [HEADERS, applicant_row(1)])
    patched(path, "xl/worksheets/sheet1.xml", b'<row r="2"', b'<row r="900000000000"')
    patched(path, "xl/worksheets/sheet1.xml", b'r="A2"', b'r="A900000000000"')
    problem = only(await refused(path))
    assert (problem.code, problem.sheet) == (ImportErrorCode.NOT_A_WORKBOOK, "入党申请人")
