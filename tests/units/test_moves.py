"""A unit moved inside its school takes its rows along: what row-level security reads on them
(their copies of the unit's path) follows the move, so the unit's new parent sees the quota,
forecasts, targets and rounds of a closed period, and its old parent no longer does; and after
moves every declared copy (``units/ties.py``) holds the current path of the unit it names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from support import codes, id_number, raw_id
from support_recruits import create, step

from partyplan.resolvers.units import ties

PLAN_TABLES = (
    "quota_movements",
    "unit_quotas",
    "forecast_submissions",
    "structural_targets",
    "dispatch_rounds",
)
# The rows of each plans table that belong to unit :u (a movement to or from it).
ABOUT_UNIT = {
    "quota_movements": "from_unit_id = :u OR to_unit_id = :u",
    "unit_quotas": "unit_id = :u",
    "forecast_submissions": "unit_id = :u",
    "structural_targets": "unit_id = :u",
    "dispatch_rounds": "unit_id = :u",
}

PLAN = """query($u: ID!, $p: ID!) { plan(unitId: $u, periodId: $p) {
  line { unitName received { total } reserve { total } forecast { amounts { total } remark } }
  children { unitName received { total } forecast { amounts { total } } }
  targets { indicator minCount } } }"""
ROUNDS = "query($p: ID!) { dispatchRounds(periodId: $p) { name } }"
MOVE = """mutation($u: ID!, $to: ID!) {
  moveUnit(input: {unitId: $u, newParentId: $to}) { errors { code message } } }"""


@dataclass
class Moved:
    """Branch A1a moved from committee A1 to a new committee A3, with a closed period's plan."""

    period: str
    round_name: str
    tokens: dict[str, str]  # "new_parent" (unit admin at A3), "old_parent" (unit admin at A1)
    users: dict[str, int]


async def _ok(gql, world, document: str, variables: dict[str, Any], account: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    result = await gql(document, variables, world.tokens[account])
    assert "errors" not in result, result
    payload = next(iter(result["data"].values()))
    assert not payload.get("errors"), payload
    return payload


async def plan_of_a_branch(gql, world) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A published period in which A1a holds rows in every plans table: (period, round)."""
    period = (
        await _ok(
            gql,
            world,
            'mutation($c: ID!) { createPlanPeriod(input: {commissionId: $c, name: "2023",'
            ' kind: CALENDAR_YEAR, startsOn: "2023-01-01", endsOn: "2023-12-31"})'
            " { period { id } errors { code } } }",
            {"c": world.gid("commission")},
            "commission_admin",
        )
    )["period"]["id"]
    state = "mutation($p: ID!) { %s(input: {periodId: $p}) { errors { code } } }"
    await _ok(gql, world, state % "publishPlanPeriod", {"p": period}, "commission_admin")
    await _ok(
        gql,
        world,
        "mutation($p: ID!, $s: ID!) { issuePlan(input: {periodId: $p, schoolId: $s, amounts:"
        ' {total: 10}, documentNo: "晋教工委组〔2023〕23号", documentDate: "2023-03-27"})'
        " { errors { code } } }",
        {"p": period, "s": world.gid("A")},
        "commission_admin",
    )
    round_name = "甲院第一党支部年中调度"
    rounds = await _ok(
        gql,
        world,
        "mutation($p: ID!, $u: ID!, $n: String!) { createDispatchRound(input:"
        " {periodId: $p, unitId: $u, name: $n}) { round { id } errors { code } } }",
        {"p": period, "u": world.gid("A1a"), "n": round_name},
        "school_admin",
    )
    allocate = (
        "mutation($p: ID!, $f: ID!, $t: ID!, $n: Int!, $r: ID) { allocateQuota(input:"
        " {periodId: $p, fromUnitId: $f, toUnitId: $t, amounts: {total: $n}, roundId: $r,"
        " targets: [{indicator: WOMEN, minCount: 1}]}) { errors { code } } }"
    )
    to_a1 = {"p": period, "f": world.gid("A"), "t": world.gid("A1"), "n": 6}
    await _ok(gql, world, allocate, to_a1, "school_admin")
    await _ok(
        gql,
        world,
        allocate,
        {
            "p": period,
            "f": world.gid("A1"),
            "t": world.gid("A1a"),
            "n": 3,
            "r": rounds["round"]["id"],
        },
        "school_admin",
    )
    await _ok(
        gql,
        world,
        "mutation($p: ID!, $u: ID!) { setReserve(input: {periodId: $p, unitId: $u,"
        " reserve: {total: 1}}) { errors { code } } }",
        {"p": period, "u": world.gid("A1a")},
        "school_admin",
    )
    await _ok(
        gql,
        world,
        "mutation($p: ID!, $u: ID!) { submitForecast(input: {periodId: $p, unitId: $u,"
        ' amounts: {total: 4}, remark: "两名入党积极分子"}) { errors { code } } }',
        {"p": period, "u": world.gid("A1a")},
        "school_admin",
    )
    return period, round_name


async def _account(owner_engine, platform, name: str, unit_id: int) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """A unit admin bound at ``unit_id``: (user id, token)."""
    async with owner_engine.begin() as conn:
        user_id = await conn.scalar(
            sa.text(
                "INSERT INTO users (username, display_name, home_unit_id, home_path, school_id)"
                " SELECT :n, :n, id, path, school_id FROM units WHERE id = :u RETURNING id"
            ),
            {"n": name, "u": unit_id},
        )
        await conn.execute(
            sa.text(
                "INSERT INTO role_bindings (user_id, role, unit_id, unit_path, school_id)"
                " SELECT :user, 'unit_admin', id, path, school_id FROM units WHERE id = :u"
            ),
            {"user": user_id, "u": unit_id},
        )
    return user_id, platform.tokens.mint(str(user_id), 600)


@pytest.fixture
async def moved(gql, world, owner_engine, platform) -> Moved:  # type: ignore[no-untyped-def]
    period, round_name = await plan_of_a_branch(gql, world)
    # A recruit of the branch, with a step recorded late (a finding) and the period's tallies
    # counting it; another admitted there, then transferred to school B, out of the mover's
    # sight; then the period closes, which lets the branch move.
    recruit = (await create(gql, world))["recruit"]["id"]
    await step(
        gql, world, recruit, "talk", date(2022, 11, 20), {"talked_by": "书记"}, "branch_secretary"
    )
    admitted = await create(gql, world, name="王芳", idNumber=id_number("20030504", 7))
    await _ok(
        gql,
        world,
        "mutation($r: ID!, $b: ID!) { transferRecruit(input: {recruitId: $r, toBranchId: $b,"
        ' reason: "转学"}) { errors { code } } }',
        {"r": admitted["recruit"]["id"], "b": world.gid("B1")},
        "commission_admin",
    )
    # Admitted at A1a before the transfer, written as the owner after it: a transfer re-derives
    # the record from its steps, and this recruit has no recorded approval to derive it from.
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "UPDATE recruits r SET approved_on = '2023-06-01', admitted_branch_id = u.id,"
                " admitted_path = u.path, admitted_school_id = u.school_id"
                " FROM units u WHERE u.id = :a1a AND r.id = :r"
            ),
            {"r": raw_id(admitted["recruit"]["id"]), "a1a": world.units["A1a"]},
        )
    await _ok(
        gql,
        world,
        "mutation($p: ID!) { closePlanPeriod(input: {periodId: $p}) { errors { code } } }",
        {"p": period},
        "commission_admin",
    )
    created = await _ok(
        gql,
        world,
        'mutation($p: ID!) { createUnit(input: {parentId: $p, kind: COMMITTEE, name: "甲院新党委"})'
        " { unit { id } errors { code } } }",
        {"p": world.gid("A")},
        "school_admin",
    )
    world.units["A3"] = raw_id(created["unit"]["id"])
    new_parent, new_token = await _account(owner_engine, platform, "a3-admin", world.units["A3"])
    result = await gql(
        MOVE, {"u": world.gid("A1a"), "to": world.gid("A3")}, world.tokens["school_admin"]
    )
    assert result["data"]["moveUnit"]["errors"] == [], result
    return Moved(
        period,
        round_name,
        tokens={"new_parent": new_token, "old_parent": world.tokens["unit_admin"]},
        users={"new_parent": new_parent, "old_parent": world.users["unit_admin"]},
    )


async def _visible(platform, user_id: int, table: str, unit_id: int) -> int:  # type: ignore[no-untyped-def]
    """Rows of ``table`` about ``unit_id`` that row-level security shows ``user_id``."""
    async with platform.engine.connect() as conn, conn.begin():
        await conn.execute(sa.text("SELECT * FROM app_bind_principal(:u)"), {"u": user_id})
        sql = f"SELECT count(*) FROM {table} WHERE {ABOUT_UNIT[table]}"
        return int(await conn.scalar(sa.text(sql), {"u": unit_id}))


async def _all(owner_engine, table: str, unit_id: int) -> int:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        sql = f"SELECT count(*) FROM {table} WHERE {ABOUT_UNIT[table]}"
        return int(await conn.scalar(sa.text(sql), {"u": unit_id}))


@pytest.mark.parametrize("table", PLAN_TABLES)
async def test_the_new_parent_sees_the_moved_units_plan_rows(
    moved, world, owner_engine, platform, table
) -> None:  # type: ignore[no-untyped-def]
    branch = world.units["A1a"]
    held = await _all(owner_engine, table, branch)
    assert held > 0, f"the scenario left no {table} row at the moved branch"
    assert await _visible(platform, moved.users["new_parent"], table, branch) == held


@pytest.mark.parametrize("table", PLAN_TABLES)
async def test_the_old_parent_no_longer_sees_them(
    moved, world, owner_engine, platform, table
) -> None:  # type: ignore[no-untyped-def]
    branch, old_parent = world.units["A1a"], world.units["A1"]
    seen = await _visible(platform, moved.users["old_parent"], table, branch)
    # Only what A1 itself took part in stays in its sight: the allocation it made to the branch.
    handed = 1 if table == "quota_movements" else 0
    assert seen == handed
    if handed:
        async with owner_engine.connect() as conn:
            own = await conn.scalar(
                sa.text(
                    "SELECT count(*) FROM quota_movements WHERE from_unit_id = :a AND to_unit_id = :b"
                ),
                {"a": old_parent, "b": branch},
            )
        assert own == handed


async def test_the_moved_plan_reads_at_its_new_place(moved, gql, world) -> None:  # type: ignore[no-untyped-def]
    new_parent, old_parent = moved.tokens["new_parent"], moved.tokens["old_parent"]
    variables = {"u": world.gid("A3"), "p": moved.period}
    children = (await gql(PLAN, variables, new_parent))["data"]["plan"]["children"]
    assert children == [
        {
            "unitName": "甲院第一党支部",
            "received": {"total": 3},
            "forecast": {"amounts": {"total": 4}},
        }
    ]
    branch = (await gql(PLAN, {"u": world.gid("A1a"), "p": moved.period}, new_parent))["data"]
    assert branch["plan"]["line"] == {
        "unitName": "甲院第一党支部",
        "received": {"total": 3},
        "reserve": {"total": 1},
        "forecast": {"amounts": {"total": 4}, "remark": "两名入党积极分子"},
    }
    assert branch["plan"]["targets"] == [{"indicator": "WOMEN", "minCount": 1}]
    rounds = (await gql(ROUNDS, {"p": moved.period}, new_parent))["data"]["dispatchRounds"]
    assert [r["name"] for r in rounds] == [moved.round_name]

    gone = await gql(PLAN, {"u": world.gid("A1a"), "p": moved.period}, old_parent)
    assert codes(gone) == ["NOT_FOUND"]
    old = (await gql(PLAN, {"u": world.gid("A1"), "p": moved.period}, old_parent))["data"]
    assert [c["unitName"] for c in old["plan"]["children"]] == ["甲院第二党支部"]
    rounds = (await gql(ROUNDS, {"p": moved.period}, old_parent))["data"]["dispatchRounds"]
    assert rounds == []


def _stale(copy: ties.PathCopy) -> sa.Select:  # type: ignore[type-arg]
    """Rows of ``copy`` whose path is not the current path of the unit it names."""
    units = ties.UNIT_PATH.table
    current = sa.select(ties.UNIT_PATH).where(units.c.id == copy.unit).correlate_except(units)
    stale = copy.column.is_distinct_from(current.scalar_subquery())
    return sa.select(sa.func.count()).select_from(copy.table).where(stale)


async def test_every_copy_holds_its_units_path_after_moves(moved, gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    # A second move carries A1a as a descendant (its copies' paths rewritten below the prefix).
    again = await gql(
        MOVE, {"u": world.gid("A3"), "to": world.gid("A1")}, world.tokens["school_admin"]
    )
    assert again["data"]["moveUnit"]["errors"] == [], again
    async with owner_engine.connect() as conn:
        depth = await conn.scalar(
            sa.text("SELECT nlevel(path) FROM units WHERE id = :u"), {"u": world.units["A1a"]}
        )
        assert depth == 5
        for copy in (*ties.PATH_COPIES, *ties.FIXED_PATHS):
            name = f"{copy.table.name}.{copy.column.name}"
            assert await conn.scalar(_stale(copy)) == 0, f"{name} no longer matches its unit"
        populated = {
            copy.table.name
            for copy in ties.PATH_COPIES
            if await conn.scalar(sa.select(sa.func.count()).select_from(copy.table))
        }
        fixed_kinds = set()
        for copy in ties.FIXED_PATHS:
            kinds = (
                sa.select(ties.UNIT_PATH.table.c.kind)
                .distinct()
                .where(ties.UNIT_PATH.table.c.id.in_(sa.select(copy.unit)))
            )
            fixed_kinds |= set((await conn.execute(kinds)).scalars())
    # What the scenario wrote (the test is only as strong as the rows it checks).
    assert populated >= {
        *PLAN_TABLES,
        "users",
        "role_bindings",
        "recruits",
        "recruit_steps",
        "recruit_findings",
        "members",
        "unit_tallies",
    }
    assert fixed_kinds == {"commission"}
    # The admission approved at A1a follows it, though the recruit is in school B now.
    async with owner_engine.connect() as conn:
        admissions = await conn.execute(
            sa.text(
                "SELECT u.path::text AS unit, r.admitted_path::text AS admitted FROM recruits r"
                " JOIN units u ON u.id = r.branch_id WHERE r.admitted_path IS NOT NULL"
            )
        )
        paths = await conn.execute(
            sa.text("SELECT id, path::text AS path FROM units WHERE id IN (:a, :b)"),
            {"a": world.units["A1a"], "b": world.units["B1"]},
        )
        path = {r.id: r.path for r in paths}
    assert [tuple(r) for r in admissions] == [(path[world.units["B1"]], path[world.units["A1a"]])]
