"""allocateQuota's statements: how many one allocation costs, with and without targets and a
round, whatever the units (``BENCHMARKS.md``, M2)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from support import gid, statements_run

from partyplan.resolvers.audit.repository import verify_chains

ROUND = """mutation($input: CreateDispatchRoundInput!) {
  createDispatchRound(input: $input) { round { id } errors { code } } }"""
TARGETS = """query($unit: ID!, $period: ID!) { plan(unitId: $unit, periodId: $period) {
  line { received { total } } targets { indicator minCount minShare } } }"""
ALLOCATE = """mutation($input: AllocateQuotaInput!) {
  allocateQuota(input: $input) { movement { id } errors { code field message } } }"""


async def _statements(platform, gql, token: str, variables: dict[str, Any]) -> list[str]:  # type: ignore[no-untyped-def]
    with statements_run(platform) as statements:
        result = await gql(ALLOCATE, variables, token)
    assert "errors" not in result and not result["data"]["allocateQuota"]["errors"], result
    return statements


async def test_an_allocation_runs_four_statements_whatever_it_sets(  # type: ignore[no-untyped-def]
    plans, gql, world, platform
) -> None:
    """The bind, the read (period, both units, the round), the balance rows locked, the write
    (ledger row, balances, targets, audit entry): with targets and a round or without, the
    first allocation to a unit (its balance row created) or not. A document's only mutation
    needs no savepoint (``schema/mutations.py``)."""
    period = await plans.period()
    await plans.issue(period, "A", 10)
    dispatch = await plans.ok(
        ROUND,
        {"input": {"periodId": period, "unitId": world.gid("A"), "name": "第一轮"}},
        "school_admin",
    )
    allocation = {
        "periodId": period,
        "fromUnitId": world.gid("A"),
        "toUnitId": world.gid("A1"),
        "amounts": {"total": 1},
    }
    richer = {
        **allocation,
        "roundId": dispatch["round"]["id"],
        "note": "第一批",
        "targets": [
            {"indicator": "WOMEN", "minShare": 0.35},
            {"indicator": "YOUTH_35", "minCount": 1},
        ],
    }
    token = world.tokens["school_admin"]
    counts = [
        len(await _statements(platform, gql, token, {"input": given}))
        for given in (allocation, allocation, richer, richer)
    ]
    assert counts == [4, 4, 4, 4], counts
    targets = await gql(TARGETS, {"unit": world.gid("A1"), "period": period}, token)
    assert targets["data"]["plan"]["targets"] == [
        {"indicator": "WOMEN", "minCount": None, "minShare": 0.35},
        {"indicator": "YOUTH_35", "minCount": 1, "minShare": None},
    ]
    assert targets["data"]["plan"]["line"]["received"]["total"] == 4


async def test_a_movement_written_in_one_statement_is_audited_as_before(  # type: ignore[no-untyped-def]
    plans, gql, world, owner_engine
) -> None:
    """The audit entry written in the movement's statement names the ledger row, lies on the
    receiving unit in its school's chain, says what moved, and the chains still verify."""
    period = await plans.period()
    await plans.issue(period, "A", 10)
    result = await gql(
        ALLOCATE,
        {
            "input": {
                "periodId": period,
                "fromUnitId": world.gid("A"),
                "toUnitId": world.gid("A1"),
                "amounts": {"total": 3, "staff": 0},
                "note": '第一批 "引号"',
            }
        },
        world.tokens["school_admin"],
    )
    assert result["data"]["allocateQuota"]["errors"] == [], result
    movement = result["data"]["allocateQuota"]["movement"]["id"]
    async with owner_engine.connect() as conn:
        entry = (
            await conn.execute(
                sa.text(
                    "SELECT a.* FROM audit_log a JOIN quota_movements m ON m.id = a.object_id"
                    " WHERE a.object_type = 'QuotaMovement' AND a.operation = 'allocateQuota'"
                )
            )
        ).one()
        broken = await verify_chains(conn)
    assert gid("QuotaMovement", entry.object_id) == movement
    assert (entry.unit_id, entry.school_id) == (world.units["A1"], world.units["A"])
    assert entry.actor_user_id == world.users["school_admin"] and entry.before is None
    assert entry.after["kind"] == "allocate" and entry.after["reason"] == '第一批 "引号"'
    assert (entry.after["total"], entry.after["students"]) == (3, 0)
    assert entry.after["from_unit_id"] == world.units["A"] and entry.after["round_id"] is None
    assert broken == []


async def test_a_refused_allocation_alone_leaves_nothing_written(  # type: ignore[no-untyped-def]
    plans, gql, world, owner_engine
) -> None:
    """Without a savepoint, the balance row the lock created for the receiving unit before the
    balances were judged goes with the request's rollback, as the ledger row and audit entry
    that were never written."""
    period = await plans.period()
    await plans.issue(period, "A", 1)
    result = await gql(
        ALLOCATE,
        {
            "input": {
                "periodId": period,
                "fromUnitId": world.gid("A"),
                "toUnitId": world.gid("A2"),
                "amounts": {"total": 2},
            }
        },
        world.tokens["school_admin"],
    )
    payload = result["data"]["allocateQuota"]
    assert payload["movement"] is None and [e["code"] for e in payload["errors"]] == ["SHORTFALL"]
    async with owner_engine.connect() as conn:
        rows = await conn.scalar(
            sa.text("SELECT count(*) FROM unit_quotas WHERE unit_id = :u"),
            {"u": world.units["A2"]},
        )
        moved = await conn.scalar(
            sa.text("SELECT count(*) FROM quota_movements WHERE kind = 'allocate'")
        )
        audited = await conn.scalar(
            sa.text("SELECT count(*) FROM audit_log WHERE operation = 'allocateQuota'")
        )
    assert (rows, moved, audited) == (0, 0, 0)
