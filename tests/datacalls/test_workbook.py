"""The roll-up workbook's door: scoped like the other downloads (401 without a caller, 404 for
another school, a link opens only its own call), and a caller who reaches the call through a
unit it was sent to sees the roll-up from that unit down, never its siblings' answers."""

from __future__ import annotations

import io

import openpyxl
from support import raw_id
from support_datacalls import ANSWER, issue

LINK = "query($c: ID!) { node(id: $c) { ... on DataCall { downloadUrl workbookPath } } }"


async def test_the_workbook_is_scoped(gql, world, client) -> None:  # type: ignore[no-untyped-def]
    call = await issue(gql, world, "A", ["A1", "A1a", "A2"], "school_admin")
    second = await issue(gql, world, "A", ["A2"], "school_admin")
    for unit, teachers in (("A1a", 3), ("A2", 40)):
        done = await gql(
            ANSWER,
            {
                "c": call,
                "u": world.gid(unit),
                "a": {"teachers": teachers, "applied": 0, "level": "一般"},
            },
            world.tokens["school_admin"],
        )
        assert done["data"]["answerDataCall"]["errors"] == []
    path = f"/datacalls/{raw_id(call)}.xlsx"
    assert (await client.get(path)).status_code == 401
    other = {"Authorization": f"Bearer {world.tokens['other_school_admin']}"}
    assert (await client.get(path, headers=other)).status_code == 404
    assert (await client.get("/datacalls/99999999.xlsx", headers=other)).status_code == 404

    link = (await gql(LINK, {"c": call}, world.tokens["viewer"]))["data"]["node"]
    assert link["workbookPath"] == path
    token = link["downloadUrl"].rpartition("token=")[2]
    wrong = await client.get(f"/datacalls/{raw_id(second)}.xlsx?token={token}")
    assert wrong.status_code == 401
    assert (await client.get(link["downloadUrl"])).status_code == 200

    # The unit admin of A1 reaches the call through A1: A1's level only, A2's answer absent.
    mine = (await gql(LINK, {"c": call}, world.tokens["unit_admin"]))["data"]["node"]
    response = await client.get(mine["downloadUrl"])
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["汇总", "明细"]
    detail = [r for r in book["明细"].iter_rows(min_row=4, values_only=True)]
    assert [r[1] for r in detail] == ["甲院党委", "甲院第一党支部", "合计"]
    assert detail[-1][5] == 3


ROLLUP_LINES = """query($c: ID!) { node(id: $c) { ... on DataCall {
  rollup { unitName lines { unitName expected } total { expected } } } } }"""


async def test_a_school_rolls_up_its_part_of_a_commission_call(gql, world) -> None:  # type: ignore[no-untyped-def]
    call = await issue(gql, world, "commission", ["A1a", "A2", "B"], "commission_admin")
    ours = (await gql(ROLLUP_LINES, {"c": call}, world.tokens["school_admin"]))["data"]["node"]
    assert ours["rollup"]["unitName"] == "学校甲党委"
    assert [(x["unitName"], x["expected"]) for x in ours["rollup"]["lines"]] == [
        ("甲院党委", 1),
        ("甲校机关党支部", 1),
    ]
    assert ours["rollup"]["total"]["expected"] == 2
    top = (await gql(ROLLUP_LINES, {"c": call}, world.tokens["commission_admin"]))["data"]
    assert top["node"]["rollup"]["total"]["expected"] == 3
