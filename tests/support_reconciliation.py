"""Shared by the reconciliation's tests: a school's real 12371 export, edited as a 12371 file
would differ, and uploaded to ``import12371`` by the GraphQL multipart request convention."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import openpyxl
from support_export12371 import download

from partyplan.resolvers.exports12371 import rules

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

IMPORT = """mutation($s: ID!, $f: Upload!) {
  import12371(schoolId: $s, file: $f) {
    report { id status fileName fileSha256 fileBytes stages rowsRead matched conflicting
             onlyIn12371 onlyHere }
    errors { code field message sheet row column } } }"""

ENTRIES = """query($id: ID!, $kinds: [ReconciliationEntryKind!], $after: String) {
  reconciliationReport(id: $id) {
    id status
    entries(kinds: $kinds, first: 200, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { ordinal kind recruitId sheet row stage name idNumberMasked
                     conflicts { field label here theirs } decision decidedFields outcome } } } } }"""


async def exported(client, world, token: str | None = None) -> bytes:  # type: ignore[no-untyped-def]
    """School A's 12371 export as the school's administrator downloads it (unmasked)."""
    school = world.units["A"]
    response = await download(
        client, f"/exports/12371/{school}.xlsx", token or world.tokens["school_admin"]
    )
    assert response.status_code == 200, response.text
    return response.content


def edited(content: bytes, edit: Callable[[openpyxl.Workbook], None]) -> bytes:
    """The workbook ``content`` after ``edit`` (loaded whole: test files are small)."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def column(book: openpyxl.Workbook, stage: str, item: str) -> int:
    """The 1-based column of ``item`` in ``stage``'s sheet (headers on row 2)."""
    return list(rules.columns(stage)).index(item) + 1


def sheet(book: openpyxl.Workbook, stage: str) -> Any:
    return book[rules.STAGE_NAMES[stage]]


async def upload(  # type: ignore[no-untyped-def]
    client,
    token: str | None,
    school_gid: str,
    content: bytes | str,
    *,
    name: str = "12371.xlsx",
    query: str = IMPORT,
    variables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``query`` sent as a multipart request with ``content`` as its variable ``f``."""
    operations = {"query": query, "variables": {"s": school_gid, "f": None, **(variables or {})}}
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.f"]})},
        files={"0": (name, content, XLSX)},
        headers=headers,
    )
    return {"status": response.status_code, **_json(response)}


def _json(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"text": response.text}
    return body if isinstance(body, dict) else {"body": body}


async def entries(gql, token: str, report_id: str, kinds: list[str] | None = None) -> list[dict]:  # type: ignore[no-untyped-def]
    """Every entry of the report, page by page."""
    found: list[dict] = []
    after = None
    while True:
        result = await gql(ENTRIES, {"id": report_id, "kinds": kinds, "after": after}, token)
        assert "errors" not in result, result
        page = result["data"]["reconciliationReport"]["entries"]
        found += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]
