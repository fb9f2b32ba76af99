"""Shared by the roster file's tests: 12371 member exports written with openpyxl, and their
upload through the GraphQL multipart request convention (operations, map, file parts)."""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
import openpyxl

UPLOAD = """mutation($school: ID!, $file: Upload!) {
  importMembers12371(schoolId: $school, file: $file) {
    inserted updated errorCount errors { code field message sheet row column } } }"""
MEMBERS = """query($u: ID, $on: Date) { members(under: $u, on: $on, first: 200) {
  edges { node { code name status source joinedOn fullOn leftOn branch { name } } } } }"""

#: The columns of a 12371 member export, as the tests write them: used ones and ignored ones.
HEADERS = (
    "序号",
    "人员编号",
    "姓名",
    "性别",
    "公民身份号码",
    "所在党支部",
    "入党日期",
    "转为正式党员日期",
    "离开日期",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def roster_row(
    code: str, name: str, branch: str, joined: Any, full: Any = None, left: Any = None
) -> list[Any]:
    """A row under ``HEADERS``: dates as given (text or ``date``: a real date cell)."""
    return [None, code, name, "女", "140902200305040021", branch, joined, full, left]


def workbook(
    rows: list[list[Any]],
    *,
    headers: tuple[str, ...] = HEADERS,
    title: str = "党员",
    notice: str | None = "党员信息（导出自全国党员管理信息系统）",
    before: tuple[str, ...] = (),
) -> bytes:
    """An .xlsx: the sheets titled ``before`` (empty), then the roster sheet with a notice
    row (if any), the header row and ``rows``."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for other in before:
        book.create_sheet(other)
    sheet = book.create_sheet(title)
    if notice is not None:
        sheet.append([notice])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def upload(
    client: httpx.AsyncClient,
    school: str,
    content: bytes | None,
    token: str | None,
    *,
    name: str = "党员名册.xlsx",
) -> dict[str, Any]:
    """``importMembers12371`` with ``content`` as its file part (None: the variable sent as a
    plain JSON value instead of a file)."""
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    if content is None:
        response = await client.post(
            "/graphql",
            json={"query": UPLOAD, "variables": {"school": school, "file": "roster.xlsx"}},
            headers=headers,
        )
    else:
        operations = {"query": UPLOAD, "variables": {"school": school, "file": None}}
        response = await client.post(
            "/graphql",
            data={
                "operations": json.dumps(operations),
                "map": json.dumps({"0": ["variables.file"]}),
            },
            files={"0": (name, content, XLSX)},
            headers=headers,
        )
    assert response.status_code == 200, response.text
    return response.json()


def problems(result: dict[str, Any]) -> list[tuple[Any, ...]]:
    """(code, sheet, row, column) of each error of the payload."""
    payload = result["data"]["importMembers12371"]
    return [(e["code"], e["sheet"], e["row"], e["column"]) for e in payload["errors"]]
