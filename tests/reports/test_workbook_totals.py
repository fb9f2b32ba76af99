"""Every total row (合计) of every sheet of every workbook adds up: each figure of the total equals
the sum of the rows above it, back to the table's header. Checked on every workbook the demo
produces (each school's report, each period's province table) and on random trees (a submitted
report, a draft's preview, the province table), read back over HTTP as a client downloads them.

Rates (percent cells) are not sums and text columns (remarks) are skipped; a blank cell is 0."""

from __future__ import annotations

import io
import random
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
import support_demo
import support_recruits as api
from openpyxl.worksheet.worksheet import Worksheet
from support import gid, raw_id
from support_plan_tree import FORECAST, PlanTree

from partyplan.resolvers.reports.workbook import PERCENT, TOTAL_LABEL

SAVE = """mutation($p: ID!, $u: ID!) { saveReportDraft(input: {periodId: $p, unitId: $u}) {
  report { id } errors { code } } }"""
SUBMITTED = """query($p: ID!, $u: ID!) { reports(periodId: $p, under: $u) {
  edges { node { id } } } }"""
SUBMIT = """mutation($p: ID!, $u: ID!) { submitReport(input: {periodId: $p, unitId: $u}) {
  report { id status } errors { code } } }"""


def block_above(sheet: Worksheet, row: int, column: int) -> tuple[int, list[int]]:
    """The header row of the table a total closes and the rows between them: the header (like
    the total) is bold, the rows it adds are not."""
    rows, above = [], row - 1
    while above > 1:
        label = sheet.cell(above, column)
        if label.value is None or label.font.b:
            break
        rows.append(above)
        above -= 1
    return above, rows[::-1]


def check_sheet(sheet: Worksheet) -> int:
    """Assert every total of the sheet; the number of figures checked."""
    checked = 0
    for cells in sheet.iter_rows():
        for total in cells:
            if total.value != TOTAL_LABEL:
                continue
            header, rows = block_above(sheet, total.row, total.column)
            assert sheet.cell(header, total.column).font.b, (sheet.title, total.row)
            for column in range(total.column + 1, sheet.max_column + 1):
                cell = sheet.cell(total.row, column)
                values = [sheet.cell(r, column).value for r in rows]
                if cell.number_format == PERCENT or any(
                    isinstance(v, str) for v in (cell.value, *values)
                ):
                    continue
                name = sheet.cell(header, column).value
                summed = sum(v or 0 for v in values)
                labels = [sheet.cell(r, total.column).value for r in rows]
                assert (cell.value or 0) == summed, (sheet.title, name, labels, values, cell.value)
                checked += 1
    return checked


def check_totals(book: openpyxl.Workbook) -> int:
    checked = sum(check_sheet(sheet) for sheet in book.worksheets)
    assert checked > 0, book.sheetnames
    return checked


def rows_of(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return [tuple(c.value for c in row[:5]) for row in sheet.iter_rows(min_row=3)]


async def download(client, path: str, token: str) -> openpyxl.Workbook:  # type: ignore[no-untyped-def]
    response = await client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, (path, response.text)
    return openpyxl.load_workbook(io.BytesIO(response.content))


async def report_book(gql, client, period: str, school: int, token: str, *, submit: bool = False):  # type: ignore[no-untyped-def]
    result = await gql(SUBMIT if submit else SAVE, {"p": period, "u": gid("Unit", school)}, token)
    payload = next(iter(result["data"].values()))
    if not submit and payload["errors"] == [{"code": "ALREADY_SUBMITTED"}]:
        # The demo's schools submitted last year's reports: read the frozen one.
        listed = await gql(SUBMITTED, {"p": period, "u": gid("Unit", school)}, token)
        [edge] = listed["data"]["reports"]["edges"]
        payload = {"errors": [], "report": edge["node"]}
    assert payload["errors"] == [], result
    return await download(client, f"/reports/{raw_id(payload['report']['id'])}.xlsx", token)


async def test_every_demo_workbook_adds_up(gql, client, platform, owner_engine) -> None:  # type: ignore[no-untyped-def]
    tokens = await support_demo.load(platform)
    admins = {"SX-JGW": tokens["sx-admin"], "CQ-JGW": tokens["cq-admin"]}
    async with owner_engine.connect() as conn:
        periods = (
            await conn.execute(
                sa.text(
                    "SELECT p.id, p.name, c.code FROM plan_periods p"
                    " JOIN units c ON c.id = p.commission_id ORDER BY p.id"
                )
            )
        ).all()
        schools = (
            await conn.execute(
                sa.text(
                    "SELECT s.id, s.name, c.code FROM units s JOIN units c ON c.id = s.parent_id"
                    " WHERE s.kind = 'school' ORDER BY s.id"
                )
            )
        ).all()
    assert {p.code for p in periods} == set(admins)
    books: dict[tuple[str, str], openpyxl.Workbook] = {}
    for period in periods:
        token = admins[period.code]
        path = f"/reports/periods/{period.id}/province.xlsx"
        books[(period.name, "province")] = await download(client, path, token)
        for school in (s for s in schools if s.code == period.code):
            books[(period.name, school.name)] = await report_book(
                gql, client, gid("PlanPeriod", period.id), school.id, token
            )
    for key, book in books.items():
        assert check_totals(book), key

    xinzhou = books[("2023 年度", "中共忻州师范学院委员会")]["中共忻州师范学院委员会"]
    assert [(r[1], r[2]) for r in rows_of(xinzhou)] == [
        ("机关党委", 6),
        ("中文系党总支", 18),
        ("数学与计算机科学系党总支", 16),
        ("教育系党总支", 12),
        ("预留", 5),
        ("未分解", 3),
        ("合计", 60),
    ]
    chongqing = "中共重庆幼儿师范高等专科学校委员会"
    table = books[("2019 年下半年", chongqing)][chongqing]
    assert [(r[0], r[3]) for r in rows_of(table)] == [
        (1, 32),
        (2, 6),
        (3, 7),
        (4, 3),
        (5, 5),
        (None, 53),
    ]
    province = books[("2019 年下半年", "province")]["全省汇总"]
    assert [(r[1], r[3]) for r in rows_of(province)] == [(chongqing, 53), ("合计", 53)]


@pytest.mark.parametrize("seed", range(3))
async def test_every_workbook_of_a_random_tree_adds_up(
    seed, gql, client, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    tree = PlanTree(gql, world, owner_engine, random.Random(seed))
    period = await tree.build()
    token = world.tokens["commission_admin"]
    province = await download(client, f"/reports/periods/{raw_id(period)}/province.xlsx", token)
    books = [province]
    for index, school in enumerate(tree.schools):
        books.append(await report_book(gql, client, period, school, token, submit=index == 0))
    for book in books:
        assert check_totals(book), (seed, book.sheetnames)


async def test_a_units_own_forecast_is_a_row_beside_its_children(gql, client, world) -> None:  # type: ignore[no-untyped-def]
    period = await api.period(gql, world, 2024)
    for unit, total in (("A1a", 5), ("A1", 2), ("A2", 4)):
        result = await gql(
            FORECAST,
            {"p": period, "u": world.gid(unit), "a": {"total": total}, "r": f"{unit} 备注"},
            world.tokens["school_admin"],
        )
        assert result["data"]["submitForecast"]["errors"] == [], result
    book = await report_book(gql, client, period, world.units["A"], world.tokens["school_admin"])
    check_totals(book)
    assert [(r[1], r[3]) for r in rows_of(book["学校甲党委"])] == [
        ("甲院党委", 7),
        ("甲校机关党支部", 4),
        ("合计", 11),
    ]
    committee = [(r[1], r[3]) for r in rows_of(book["甲院党委"])]
    assert committee == [("甲院第一党支部", 5), ("甲院第二党支部", 0), ("本级直属", 2), ("合计", 7)]
    assert book["甲院党委"]["G5"].value == "A1 备注"
