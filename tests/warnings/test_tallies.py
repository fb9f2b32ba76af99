"""The open-warning tallies (migration 0016) follow every write to the warnings: each row counts
the open warnings at or below its unit by period (0: none) and kind, from the school down; after
any insert, acknowledgement, resolution, reopening, deletion, change of kind, period or unit,
and unit move, the stored rows equal the ones ``warning_tallies_computed`` counts from the
warnings, and the roll-up's read over them equals a live count."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import gid

from partyplan.resolvers.warnings.repository import stored, tallies
from partyplan.tenants.binding import bind_principal
from partyplan.tenants.session import Session

MOVE = """mutation($u: ID!, $to: ID!) {
  moveUnit(input: {unitId: $u, newParentId: $to}) { errors { code } } }"""
ROLLUP = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  children { unitName openWarnings { kind count } } } }"""
KINDS = ("missing_data", "overdue_step", "over_plan")
STATUSES = ("open", "acknowledged", "resolved")
# Where warnings are raised: a commission's own, every level of school A, school B's and the
# other commission's school.
WHERE = ("commission", "A", "A1", "A1a", "A1b", "A2", "A3", "B", "B1", "C")
# Moves inside school A (a refused one, such as a committee under its own branch, is a no-op).
MOVES = [("A1a", "A3"), ("A1a", "A1"), ("A1a", "A"), ("A2", "A1"), ("A2", "A3"), ("A2", "A")]
MOVES += [("A3", "A1"), ("A3", "A"), ("A1b", "A3"), ("A1b", "A1")]


class Warnings:
    """Warnings written as the owner, straight to the table: the trigger sees every writer."""

    def __init__(self, engine: Any, world: Any) -> None:
        self.engine, self.world, self.serial = engine, world, 0

    async def sql(self, statement: str, **params: Any) -> Any:
        async with self.engine.begin() as conn:
            return await conn.execute(sa.text(statement), params)

    async def add(self, unit: str, kind: str, period: int | None, status: str = "open") -> int:
        self.serial += 1
        inserted = await self.sql(
            "INSERT INTO warnings (kind, dedupe_key, unit_id, unit_path, school_id, period_id,"
            " message, evidence, status, seen_on) SELECT :k, :key, id, path, school_id, :p,"
            " '预警', '{}'::jsonb, :s, DATE '2024-07-01' FROM units WHERE id = :u RETURNING id",
            k=kind,
            key=f"tally:{self.serial}",
            p=period,
            s=status,
            u=self.world.units[unit],
        )
        return inserted.scalar_one()

    async def set(self, warning: int, **values: Any) -> None:
        assigned = ", ".join(f"{column} = :{column}" for column in values)
        await self.sql(f"UPDATE warnings SET {assigned} WHERE id = :w", w=warning, **values)

    async def rehome(self, warning: int, unit: str) -> None:
        """The scan's re-raise on another unit (a recruit transferred): unit, path, school."""
        await self.sql(
            "UPDATE warnings w SET unit_id = u.id, unit_path = u.path, school_id = u.school_id"
            " FROM units u WHERE u.id = :u AND w.id = :w",
            u=self.world.units[unit],
            w=warning,
        )

    async def delete(self, warning: int) -> None:
        await self.sql("DELETE FROM warnings WHERE id = :w", w=warning)


@pytest.fixture
async def case(world, owner_engine) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A committee A3 under school A (somewhere to move to) and two periods of the commission."""
    async with owner_engine.begin() as conn:
        world.units["A3"] = await conn.scalar(
            sa.text(
                "INSERT INTO units (kind, name, parent_id, path) VALUES ('committee', '甲校机关党委',"
                " :p, '0') RETURNING id"
            ),
            {"p": world.units["A"]},
        )
        periods = [
            await conn.scalar(
                sa.text(
                    "INSERT INTO plan_periods (commission_id, commission_path, name, kind,"
                    " starts_on, ends_on, report_due_on) SELECT id, path, :n, 'calendar_year',"
                    " :s, :e, :e FROM units WHERE id = :c RETURNING id"
                ),
                {
                    "n": f"{year} 年度",
                    "s": date(year, 1, 1),
                    "e": date(year, 12, 31),
                    "c": world.units["commission"],
                },
            )
            for year in (2023, 2024)
        ]
    return {"periods": periods, "warnings": Warnings(owner_engine, world)}


async def stored_rows(owner_engine, world) -> dict[tuple[str, int, str], int]:  # type: ignore[no-untyped-def]
    """The nonzero rows: (unit key, period id or 0, kind) → open count."""
    keys = {unit_id: key for key, unit_id in world.units.items()}
    async with owner_engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT unit_id, period_id, kind, open_count FROM warning_tallies")
        )
        return {(keys[r.unit_id], r.period_id, r.kind): r.open_count for r in rows if r.open_count}


async def assert_derived(owner_engine) -> None:  # type: ignore[no-untyped-def]
    """Every commission's stored rows are the computed ones (counts and paths)."""
    async with owner_engine.connect() as conn:
        trees = await tallies.commissions(conn)
        assert len(trees) == 2
        for tree in trees:
            assert await tallies.drift(conn, tree) == [], tree


async def test_each_write_moves_the_count_along_the_chain(case, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    w: Warnings = case["warnings"]
    p, q = case["periods"]

    async def now() -> dict[tuple[str, int, str], int]:
        await assert_derived(owner_engine)
        return await stored_rows(owner_engine, world)

    first = await w.add("A1a", "missing_data", None)
    chain = {(u, 0, "missing_data"): 1 for u in ("A", "A1", "A1a")}
    assert await now() == chain  # from the school down, not the commission
    await w.add("A1a", "missing_data", p, status="acknowledged")  # not open: nothing
    assert await now() == chain
    second = await w.add("A1b", "missing_data", None)
    assert await now() == {
        ("A", 0, "missing_data"): 2,
        ("A1", 0, "missing_data"): 2,
        ("A1a", 0, "missing_data"): 1,
        ("A1b", 0, "missing_data"): 1,
    }
    await w.set(second, status="acknowledged")
    assert await now() == chain
    await w.set(second, status="resolved")  # neither open: skipped
    assert await now() == chain
    await w.set(second, status="open")  # the scan raises it again
    await w.delete(second)
    assert await now() == chain

    await w.set(first, kind="overdue_step")
    chain = {(u, 0, "overdue_step"): 1 for u in ("A", "A1", "A1a")}
    assert await now() == chain
    await w.set(first, period_id=p)
    assert await now() == {(u, p, "overdue_step"): 1 for u in ("A", "A1", "A1a")}
    await w.set(first, period_id=q)
    assert await now() == {(u, q, "overdue_step"): 1 for u in ("A", "A1", "A1a")}
    await w.rehome(first, "A2")
    assert await now() == {(u, q, "overdue_step"): 1 for u in ("A", "A2")}
    await w.rehome(first, "B1")  # another school
    assert await now() == {(u, q, "overdue_step"): 1 for u in ("B", "B1")}
    await w.set(first, status="resolved", kind="over_plan", period_id=None)
    assert await now() == {}

    await w.add("commission", "over_plan", p)  # a commission's own: its row alone
    assert await now() == {("commission", p, "over_plan"): 1}


async def test_a_moved_unit_takes_its_counts_along(case, world, owner_engine, gql) -> None:  # type: ignore[no-untyped-def]
    w: Warnings = case["warnings"]
    p = case["periods"][1]
    await w.add("A1a", "missing_data", None)
    await w.add("A1a", "over_plan", p)
    await w.add("A1a", "overdue_step", None, status="acknowledged")
    await w.add("A1b", "missing_data", None)
    moved = await gql(
        MOVE, {"u": world.gid("A1a"), "to": world.gid("A3")}, world.tokens["school_admin"]
    )
    assert moved["data"]["moveUnit"]["errors"] == [], moved
    await assert_derived(owner_engine)  # paths included: A1a's rows hold its new path
    assert await stored_rows(owner_engine, world) == {
        ("A", 0, "missing_data"): 2,
        ("A", p, "over_plan"): 1,
        ("A1", 0, "missing_data"): 1,
        ("A1b", 0, "missing_data"): 1,
        ("A3", 0, "missing_data"): 1,
        ("A3", p, "over_plan"): 1,
        ("A1a", 0, "missing_data"): 1,
        ("A1a", p, "over_plan"): 1,
    }
    async with owner_engine.connect() as conn:
        stale = await conn.scalar(
            sa.text(
                "SELECT count(*) FROM warning_tallies t JOIN units u ON u.id = t.unit_id"
                " WHERE t.unit_path <> u.path"
            )
        )
    assert stale == 0
    view = await gql(
        ROLLUP, {"u": world.gid("A"), "p": gid("PlanPeriod", p)}, world.tokens["school_admin"]
    )
    assert "errors" not in view, view
    assert {c["unitName"]: c["openWarnings"] for c in view["data"]["rollup"]["children"]} == {
        "甲院党委": [{"kind": "MISSING_DATA", "count": 1}],
        "甲校机关党支部": [],
        "甲校机关党委": [{"kind": "OVER_PLAN", "count": 1}, {"kind": "MISSING_DATA", "count": 1}],
    }


async def test_a_count_taken_below_zero_fails_the_write(case, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    """A row the warnings no longer match (tampered here) stops the write rather than count
    below zero; verification names it and the rebuild repairs it."""
    w: Warnings = case["warnings"]
    warning = await w.add("A1a", "missing_data", None)
    await w.sql("DELETE FROM warning_tallies WHERE unit_id = :u", u=world.units["A1"])
    async with owner_engine.connect() as conn:
        drift = await tallies.drift(conn, str(world.units["commission"]))
    assert [(r.side, r.unit_id, r.period_id, r.kind) for r in drift] == [
        ("computed", world.units["A1"], 0, "missing_data")
    ]
    with pytest.raises(sa.exc.IntegrityError, match="out of step"):
        await w.set(warning, status="acknowledged")
    async with owner_engine.begin() as conn:
        assert await tallies.rebuild(conn) == 2
    await w.set(warning, status="acknowledged")
    await assert_derived(owner_engine)
    assert await stored_rows(owner_engine, world) == {}


async def _live(owner_engine, path: str, period: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT kind, count(*) AS n FROM warnings WHERE status = 'open'"
                " AND unit_path <@ CAST(:path AS ltree) AND (period_id IS NULL OR period_id = :p)"
                " GROUP BY kind"
            ),
            {"path": path, "p": period},
        )
        return {r.kind: r.n for r in rows}


async def assert_reads_count_live(owner_engine, world, periods: list[int]) -> None:  # type: ignore[no-untyped-def]
    """``open_counts`` over the tallies, for every unit and period, against a live count (as
    the owner with a commission's reach: the tallies alone decide)."""
    async with owner_engine.connect() as conn:
        units = (await conn.execute(sa.text("SELECT path::text FROM units ORDER BY id"))).all()
        session = Session(conn, await bind_principal(conn, world.users["commission_admin"]))
        roots = [str(world.units["commission"]), str(world.units["commission2"])]
        lines = [(u.path, p) for u in units for p in periods]
        found = await stored.open_counts(session, lines, read_paths=roots)
    assert found == [await _live(owner_engine, path, p) for path, p in lines]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_random_writes_keep_the_tallies_derived(case, world, owner_engine, gql, data) -> None:  # type: ignore[no-untyped-def]
    w: Warnings = case["warnings"]
    periods = [*case["periods"], None]
    # Each example from no warnings (a truncation empties the tallies too: a failed example
    # leaves none behind); the units stay where the examples before moved them.
    await w.sql("TRUNCATE warnings")
    assert await stored_rows(owner_engine, world) == {}
    ids: list[int] = []
    for _ in range(data.draw(st.integers(1, 25))):
        ops = ["add", "move"] + (["status", "kind", "period", "rehome", "delete"] if ids else [])
        op = data.draw(st.sampled_from(ops))
        pick = st.sampled_from(ids) if ids else st.nothing()
        if op == "add":
            unit, kind = data.draw(st.sampled_from(WHERE)), data.draw(st.sampled_from(KINDS))
            period, status = (
                data.draw(st.sampled_from(periods)),
                data.draw(st.sampled_from(STATUSES)),
            )
            ids.append(await w.add(unit, kind, period, status))
        elif op == "move":
            unit, parent = data.draw(st.sampled_from(MOVES))
            moved = await gql(
                MOVE, {"u": world.gid(unit), "to": world.gid(parent)}, world.tokens["school_admin"]
            )
            assert "errors" not in moved, moved
        elif op == "delete":
            warning = data.draw(pick)
            ids.remove(warning)
            await w.delete(warning)
        elif op == "rehome":
            warning, unit = data.draw(pick), data.draw(st.sampled_from(WHERE))
            await w.rehome(warning, unit)
        else:
            column, values = {
                "status": ("status", STATUSES),
                "kind": ("kind", KINDS),
                "period": ("period_id", periods),
            }[op]
            warning, value = data.draw(pick), data.draw(st.sampled_from(values))
            await w.set(warning, **{column: value})
        await assert_derived(owner_engine)
    await assert_reads_count_live(owner_engine, world, case["periods"])
