"""A compiled document's transaction has its statements planned generically
(tenants/binding.py): set in the bind's own round trip, local to the transaction, so the next
request on the pooled connection plans as PostgreSQL chooses again."""

from __future__ import annotations

import sqlalchemy as sa

from partyplan.tenants.session import Session

SHOW = sa.text("SHOW plan_cache_mode")


async def test_the_setting_lasts_the_transaction_only(platform, world) -> None:  # type: ignore[no-untyped-def]
    assert platform.engine is not None
    async with platform.engine.connect() as conn:
        async with conn.begin():
            session = await Session.bound(conn, world.users["school_admin"], generic_plans=True)
            assert await conn.scalar(SHOW) == "force_generic_plan"
            assert session.principal.user_id == world.users["school_admin"]
        async with conn.begin():
            await Session.bound(conn, world.users["school_admin"])
            assert await conn.scalar(SHOW) == "auto"
        async with conn.begin():
            await Session.bound(conn, world.users["school_admin"], generic_plans=True)
            await conn.rollback()
        async with conn.begin():
            assert await conn.scalar(SHOW) == "auto"
