"""A roll-up line's open warnings by kind: summed up the tree from branch to commission, only
open ones, only the rollup's period and none, only what the caller may read, and one statement
for every line however many there are."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import support_recruits as api
from support import codes, raw_id

from partyplan.resolvers.warnings.repository import stored
from partyplan.resolvers.warnings.repository.stored import school_of
from partyplan.tenants.session import Session

ROLLUP = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { unitName openWarnings { kind count } }
  children { unitName openWarnings { kind count } } } }"""
PLAIN = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { unitName } children { unitName } } }"""


class Warnings:
    """Warnings written straight as the owner (the scan's own tests cover raising them)."""

    def __init__(self, owner_engine: Any, world: Any) -> None:
        self.engine, self.world, self.serial = owner_engine, world, 0

    async def add(
        self, unit: str, kind: str, period: int | None, *, status: str = "open", n: int = 1
    ) -> None:
        async with self.engine.begin() as conn:
            for _ in range(n):
                self.serial += 1
                await conn.execute(
                    sa.text(
                        "INSERT INTO warnings (kind, dedupe_key, unit_id, unit_path, school_id,"
                        " period_id, message, evidence, status, seen_on)"
                        " SELECT :k, :key, id, path, school_id, :p, '预警', '{}'::jsonb, :s,"
                        " DATE '2024-07-01' FROM units WHERE id = :u"
                    ),
                    {
                        "k": kind,
                        "key": f"test:{self.serial}",
                        "p": period,
                        "s": status,
                        "u": self.world.units[unit],
                    },
                )

    async def path(self, unit: str) -> str:
        async with self.engine.connect() as conn:
            return await conn.scalar(
                sa.text("SELECT path::text FROM units WHERE id = :u"), {"u": self.world.units[unit]}
            )


async def build(gql, world, owner_engine) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Warnings at every level of school A (school, committee, branches), acknowledged and
    resolved ones, one of another period, and school B's."""
    period = await api.period(gql, world, 2024)
    other = await api.period(gql, world, 2023)
    this, that = raw_id(period), raw_id(other)
    w = Warnings(owner_engine, world)
    await w.add("A", "report_overdue", this)
    await w.add("A1", "over_plan", this)
    await w.add("A1a", "missing_data", None, n=2)
    await w.add("A1a", "overdue_step", None)
    await w.add("A1a", "missing_data", None, status="acknowledged")
    await w.add("A1a", "missing_data", None, status="resolved")
    await w.add("A1a", "overdue_step", that)  # another period's: not this rollup's
    await w.add("A2", "long_term_none", None)
    await w.add("B1", "missing_data", None, n=3)
    return {"period": period, "other": other, "this": this, "warnings": w}


def counts(line: dict[str, Any]) -> list[tuple[str, int]]:
    return [(c["kind"], c["count"]) for c in line["openWarnings"]]


async def rollup(gql, world, unit: str, period: str, account: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = await gql(ROLLUP, {"u": world.gid(unit), "p": period}, world.tokens[account])
    assert "errors" not in result, result
    return result["data"]["rollup"]


SCHOOL_A = [
    ("OVER_PLAN", 1),
    ("LONG_TERM_NONE", 1),
    ("OVERDUE_STEP", 1),
    ("MISSING_DATA", 2),
    ("REPORT_OVERDUE", 1),
]


async def test_open_warnings_roll_up_from_branch_to_commission(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    case = await build(gql, world, owner_engine)
    view = await rollup(gql, world, "commission", case["period"], "commission_admin")
    # In the kinds' order; acknowledged, resolved and the other period's are not counted.
    assert counts(view["line"]) == [
        ("OVER_PLAN", 1),
        ("LONG_TERM_NONE", 1),
        ("OVERDUE_STEP", 1),
        ("MISSING_DATA", 5),
        ("REPORT_OVERDUE", 1),
    ]
    assert {c["unitName"]: counts(c) for c in view["children"]} == {
        "学校甲党委": SCHOOL_A,
        "学校乙党委": [("MISSING_DATA", 3)],
    }

    school = await rollup(gql, world, "A", case["period"], "school_admin")
    assert counts(school["line"]) == SCHOOL_A
    assert {c["unitName"]: counts(c) for c in school["children"]} == {
        "甲院党委": [("OVER_PLAN", 1), ("OVERDUE_STEP", 1), ("MISSING_DATA", 2)],
        "甲校机关党支部": [("LONG_TERM_NONE", 1)],
    }
    committee = await rollup(gql, world, "A1", case["period"], "unit_admin")
    assert {c["unitName"]: counts(c) for c in committee["children"]} == {
        "甲院第一党支部": [("OVERDUE_STEP", 1), ("MISSING_DATA", 2)],
        "甲院第二党支部": [],
    }

    # The other period's roll-up: its own warning and those of no period.
    earlier = await rollup(gql, world, "A1a", case["other"], "school_admin")
    assert counts(earlier["line"]) == [("OVERDUE_STEP", 2), ("MISSING_DATA", 2)]


async def test_acknowledging_a_warning_takes_it_off_the_count(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    case = await build(gql, world, owner_engine)
    listed = await gql(
        "query($u: ID!) { warnings(under: $u, kind: OVER_PLAN) { edges { node { id } } } }",
        {"u": world.gid("A1")},
        world.tokens["school_admin"],
    )
    [edge] = listed["data"]["warnings"]["edges"]
    done = await gql(
        "mutation($w: ID!) { acknowledgeWarning(input: {warningId: $w}) { errors { code } } }",
        {"w": edge["node"]["id"]},
        world.tokens["school_admin"],
    )
    assert done["data"]["acknowledgeWarning"]["errors"] == []
    school = await rollup(gql, world, "A", case["period"], "school_admin")
    assert ("OVER_PLAN", 1) not in counts(school["line"])
    assert counts(school["children"][0]) == [("OVERDUE_STEP", 1), ("MISSING_DATA", 2)]


async def test_a_school_admin_counts_only_their_own_school(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    case = await build(gql, world, owner_engine)
    for account, school, expected in (
        ("school_admin", "A", SCHOOL_A),
        ("other_school_admin", "B", [("MISSING_DATA", 3)]),
    ):
        view = await rollup(gql, world, school, case["period"], account)
        assert counts(view["line"]) == expected, account
    hidden = await gql(
        ROLLUP, {"u": world.gid("B"), "p": case["period"]}, world.tokens["school_admin"]
    )
    assert codes(hidden) == ["NOT_FOUND"] and hidden["data"] is None


async def test_the_two_layers_each_keep_other_schools_out(
    gql, world, owner_engine, platform
) -> None:  # type: ignore[no-untyped-def]
    """Row-level security alone (the statement asked, as school A's admin, for lines across
    the commission with the whole commission as the readable scope) and the caller's scope
    alone (as the owner, row-level security off)."""
    case = await build(gql, world, owner_engine)
    w: Warnings = case["warnings"]
    commission, school_a, school_b = [await w.path(u) for u in ("commission", "A", "B")]
    everything = {"read_paths": [commission]}
    across = [(school_a, case["this"]), (school_b, case["this"]), (commission, case["this"])]
    async with platform.engine.connect() as conn:
        session = await Session.bound(conn, world.users["school_admin"])
        seen = await stored.open_counts(session, across, **everything)
    own = {k.lower(): n for k, n in SCHOOL_A}
    assert seen == [own, {}, own]
    lines = [(commission, case["this"]), (school_b, case["this"])]
    from partyplan.resolvers.warnings.service import manage
    from partyplan.tenants.binding import bind_principal

    async with owner_engine.connect() as conn:
        session = Session(conn, await bind_principal(conn, world.users["other_school_admin"]))
        scoped = await manage.open_counts(session, lines)
        unscoped = await stored.open_counts(session, lines, **everything)
    assert [{k.value: n for k, n in c.items()} for c in scoped] == [{"missing_data": 3}] * 2
    assert unscoped[0]["missing_data"] == 5  # the owner sees all: the filter above did the work


async def test_no_token_and_the_wrong_role_are_refused(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    case = await build(gql, world, owner_engine)
    variables = {"u": world.gid("A"), "p": case["period"]}
    assert codes(await gql(ROLLUP, variables)) == ["UNAUTHENTICATED"]
    assert codes(await gql(ROLLUP, variables, world.tokens["sync_agent"])) == ["FORBIDDEN"]
    for outsider in ("nobody", "other_school_admin", "other_commission_admin"):
        assert codes(await gql(ROLLUP, variables, world.tokens[outsider])) == ["NOT_FOUND"]
    seen = await gql(ROLLUP, variables, world.tokens["viewer"])
    assert counts(seen["data"]["rollup"]["line"]) == SCHOOL_A


async def test_one_statement_counts_every_line(gql, world, owner_engine, platform) -> None:  # type: ignore[no-untyped-def]
    case = await build(gql, world, owner_engine)
    w: Warnings = case["warnings"]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    async def run(document: str) -> tuple[int, dict[str, Any]]:
        statements.clear()
        engine = platform.engine.sync_engine
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            result = await gql(document, {"u": world.gid("A1"), "p": case["period"]}, token)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        assert "errors" not in result, result
        return len(statements), result["data"]["rollup"]

    token = world.tokens["school_admin"]
    runs = []
    for extra in (0, 20):
        for i in range(extra):
            created = await gql(
                "mutation($input: CreateUnitInput!) { createUnit(input: $input)"
                " { unit { name } errors { code } } }",
                {"input": {"parentId": world.gid("A1"), "kind": "BRANCH", "name": f"新支部{i}"}},
                token,
            )
            assert created["data"]["createUnit"]["errors"] == []
            world.units[f"new{i}"] = await _unit_id(owner_engine, f"新支部{i}")
            await w.add(f"new{i}", "missing_data", None, n=i % 3)
        with_field, view = await run(ROLLUP)
        without, _ = await run(PLAIN)
        assert len(view["children"]) == 2 + extra
        assert with_field == without + 1, (with_field, without)
        runs.append(with_field)
        new = [c for c in view["children"] if c["unitName"].startswith("新支部")]
        assert [sum(n for _, n in counts(c)) for c in new] == [i % 3 for i in range(extra)]
    assert runs[0] == runs[1], runs


async def _unit_id(owner_engine, name: str) -> int:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        return await conn.scalar(sa.text("SELECT id FROM units WHERE name = :n"), {"n": name})


async def test_a_paths_school_is_its_second_label(world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    """What the statement reads a school's warnings by, for every unit of the world."""
    async with owner_engine.connect() as conn:
        units = (await conn.execute(sa.text("SELECT path::text, school_id FROM units"))).all()
    assert len(units) == len(world.units)
    assert [(path, school_of(path)) for path, _ in units] == [tuple(u) for u in units]
