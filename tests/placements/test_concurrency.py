"""Placements under concurrency: two transactions placing names at one branch at once can never
together exceed its available places. The database holds it (the balance row both write, its
CHECK constraint), whoever writes; the API's placements also serialize on the branch's row."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from support import raw_id

_PLACE = sa.text(
    "INSERT INTO named_targets (period_id, recruit_id, unit_id, unit_path, school_id, placed)"
    " SELECT q.period_id, r.id, q.unit_id, q.unit_path, q.school_id, true"
    " FROM unit_quotas q, recruits r WHERE q.unit_id = :u AND r.id = ANY(:r)"
)


async def _blocked(owner_engine, count: int) -> None:  # type: ignore[no-untyped-def]
    """Wait until ``count`` sessions wait on a lock (the second writer on the balance row)."""
    for _ in range(200):
        async with owner_engine.connect() as conn:
            waiting = await conn.scalar(
                sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            )
        if waiting >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the second writer never waited on the first")


async def test_two_connections_cannot_together_exceed_the_places(
    placements, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3, A1a=3)
    ids = [raw_id(r) for r in await placements.targets(4)]
    branch = world.units["A1a"]
    first = await owner_engine.connect()
    second = await owner_engine.connect()
    try:
        await first.begin()
        await first.execute(_PLACE, {"u": branch, "r": ids[:2]})  # 2 of 3: fits alone
        await second.begin()
        # 2 more: fits alone as well, but not beside the first's two.
        pending = asyncio.create_task(second.execute(_PLACE, {"u": branch, "r": ids[2:]}))
        await _blocked(owner_engine, 1)
        await first.commit()
        with pytest.raises(IntegrityError, match="ck_unit_quotas_named_fits"):
            await pending
        await second.rollback()
    finally:
        await first.close()
        await second.close()
    assert await placements.named_total() == 2
    assert await placements.drift() == []


async def test_concurrent_placements_through_the_api_never_overdraw(placements, world) -> None:  # type: ignore[no-untyped-def]
    await placements.plan(10, A1=3, A1a=2)
    recruits = await placements.targets(5)
    lists = [[recruits[i % 5], recruits[(i + 1) % 5]] for i in range(8)]
    lists += [recruits[:3], recruits[2:]]  # more names than places: refused
    results = await asyncio.gather(*(placements.place(names) for names in lists))
    outcomes = []
    for result in results:
        assert "errors" not in result, result  # none failed outright (a deadlock, a 500)
        outcomes.append([e["code"] for e in result["data"]["placeQuota"]["errors"]])
    assert outcomes == [[]] * 8 + [["SHORTFALL"]] * 2
    assert await placements.named_total() == 2
    assert await placements.drift() == []
