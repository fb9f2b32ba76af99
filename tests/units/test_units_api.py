"""The unit tree through the API: create, rename, move, deactivate, list."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from support import raw_id, scalar

CREATE = """mutation($input: CreateUnitInput!) {
  createUnit(input: $input) { unit { id name kind depth parent { name } school { name } }
                              errors { code field message } } }"""
RENAME = """mutation($input: RenameUnitInput!) {
  renameUnit(input: $input) { unit { id name code } errors { code field } } }"""
MOVE = """mutation($input: MoveUnitInput!) {
  moveUnit(input: $input) { unit { id depth parent { name } } errors { code field } } }"""
DEACTIVATE = """mutation($input: DeactivateUnitInput!) {
  deactivateUnit(input: $input) { unit { id active } errors { code field message } } }"""
UNITS = """query($under: ID, $kind: UnitKind, $inactive: Boolean!, $first: Int, $after: String) {
  units(under: $under, kind: $kind, includeInactive: $inactive, first: $first, after: $after) {
    edges { cursor node { id name kind active parent { name } school { name } } }
    pageInfo { hasNextPage endCursor } } }"""


async def _create(gql, token: str, parent: str, kind: str, name: str, code: str | None = None):  # type: ignore[no-untyped-def]
    result = await gql(
        CREATE,
        {"input": {"parentId": parent, "kind": kind, "name": name, "code": code}},
        token,
    )
    assert "errors" not in result, result
    return result["data"]["createUnit"]


async def _paths(owner_engine, ids: list[int]) -> dict[int, str]:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT id, path::text AS path FROM units WHERE id = ANY(:ids)"), {"ids": ids}
        )
        return {r.id: r.path for r in rows}


async def test_create_committee_and_branch(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["school_admin"]
    committee = await _create(
        gql, token, world.gid("A"), "COMMITTEE", "  外国语学院  党委 ", "A-WGY"
    )
    assert committee["errors"] == []
    assert committee["unit"]["name"] == "外国语学院 党委"  # whitespace normalised
    assert committee["unit"]["depth"] == 3
    branch = await _create(gql, token, committee["unit"]["id"], "BRANCH", "外国语学院学生党支部")
    unit = branch["unit"]
    assert (unit["parent"]["name"], unit["school"]["name"]) == ("外国语学院 党委", "学校甲党委")
    paths = await _paths(owner_engine, [raw_id(unit["id"]), world.units["A"]])
    assert paths[raw_id(unit["id"])].startswith(paths[world.units["A"]] + ".")


@pytest.mark.parametrize(
    ("parent", "kind", "name", "code", "error"),
    [
        ("A", "BRANCH", "   ", None, ("INVALID_NAME", "name")),
        ("A", "BRANCH", "名" * 101, None, ("INVALID_NAME", "name")),
        ("A1a", "BRANCH", "支部下的支部", None, ("INVALID_PARENT", "parentId")),
        ("A", "SCHOOL", "学校下的学校", None, ("INVALID_PARENT", "parentId")),
        ("A", "COMMISSION", "新工委", None, ("INVALID_KIND", "kind")),
        ("A", "BRANCH", "坏代码", "空 格", ("INVALID_CODE", "code")),
    ],
)
async def test_create_refusals_are_typed_and_write_nothing(  # type: ignore[no-untyped-def]
    gql, world, owner_engine, parent, kind, name, code, error
) -> None:
    before = await scalar(owner_engine, "SELECT count(*) FROM units")
    result = await gql(
        CREATE,
        {"input": {"parentId": world.gid(parent), "kind": kind, "name": name, "code": code}},
        world.tokens["commission_admin"],
    )
    payload = result["data"]["createUnit"]
    assert payload["unit"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [error]
    assert await scalar(owner_engine, "SELECT count(*) FROM units") == before
    assert await scalar(owner_engine, "SELECT count(*) FROM audit_log") == 0


async def test_duplicate_code_held_by_another_school(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await _create(gql, world.tokens["other_school_admin"], world.gid("B"), "BRANCH", "乙", "DUP-1")
    result = await gql(
        CREATE,
        {"input": {"parentId": world.gid("A"), "kind": "BRANCH", "name": "甲", "code": "DUP-1"}},
        world.tokens["school_admin"],
    )
    assert [e["code"] for e in result["data"]["createUnit"]["errors"]] == ["DUPLICATE_CODE"]
    assert await scalar(owner_engine, "SELECT count(*) FROM units WHERE code = 'DUP-1'") == 1


async def test_rename_keeps_path_and_sets_or_clears_code(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    token, unit = world.tokens["unit_admin"], world.gid("A1a")
    before = await _paths(owner_engine, [world.units["A1a"]])
    result = await gql(RENAME, {"input": {"unitId": unit, "name": "新名", "code": "X-1"}}, token)
    assert result["data"]["renameUnit"]["unit"] == {"id": unit, "name": "新名", "code": "X-1"}
    result = await gql(RENAME, {"input": {"unitId": unit, "name": "新名二"}}, token)
    assert result["data"]["renameUnit"]["unit"]["code"] == "X-1"  # omitted: kept
    result = await gql(RENAME, {"input": {"unitId": unit, "name": "新名二", "code": None}}, token)
    assert result["data"]["renameUnit"]["unit"]["code"] is None  # null: cleared
    assert await _paths(owner_engine, [world.units["A1a"]]) == before


async def test_move_rebases_subtree_and_path_copies(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    admin = world.tokens["school_admin"]
    new_parent = (await _create(gql, admin, world.gid("A"), "COMMITTEE", "新党委"))["unit"]["id"]
    result = await gql(
        MOVE, {"input": {"unitId": world.gid("A1"), "newParentId": new_parent}}, admin
    )
    moved = result["data"]["moveUnit"]
    assert moved["errors"] == [] and moved["unit"]["parent"]["name"] == "新党委"
    assert moved["unit"]["depth"] == 4

    ids = [world.units[k] for k in ("A1", "A1a", "A1b")] + [raw_id(new_parent)]
    paths = await _paths(owner_engine, ids)
    new_path = paths[raw_id(new_parent)]
    for key in ("A1a", "A1b"):
        assert paths[world.units[key]] == f"{new_path}.{world.units['A1']}.{world.units[key]}"
    async with owner_engine.connect() as conn:
        home = await conn.scalar(
            sa.text("SELECT home_path::text FROM users WHERE id = :u"),
            {"u": world.users["branch_secretary"]},
        )
        bound = await conn.scalar(
            sa.text("SELECT unit_path::text FROM role_bindings WHERE user_id = :u"),
            {"u": world.users["unit_admin"]},
        )
    assert home == paths[world.units["A1a"]]
    assert bound == paths[world.units["A1"]]
    # The moved subtree's own roles still reach it.
    result = await gql(
        "query($id: ID!) { unit(id: $id) { name } }",
        {"id": world.gid("A1b")},
        world.tokens["unit_admin"],
    )
    assert result["data"]["unit"]["name"] == "甲院第二党支部"


@pytest.mark.parametrize(
    ("unit", "target", "token", "code"),
    [
        ("A1", "A1a", "school_admin", "MOVE_INTO_OWN_SUBTREE"),
        ("A1", "A1", "school_admin", "MOVE_INTO_OWN_SUBTREE"),
        ("A1a", "A2", "school_admin", "INVALID_PARENT"),
        ("A", "commission", "commission_admin", "INVALID_KIND"),
        ("A1a", "B", "commission_admin", "CROSS_SCHOOL_MOVE"),
    ],
)
async def test_move_refusals(gql, world, owner_engine, unit, target, token, code) -> None:  # type: ignore[no-untyped-def]
    before = await _paths(owner_engine, list(world.units.values()))
    result = await gql(
        MOVE,
        {"input": {"unitId": world.gid(unit), "newParentId": world.gid(target)}},
        world.tokens[token],
    )
    assert [e["code"] for e in result["data"]["moveUnit"]["errors"]] == [code]
    assert await _paths(owner_engine, list(world.units.values())) == before


async def test_move_to_another_school_is_not_found_for_a_school_admin(gql, world) -> None:  # type: ignore[no-untyped-def]
    result = await gql(
        MOVE,
        {"input": {"unitId": world.gid("A1a"), "newParentId": world.gid("B")}},
        world.tokens["school_admin"],
    )
    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_deactivate(gql, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    admin = world.tokens["school_admin"]
    result = await gql(DEACTIVATE, {"input": {"unitId": world.gid("A1")}}, admin)
    assert [e["code"] for e in result["data"]["deactivateUnit"]["errors"]] == [
        "HAS_ACTIVE_CHILDREN"
    ]

    # A declared guard blocks what it names, with its reason, when it finds rows at the unit
    # or below it: the first that does.
    from partyplan.models import units
    from partyplan.resolvers.units import ties

    held = units.c.name == "甲院第二党支部"
    guards = (
        ties.Guard(units.c.path, held, "{unit}: moves only", frozenset({"move"})),
        ties.Guard(units.c.path, held, "{unit} holds {count}", frozenset({"move", "deactivate"})),
    )
    monkeypatch.setattr(ties, "GUARDS", guards)
    result = await gql(DEACTIVATE, {"input": {"unitId": world.gid("A1b")}}, admin)
    errors = result["data"]["deactivateUnit"]["errors"]
    assert [(e["code"], e["message"]) for e in errors] == [("IN_USE", "甲院第二党支部 holds 1")]
    moved = await gql(
        MOVE, {"input": {"unitId": world.gid("A1b"), "newParentId": world.gid("A")}}, admin
    )
    errors = moved["data"]["moveUnit"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("IN_USE", "unitId")]
    # A1 is held by what is below it.
    other = (await _create(gql, admin, world.gid("A"), "COMMITTEE", "乙院党委"))["unit"]["id"]
    moved = await gql(MOVE, {"input": {"unitId": world.gid("A1"), "newParentId": other}}, admin)
    assert [e["code"] for e in moved["data"]["moveUnit"]["errors"]] == ["IN_USE"]

    result = await gql(DEACTIVATE, {"input": {"unitId": world.gid("A1a")}}, admin)
    assert result["data"]["deactivateUnit"]["unit"]["active"] is False
    again = await gql(DEACTIVATE, {"input": {"unitId": world.gid("A1a")}}, admin)
    assert [e["code"] for e in again["data"]["deactivateUnit"]["errors"]] == ["INACTIVE_UNIT"]
    created = await gql(
        CREATE, {"input": {"parentId": world.gid("A1a"), "kind": "BRANCH", "name": "x"}}, admin
    )
    assert [e["code"] for e in created["data"]["createUnit"]["errors"]] == ["INVALID_PARENT"]

    listed = await gql(UNITS, {"under": world.gid("A1"), "inactive": False}, admin)
    names = [e["node"]["name"] for e in listed["data"]["units"]["edges"]]
    assert "甲院第一党支部" not in names and "甲院第二党支部" in names
    listed = await gql(UNITS, {"under": world.gid("A1"), "inactive": True}, admin)
    assert "甲院第一党支部" in [e["node"]["name"] for e in listed["data"]["units"]["edges"]]


async def test_units_filters_and_pagination(gql, world) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["commission_admin"]
    branches = await gql(UNITS, {"kind": "BRANCH", "inactive": False}, token)
    names = {e["node"]["name"] for e in branches["data"]["units"]["edges"]}
    assert names == {"甲院第一党支部", "甲院第二党支部", "甲校机关党支部", "乙校第一党支部"}

    seen: list[str] = []
    after = None
    while True:
        page = await gql(UNITS, {"first": 3, "after": after, "inactive": False}, token)
        connection = page["data"]["units"]
        seen += [e["node"]["id"] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    expected = sorted(v for k, v in world.units.items() if k not in ("commission2", "C"))
    assert [raw_id(i) for i in seen] == expected


async def test_node_resolves_a_unit(gql, world) -> None:  # type: ignore[no-untyped-def]
    result = await gql(
        "query($id: ID!) { node(id: $id) { __typename ... on Unit { name kind } } }",
        {"id": world.gid("A1")},
        world.tokens["viewer"],
    )
    assert result["data"]["node"] == {"__typename": "Unit", "name": "甲院党委", "kind": "COMMITTEE"}


async def test_units_page_costs_a_bounded_number_of_statements(gql, world, platform) -> None:  # type: ignore[no-untyped-def]
    admin = world.tokens["school_admin"]
    for i in range(30):
        await _create(gql, admin, world.gid("A1"), "BRANCH", f"支部{i:02d}")
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = platform.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        counts = []
        for first in (2, 30):
            statements.clear()
            result = await gql(UNITS, {"first": first, "inactive": False}, admin)
            assert len(result["data"]["units"]["edges"]) == first
            counts.append(len(statements))
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    # principal binding + the page + one batched load of parents/schools
    assert counts[0] == counts[1] <= 3, counts
