"""allocateQuota (the benchmark's M2) runs a fixed, small number of statements, whatever the
tree's size or depth, whether the balance rows exist yet or not, and whatever targets or round
the allocation carries.

The statements, as ``before_cursor_execute`` sees them (BEGIN and COMMIT are not statements
to it: the driver opens and ends the transaction itself):

1. the principal bound for row-level security (``app_bind_principal``);
2. ``SAVEPOINT``: every mutation field runs in one (``schema/mutations.py``), rolled back
   alone when it is refused, so that a document's later fields still run and report;
3. the period (locked FOR SHARE), both units and the round, in one read;
4. both balance rows created when missing and locked, in one statement;
5. the ledger row, both balances' changes, the targets and the audit entry, in one;
6. ``RELEASE SAVEPOINT``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from support import gid

M2 = """mutation Allocate($input: AllocateQuotaInput!) {
  allocateQuota(input: $input) {
    movement { id kind amounts { total } }
    errors { code field message shortfall }
  }
}"""
ROUND = """mutation($input: CreateDispatchRoundInput!) {
  createDispatchRound(input: $input) { round { id } errors { code } } }"""


async def _grow(owner_engine: Any, parent: int, count: int) -> list[int]:
    """``count`` committees under ``parent``, each with a branch: a wider and deeper tree."""
    made = []
    async with owner_engine.begin() as conn:
        for i in range(count):
            committee = await conn.scalar(
                sa.text(
                    "INSERT INTO units (kind, name, parent_id, path)"
                    " VALUES ('committee', :n, :p, '0') RETURNING id"
                ),
                {"n": f"新增党委{i}", "p": parent},
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO units (kind, name, parent_id, path) VALUES ('branch', :n, :p, '0')"
                ),
                {"n": f"新增支部{i}", "p": committee},
            )
            made.append(committee)
    return made


async def test_allocate_quota_runs_six_statements_whatever_the_tree(
    plans, gql, world, platform, owner_engine, assert_derivations
) -> None:  # type: ignore[no-untyped-def]
    period_id = await plans.period()
    await plans.issue(period_id, "A", 60, staff=10)
    round_id = (
        await plans.ok(
            ROUND,
            {
                "input": {
                    "periodId": period_id,
                    "unitId": world.gid("A"),
                    "name": "年中调度",
                    "documentNo": "甲校党委〔2023〕9号",
                }
            },
            "school_admin",
        )
    )["round"]["id"]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    async def allocate(parent: str, child: str, account: str, **extra: Any) -> int:
        statements.clear()
        sa.event.listen(platform.engine.sync_engine, "before_cursor_execute", count)
        try:
            result = await gql(
                M2,
                {
                    "input": {
                        "periodId": period_id,
                        "fromUnitId": parent,
                        "toUnitId": child,
                        "amounts": {"total": 2, "staff": 1},
                        **extra,
                    }
                },
                world.tokens[account],
            )
        finally:
            sa.event.remove(platform.engine.sync_engine, "before_cursor_execute", count)
        assert result["data"]["allocateQuota"]["errors"] == [], result
        # bind, SAVEPOINT, read, lock, write, RELEASE: the layout the docstring gives
        assert "app_bind_principal" in statements[0], statements
        assert statements[1].startswith("SAVEPOINT"), statements
        assert "FOR SHARE" in statements[2], statements
        assert "ON CONFLICT" in statements[3], statements
        assert "audit_append" in statements[4] and "quota_movements" in statements[4]
        assert statements[-1].startswith("RELEASE SAVEPOINT"), statements
        return len(statements)

    a, a1, a1a = world.gid("A"), world.gid("A1"), world.gid("A1a")
    counts = [
        await allocate(a, a1, "school_admin"),  # the child's balance row is created
        await allocate(a, a1, "school_admin"),  # both rows exist
        await allocate(a1, a1a, "unit_admin"),  # a level down
        await allocate(
            a,
            world.gid("A2"),
            "school_admin",
            roundId=round_id,
            note="调度后分解",
            targets=[
                {"indicator": "WOMEN", "minShare": 0.5},
                {"indicator": "YOUTH_35", "minCount": 1},
            ],
        ),
    ]
    grown = await _grow(owner_engine, world.units["A"], 12)
    counts.append(await allocate(a, gid("Unit", grown[-1]), "school_admin"))
    assert len(set(counts)) == 1 and counts[0] <= 6, counts
    await assert_derivations()
