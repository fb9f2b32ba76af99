"""The allocation invariant under concurrency: many allocations against one parent at once."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from support import scalar


async def test_concurrent_allocations_never_overdraw_the_parent(
    plans, world, owner_engine, assert_derivations
) -> None:  # type: ignore[no-untyped-def]
    period_id = await plans.period()
    await plans.issue(period_id, "A", 17, staff=5)
    children = ["A1", "A2"]
    requests = [
        plans.allocate(period_id, "A", children[i % 2], 1 + i % 2, staff=i % 2) for i in range(24)
    ]  # 24 requests asking for 36 places in all, 17 available
    results = await asyncio.gather(*requests)

    accepted, refused = [], []
    for i, result in enumerate(results):
        assert "errors" not in result, result  # no request failed outright (e.g. a deadlock)
        payload = result["data"]["allocateQuota"]
        (accepted if not payload["errors"] else refused).append(i)
        if payload["errors"]:
            assert payload["errors"][0]["code"] in ("SHORTFALL", "SUBQUOTA_EXCEEDS_TOTAL")
    asked = {i: (1 + i % 2, i % 2) for i in range(24)}
    granted_total = sum(asked[i][0] for i in accepted)
    granted_staff = sum(asked[i][1] for i in accepted)
    assert accepted and refused

    async with owner_engine.connect() as conn:
        rows = {
            r.unit_id: r
            for r in await conn.execute(
                sa.text(
                    "SELECT unit_id, received_total, handed_total, reserve_total, received_staff, "
                    "handed_staff FROM unit_quotas"
                )
            )
        }
    school = rows[world.units["A"]]
    assert school.handed_total + school.reserve_total <= school.received_total == 17
    assert school.handed_staff <= school.received_staff == 5
    # Every accepted request is reflected, and nothing else.
    assert school.handed_total == granted_total and school.handed_staff == granted_staff
    assert sum(rows[world.units[c]].received_total for c in children) == granted_total
    moves = await scalar(
        owner_engine, "SELECT count(*) FROM quota_movements WHERE kind = 'allocate'"
    )
    assert moves == len(accepted)
    assert await assert_derivations() == 4  # commission, school, two children
    # Refusals happened only once the request no longer fit: what is left keeps its staff
    # places within its places, and only shrinks (places, staff places and the places for
    # anyone alike), so a request refused once does not fit at the end either.
    left_total, left_staff = 17 - granted_total, 5 - granted_staff
    for total, staff in (asked[i] for i in refused):
        after_total, after_staff = left_total - total, left_staff - staff
        assert not (0 <= after_staff <= after_total), (total, staff, left_total, left_staff)
