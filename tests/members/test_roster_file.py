"""importMembers12371: the roster filled from a 12371 member export (docs/12371-members.md).

The world's rosters (conftest): m-1 … m-103, full members since 2000 at A1a and at B1.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from support import codes, scalar
from support_recruits import WALK, create, step
from support_roster_file import MEMBERS, problems, roster_row, upload, workbook

FIRST = "甲院第一党支部"  # A1a
SECOND = "甲院第二党支部"  # A1b
COMMITTEE = "甲院党委"  # A1


async def roster(gql, world, on: str = "2024-04-01") -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    result = await gql(MEMBERS, {"u": world.gid("A"), "on": on}, world.tokens["school_admin"])
    return {e["node"]["code"]: e["node"] for e in result["data"]["members"]["edges"]}


def payload(result: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in result, result
    return result["data"]["importMembers12371"]


async def test_a_roster_file_fills_the_roster_and_a_second_one_replaces_by_code(
    client, gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    content = workbook(
        [
            roster_row("1401000001", "王芳", FIRST, date(2010, 7, 1), date(2011, 7, 1)),
            roster_row("1401000002", "阿依古丽 • 买买提", SECOND, "2023-06-01"),
            # A code typed into a number cell, dates as text, a member who left.
            [
                None,
                1401000003,
                "李强",
                "男",
                None,
                COMMITTEE,
                "2001-07-01",
                "2002-07-01",
                "2020-01-01",
            ],
            # The member m-101 (written by hand) now comes from 12371, at another branch.
            roster_row("m-101", "老党员", SECOND, date(1999, 7, 1), date(2000, 7, 1)),
        ]
    )
    first = payload(await upload(client, world.gid("A"), content, world.tokens["sync_agent"]))
    assert (first["inserted"], first["updated"], first["errors"]) == (3, 1, [])
    listed = await roster(gql, world)
    shown = {
        code: (m["name"], m["branch"]["name"], m["joinedOn"], m["fullOn"], m["leftOn"], m["status"])
        for code, m in listed.items()
        if code.startswith("14") or code == "m-101"
    }
    assert shown == {
        "1401000001": ("王芳", FIRST, "2010-07-01", "2011-07-01", None, "FULL"),
        "1401000002": ("阿依古丽·买买提", SECOND, "2023-06-01", None, None, "PROBATIONARY"),
        "1401000003": ("李强", COMMITTEE, "2001-07-01", "2002-07-01", "2020-01-01", "LEFT"),
        "m-101": ("老党员", SECOND, "1999-07-01", "2000-07-01", None, "FULL"),
    }
    assert {listed[c]["source"] for c in shown} == {"SYNC_12371"}
    assert listed["m-102"]["source"] == "MANUAL"  # not in the file: left as it was

    again = workbook(
        [roster_row("1401000002", "阿依古丽·买买提", SECOND, "2023-06-01", "2024-06-01")]
    )
    second = payload(await upload(client, world.gid("A"), again, world.tokens["sync_agent"]))
    assert (second["inserted"], second["updated"]) == (0, 1)
    assert (await roster(gql, world, "2024-07-01"))["1401000002"]["status"] == "FULL"
    entries = await scalar(
        owner_engine,
        "SELECT json_agg(after ORDER BY id) FROM audit_log WHERE operation = 'importMembers'",
    )
    audited = json.loads(entries) if isinstance(entries, str) else entries
    assert [(e["source"], e["inserted"], e["updated"], e["file"]) for e in audited] == [
        ("12371", 3, 1, "党员名册.xlsx"),
        ("12371", 0, 1, "党员名册.xlsx"),
    ]
    assert audited[1]["codes"] == ["1401000002"] and len(audited[1]["sha256"]) == 64


async def test_the_sheet_is_党员_else_the_first_and_the_header_may_be_row_one(
    client, gql, world
) -> None:  # type: ignore[no-untyped-def]
    rows = [roster_row("T-1", "王芳", FIRST, "2010-07-01")]
    named = workbook(rows, before=("说明",))  # 党员 is the second sheet
    assert (
        payload(await upload(client, world.gid("A"), named, world.tokens["sync_agent"]))["inserted"]
        == 1
    )
    bare = workbook([roster_row("T-2", "王芳", FIRST, "2010-07-01")], title="Sheet1", notice=None)
    assert (
        payload(await upload(client, world.gid("A"), bare, world.tokens["sync_agent"]))["inserted"]
        == 1
    )
    elsewhere = workbook(rows, title="Sheet2", before=("说明",))  # roster not on the first sheet
    assert problems(
        await upload(client, world.gid("A"), elsewhere, world.tokens["sync_agent"])
    ) == [("WRONG_LAYOUT", "说明", None, None)]


async def test_every_bad_row_is_named_and_nothing_is_written(client, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    before = await scalar(owner_engine, "SELECT count(*) FROM members")
    content = workbook(
        [
            roster_row("ok-1", "王芳", FIRST, "2010-07-01"),  # row 3
            roster_row("ok-2", "王芳", "不存在的支部", "2010-07-01"),  # 4
            roster_row("ok-3", "王芳", FIRST, "2023-02-30"),  # 5
            roster_row("ok-4", "王芳", FIRST, "2023/01/01"),  # 6
            roster_row("ok-5", "王芳", FIRST, "2010-07-01", "2009-07-01"),  # 7
            roster_row("ok-1", "王芳", FIRST, "2010-07-01"),  # 8
            roster_row("has space", "张3", FIRST, "2999-01-01"),  # 9
            roster_row("ok-6", "王芳", "乙校第一党支部", "2010-07-01"),  # 10: school B's
            roster_row("ok-7", "王芳", FIRST, None),  # 11
        ]
    )
    result = payload(await upload(client, world.gid("A"), content, world.tokens["sync_agent"]))
    assert problems({"data": {"importMembers12371": result}}) == [
        ("UNKNOWN_BRANCH", "党员", 4, "所在党支部"),
        ("INVALID_DATE", "党员", 5, "入党日期"),
        ("INVALID_DATE", "党员", 6, "入党日期"),
        ("INVALID_DATES", "党员", 7, "转为正式党员日期"),
        ("DUPLICATE_CODE", "党员", 8, "人员编号"),
        ("INVALID_CODE", "党员", 9, "人员编号"),
        ("INVALID_NAME", "党员", 9, "姓名"),
        ("FUTURE_DATE", "党员", 9, "入党日期"),
        ("UNKNOWN_BRANCH", "党员", 10, "所在党支部"),
        ("MISSING_VALUE", "党员", 11, "入党日期"),
    ]
    assert result["errorCount"] == 10 and result["inserted"] == 0
    assert {e["field"] for e in result["errors"]} == {"file"}
    assert result["errors"][0]["message"].startswith("工作表“党员” F4 单元格（所在党支部）：")
    assert "已在第 3 行出现" in result["errors"][4]["message"]  # the duplicate names the first
    assert await scalar(owner_engine, "SELECT count(*) FROM members") == before
    assert await scalar(owner_engine, "SELECT count(*) FROM audit_log") == 0


async def test_a_branch_name_two_units_share_is_ambiguous(client, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO units (kind, name, parent_id, path) VALUES ('branch', :n, :p, '0')"
            ),
            {"n": FIRST, "p": world.units["A"]},
        )
    content = workbook([roster_row("x-1", "王芳", FIRST, "2010-07-01")])
    result = await upload(client, world.gid("A"), content, world.tokens["sync_agent"])
    assert problems(result) == [("AMBIGUOUS_BRANCH", "党员", 3, "所在党支部")]
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE units SET active = false WHERE name = :n AND parent_id = :p"),
            {"n": FIRST, "p": world.units["A"]},
        )
    # One of the two dissolved: the active one is meant.
    assert (
        payload(await upload(client, world.gid("A"), content, world.tokens["sync_agent"]))[
            "inserted"
        ]
        == 1
    )


async def test_the_layout_is_refused_whole(client, world) -> None:  # type: ignore[no-untyped-def]
    token, school = world.tokens["sync_agent"], world.gid("A")
    no_date = workbook([["1", "王芳", FIRST]], headers=("人员编号", "姓名", "所在党支部"))
    assert problems(await upload(client, school, no_date, token)) == [
        ("WRONG_LAYOUT", "党员", 2, "入党日期")
    ]
    unknown = workbook([], headers=("人员编号", "姓名", "所在党支部", "入党日期", "血型"))
    assert problems(await upload(client, school, unknown, token)) == [
        ("WRONG_LAYOUT", "党员", 2, "血型")
    ]
    twice = workbook([], headers=("人员编号", "党员编号", "姓名", "所在党支部", "入党日期"))
    assert problems(await upload(client, school, twice, token)) == [
        ("WRONG_LAYOUT", "党员", 2, "党员编号")
    ]
    stray = workbook(
        [roster_row("s-1", "王芳", FIRST, "2010-07-01") + ["笔记"]]  # column J has no header
    )
    assert problems(await upload(client, school, stray, token)) == [
        ("WRONG_LAYOUT", "党员", 3, None)
    ]


async def test_hostile_files_and_cells_are_typed_errors(client, world) -> None:  # type: ignore[no-untyped-def]
    token, school = world.tokens["sync_agent"], world.gid("A")
    text = await upload(client, school, "人员编号,姓名\n1,王芳\n".encode(), token)
    assert problems(text) == [("NOT_A_WORKBOOK", None, None, None)]
    assert problems(await upload(client, school, b"", token)) == [
        ("INVALID_FILE", None, None, None)
    ]
    plain = await upload(client, school, None, token)
    assert [e["code"] for e in payload(plain)["errors"]] == ["INVALID_FILE"]
    cells = workbook(
        [
            roster_row("f-1", '=HYPERLINK("http://x")', FIRST, "2010-07-01"),
            roster_row("f-2", "王芳", FIRST, "2010-07-01")[:6] + ["２０１０-０７-０１"],
            roster_row("f-3", "王芳", FIRST, "2010-07-01"),
            roster_row("x" * 1000, "王芳", FIRST, "2010-07-01"),
            roster_row("f-5", "王" * 100_000, FIRST, "2010-07-01"),
        ]
    )
    assert problems(await upload(client, school, cells, token)) == [
        ("INVALID_VALUE", "党员", 3, "姓名"),
        ("INVALID_DATE", "党员", 4, "入党日期"),
        ("INVALID_CODE", "党员", 6, "人员编号"),
        ("INVALID_NAME", "党员", 7, "姓名"),
    ]
    status = workbook(
        [
            [None, "g-1", "王芳", FIRST, "2010-07-01", "出党", None],
            [None, "g-2", "王芳", FIRST, "2010-07-01", "出党", "2020-01-01"],
            [None, "g-3", "王芳", FIRST, "2010-07-01", "正常", None],
        ],
        headers=("序号", "党员编号", "姓名", "所在党组织", "入党日期", "党籍状态", "出党日期"),
    )
    assert problems(await upload(client, school, status, token)) == [
        ("INVALID_VALUE", "党员", 3, "党籍状态")
    ]


async def test_size_and_row_limits(client, world, platform, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    token, school = world.tokens["sync_agent"], world.gid("A")
    rows = [roster_row(f"r-{n}", "王芳", FIRST, "2010-07-01") for n in range(4)]
    rows.append(roster_row("bad", "王芳", "不存在的支部", "2010-07-01"))  # after the limit
    content = workbook(rows)
    monkeypatch.setattr(platform.settings, "import_max_rows", 4)
    assert problems(await upload(client, school, content, token)) == [
        ("TOO_MANY_ROWS", "党员", 7, None)
    ]
    monkeypatch.setattr(platform.settings, "import_max_bytes", len(content) - 1)
    assert problems(await upload(client, school, content, token)) == [
        ("FILE_TOO_LARGE", None, None, None)
    ]


async def test_a_file_may_hold_more_than_import_members_rows_and_is_written_in_batches(
    client, gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    from partyplan.resolvers.members.service import MAX_ROWS
    from partyplan.resolvers.roster12371.reader import FILE_BATCH

    count = MAX_ROWS + FILE_BATCH // 2
    rows = [roster_row(f"big-{n:05d}", "王芳", FIRST, "2010-07-01") for n in range(count)]
    token, school = world.tokens["sync_agent"], world.gid("A")
    bad = workbook([*rows, roster_row("late", "王芳", FIRST, "2010-07-01", "2000-01-01")])
    refused = await upload(client, school, bad, token)
    assert problems(refused) == [("INVALID_DATES", "党员", count + 3, "转为正式党员日期")]
    assert await scalar(owner_engine, "SELECT count(*) FROM members WHERE code LIKE 'big-%'") == 0
    done = payload(await upload(client, school, workbook(rows), token))
    assert (done["inserted"], done["updated"]) == (count, 0)
    assert (
        await scalar(owner_engine, "SELECT count(*) FROM members WHERE code LIKE 'big-%'") == count
    )


@pytest.mark.parametrize(
    ("account", "school", "code"),
    [
        (None, "A", "UNAUTHENTICATED"),
        ("viewer", "A", "FORBIDDEN"),
        ("unit_admin", "A", "NOT_FOUND"),
        ("branch_secretary", "A", "NOT_FOUND"),  # the school is above the branch
        ("school_admin", "A", "FORBIDDEN"),  # member.manage, but no sync.exchange
        ("other_school_admin", "A", "NOT_FOUND"),
        ("sync_agent", "B", "NOT_FOUND"),
        ("other_commission_admin", "A", "NOT_FOUND"),
    ],
)
async def test_who_may_upload(client, world, owner_engine, account, school, code) -> None:  # type: ignore[no-untyped-def]
    # Not even a workbook: the access check comes before the file is read.
    result = await upload(
        client, world.gid(school), b"not a workbook", account and world.tokens[account]
    )
    assert codes(result) == [code]
    assert await scalar(owner_engine, "SELECT count(*) FROM audit_log") == 0


async def test_a_roster_from_the_file_is_whom_steps_may_name(client, gql, world) -> None:  # type: ignore[no-untyped-def]
    content = workbook(
        [
            roster_row("intro-1", "王芳", SECOND, "2010-07-01", "2011-07-01"),
            roster_row("intro-2", "李强", FIRST, "2012-07-01", "2013-07-01"),
            roster_row("gone", "赵一", FIRST, "2010-07-01", "2011-07-01", "2024-03-01"),
        ]
    )
    payload(await upload(client, world.gid("A"), content, world.tokens["sync_agent"]))
    recruit = (await create(gql, world))["recruit"]["id"]
    walk = WALK[: [w[0] for w in WALK].index("introducers")]
    for code, on, data, account in walk:
        await step(gql, world, recruit, code, on, data, account)
    on = dict((w[0], w[1]) for w in WALK)["introducers"]

    async def introduce(*named: str) -> list[tuple[str, str]]:
        result = await gql(
            """mutation($input: RecordStepInput!) { recordStep(input: $input) {
              errors { code field } } }""",
            {
                "input": {
                    "recruitId": recruit,
                    "step": "INTRODUCERS",
                    "on": on.isoformat(),
                    "data": {"introducers": list(named)},
                }
            },
            world.tokens["branch_secretary"],
        )
        return [(e["code"], e["field"]) for e in result["data"]["recordStep"]["errors"]]

    assert await introduce("intro-1", "gone") == [("MEMBER_NOT_FULL", "data.introducers.1")]
    assert await introduce("intro-1", "intro-2") == []
