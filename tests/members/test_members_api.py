"""The roster of Party members: importing it, reading it, and steps naming its members.

The world's rosters (conftest): m-1, m-2, m-101, m-102, m-103 are full members since 2000 at
A1a (school A) and at B1 (school B).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from support import codes, gid, id_number, scalar
from support_recruits import WALK, create, step

IMPORT = """mutation($input: ImportMembersInput!) { importMembers(input: $input) {
  inserted updated errors { index code field message } } }"""
MEMBERS = """query($u: ID, $s: MemberStatus, $on: Date, $q: String) {
  members(under: $u, status: $s, on: $on, search: $q) {
    edges { node { code name status source joinedOn fullOn leftOn branch { name } } } } }"""
STEP = """mutation($input: RecordStepInput!) { recordStep(input: $input) {
  recruit { stage } errors { code field message } } }"""


def member(world, code: str, branch: str = "A1b", **dates: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "code": code,
        "name": "周红",
        "branchId": world.gid(branch),
        "joinedOn": dates.get("joinedOn", "2010-07-01"),
        **{k: v for k, v in dates.items() if k != "joinedOn"},
    }


async def imported(
    gql,
    world,
    rows: list[dict[str, Any]],
    account: str = "school_admin",  # type: ignore[no-untyped-def]
    school: str = "A",
    **extra: Any,
) -> dict[str, Any]:
    result = await gql(
        IMPORT,
        {"input": {"schoolId": world.gid(school), "members": rows, **extra}},
        world.tokens[account],
    )
    assert "errors" not in result, result
    return result["data"]["importMembers"]


async def test_import_adds_then_replaces_by_code_and_status_follows_the_dates(gql, world) -> None:  # type: ignore[no-untyped-def]
    first = await imported(
        gql,
        world,
        [
            member(world, "A-7", fullOn="2011-07-01"),
            member(world, "A-8", joinedOn="2023-06-01"),
        ],
    )
    assert (first["inserted"], first["updated"], first["errors"]) == (2, 0, [])
    again = await imported(
        gql,
        world,
        [
            member(world, "A-8", joinedOn="2023-06-01", fullOn="2024-06-01"),
            member(world, "A-9", "A1a", leftOn="2020-01-01"),
        ],
    )
    assert (again["inserted"], again["updated"]) == (1, 1)

    async def listed(on: str, status: str | None = None) -> dict[str, str]:
        result = await gql(
            MEMBERS, {"u": world.gid("A"), "on": on, "s": status}, world.tokens["school_admin"]
        )
        return {e["node"]["code"]: e["node"]["status"] for e in result["data"]["members"]["edges"]}

    standing = await listed("2024-01-01")
    assert {code: standing[code] for code in ("A-7", "A-8", "A-9", "m-101")} == {
        "A-7": "FULL",
        "A-8": "PROBATIONARY",
        "A-9": "LEFT",
        "m-101": "FULL",
    }
    assert (await listed("2024-07-01"))["A-8"] == "FULL"
    assert set(await listed("2024-01-01", "PROBATIONARY")) == {"A-8"}
    assert set(await listed("2024-01-01", "LEFT")) == {"A-9"}
    found = await gql(MEMBERS, {"u": world.gid("A"), "q": "A-9"}, world.tokens["school_admin"])
    node = found["data"]["members"]["edges"][0]["node"]
    assert (node["code"], node["source"], node["branch"]["name"]) == (
        "A-9",
        "MANUAL",
        "甲院第一党支部",
    )


async def test_bad_rows_are_all_named_and_nothing_is_written(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    before = await scalar(owner_engine, "SELECT count(*) FROM members")
    payload = await imported(
        gql,
        world,
        [
            member(world, "ok-1"),
            member(world, "has space"),
            member(world, "ok-2", fullOn="2009-01-01"),
            member(world, "ok-3", "B1"),
            member(world, "ok-1", joinedOn="2999-01-01"),
            {**member(world, "ok-4"), "name": "张3"},
        ],
    )
    named = [(e["index"], e["code"], e["field"]) for e in payload["errors"]]
    assert named == [
        (1, "INVALID_CODE", "members.1.code"),
        (2, "INVALID_DATES", "members.2.fullOn"),
        (4, "FUTURE_DATE", "members.4.joinedOn"),
        (5, "INVALID_NAME", "members.5.name"),
        (3, "NOT_IN_SCHOOL", "members.3.branchId"),
        (4, "DUPLICATE_CODE", "members.4.code"),
    ]
    assert payload["inserted"] == 0
    assert await scalar(owner_engine, "SELECT count(*) FROM members") == before
    assert await scalar(owner_engine, "SELECT count(*) FROM audit_log") == 0


async def test_a_sync_import_needs_the_sync_permission(gql, world) -> None:  # type: ignore[no-untyped-def]
    rows = [member(world, "S-1", fullOn="2011-07-01")]
    refused = await gql(
        IMPORT,
        {"input": {"schoolId": world.gid("A"), "members": rows, "source": "SYNC_12371"}},
        world.tokens["school_admin"],
    )
    assert codes(refused) == ["FORBIDDEN"]
    payload = await imported(gql, world, rows, "sync_agent", source="SYNC_12371")
    assert payload["inserted"] == 1
    listed = await gql(MEMBERS, {"q": "S-1"}, world.tokens["school_admin"])
    assert listed["data"]["members"]["edges"][0]["node"]["source"] == "SYNC_12371"


async def test_the_roster_is_read_where_recruits_are(gql, world) -> None:  # type: ignore[no-untyped-def]
    await imported(gql, world, [member(world, "A1b-1", fullOn="2011-07-01")])
    secretary = await gql(MEMBERS, {}, world.tokens["branch_secretary"])
    seen = {e["node"]["code"] for e in secretary["data"]["members"]["edges"]}
    assert seen == {"m-1", "m-2", "m-101", "m-102", "m-103"}  # A1a only
    assert codes(await gql(MEMBERS, {"u": world.gid("A1b")}, world.tokens["branch_secretary"])) == [
        "NOT_FOUND"
    ]
    other = await gql(MEMBERS, {}, world.tokens["other_school_admin"])
    assert {e["node"]["code"] for e in other["data"]["members"]["edges"]} == seen  # B1's own
    member_id = await scalar_member_id(world, "A1b-1", gql)
    node = "query($id: ID!) { node(id: $id) { ... on Member { code } } }"
    assert codes(await gql(node, {"id": member_id}, world.tokens["other_school_admin"])) == [
        "NOT_FOUND"
    ]
    mine = await gql(node, {"id": member_id}, world.tokens["unit_admin"])
    assert mine["data"]["node"]["code"] == "A1b-1"


async def scalar_member_id(world, code: str, gql) -> str:  # type: ignore[no-untyped-def]
    result = await gql(
        "query($q: String) { members(search: $q) { edges { node { id } } } }",
        {"q": code},
        world.tokens["school_admin"],
    )
    return result["data"]["members"]["edges"][0]["node"]["id"]


async def _recruit_before(gql, world, last: str) -> str:  # type: ignore[no-untyped-def]
    """A recruit of A1a walked up to (not including) step ``last``."""
    recruit = (await create(gql, world))["recruit"]["id"]
    for code, on, data, account in WALK[: [w[0] for w in WALK].index(last)]:
        await step(gql, world, recruit, code, on, data, account)
    return recruit


async def test_introducers_must_be_full_members_of_the_school_on_the_date(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    await imported(
        gql,
        world,
        [
            member(
                world, "late", joinedOn="2023-07-01", fullOn="2024-07-01"
            ),  # full after the step
            member(world, "gone", fullOn="2011-07-01", leftOn="2024-03-01"),
            member(
                world, "other-branch", fullOn="2011-07-01"
            ),  # A1b: outside the secretary's scope
        ],
    )
    await imported(
        gql, world, [member(world, "b-only", "B1", fullOn="2011-07-01")], "other_school_admin", "B"
    )
    recruit = await _recruit_before(gql, world, "introducers")
    steps_before = await scalar(owner_engine, "SELECT count(*) FROM recruit_steps")
    secretary = world.tokens["branch_secretary"]

    async def introduce(*named: str) -> list[tuple[str, str]]:
        result = await gql(
            STEP,
            {
                "input": {
                    "recruitId": recruit,
                    "step": "INTRODUCERS",
                    "on": "2024-04-01",
                    "data": {"introducers": list(named)},
                }
            },
            secretary,
        )
        errors = result["data"]["recordStep"]["errors"]
        assert all("细则第十四条" in e["message"] for e in errors), errors
        return [(e["code"], e["field"]) for e in errors]

    assert await introduce("m-101", "nobody") == [("UNKNOWN_MEMBER", "data.introducers.1")]
    assert await introduce("late", "m-101") == [("MEMBER_NOT_FULL", "data.introducers.0")]
    assert await introduce("m-101", "gone") == [("MEMBER_NOT_FULL", "data.introducers.1")]
    assert await introduce("b-only", "m-102") == [("UNKNOWN_MEMBER", "data.introducers.0")]
    assert await introduce("late", "b-only") == [
        ("MEMBER_NOT_FULL", "data.introducers.0"),
        ("UNKNOWN_MEMBER", "data.introducers.1"),
    ]
    assert await scalar(owner_engine, "SELECT count(*) FROM recruit_steps") == steps_before
    # A full member of another branch of the same school may introduce.
    assert await introduce("other-branch", "m-101") == []


async def test_contacts_and_corrections_and_imports_are_checked_too(gql, world) -> None:  # type: ignore[no-untyped-def]
    recruit = await _recruit_before(gql, world, "contacts")
    refused = await gql(
        STEP,
        {
            "input": {
                "recruitId": recruit,
                "step": "CONTACTS",
                "on": "2023-03-28",
                "data": {"contacts": ["x-1"]},
            }
        },
        world.tokens["branch_secretary"],
    )
    errors = refused["data"]["recordStep"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("UNKNOWN_MEMBER", "data.contacts.0")]
    assert "细则第九条" in errors[0]["message"]

    recorded = await step(
        gql,
        world,
        recruit,
        "contacts",
        date(2023, 3, 28),
        {"contacts": ["m-101"]},
        "branch_secretary",
    )
    assert recorded["recruit"]["stage"] == "ACTIVIST"
    steps = (
        await gql(
            "query($id: ID!) { recruit(id: $id) { steps { id step } } }",
            {"id": recruit},
            world.tokens["branch_secretary"],
        )
    )["data"]["recruit"]["steps"]
    contacts_id = next(s["id"] for s in steps if s["step"] == "CONTACTS")
    corrected = await gql(
        "mutation($input: CorrectStepInput!) { correctStep(input: $input) { errors { code field } } }",
        {
            "input": {
                "stepId": contacts_id,
                "on": "2023-03-28",
                "data": {"contacts": ["x-2"]},
                "reason": "联系人填错",
            }
        },
        world.tokens["branch_secretary"],
    )
    assert corrected["data"]["correctStep"]["errors"] == [
        {"code": "UNKNOWN_MEMBER", "field": "data.contacts.0"}
    ]

    walk = [{"step": c.upper(), "on": on.isoformat(), "data": d} for c, on, d, _ in WALK[:9]]
    walk[8]["data"] = {"introducers": ["m-101", "x-3"]}
    imported_rows = await gql(
        "mutation($input: ImportRecruitsInput!) { importRecruits(input: $input) {"
        " errors { index code field } } }",
        {
            "input": {
                "rows": [
                    {
                        "branchId": world.gid("A1a"),
                        "name": "赵一",
                        "gender": "MALE",
                        "ethnicity": "汉族",
                        "birthDate": "2003-05-04",
                        "idNumber": id_number("20030504", 40),
                        "category": "UNDERGRADUATE",
                        "education": "BELOW_COLLEGE",
                        "applicationDate": "2022-09-15",
                        "steps": walk,
                    }
                ]
            }
        },
        world.tokens["school_admin"],
    )
    assert imported_rows["data"]["importRecruits"]["errors"] == [
        {"index": 0, "code": "UNKNOWN_MEMBER", "field": "rows.0.steps.8.data.introducers.1"}
    ]


async def test_member_standing_answers_only_for_the_callers_schools(world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    """Row-level security's side door, closed: another school's caller learns nothing."""
    school_a = world.units["A"]
    answers = {}
    for account in ("branch_secretary", "other_school_admin", "commission_admin"):
        async with owner_engine.begin() as conn:
            await conn.execute(sa.text("SET LOCAL ROLE partyplan_app"))
            await conn.execute(
                sa.text("SELECT * FROM app_bind_principal(:u)"), {"u": world.users[account]}
            )
            rows = await conn.execute(
                sa.text("SELECT code FROM member_standing(:s, ARRAY['m-101', 'm-2'])"),
                {"s": school_a},
            )
            answers[account] = sorted(r.code for r in rows)
    assert answers == {
        "branch_secretary": ["m-101", "m-2"],
        "other_school_admin": [],
        "commission_admin": ["m-101", "m-2"],
    }
    assert gid("Unit", school_a) == world.gid("A")
