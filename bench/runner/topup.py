"""M2's headroom: allocating one place per request drains the school's available quota.

Before each M2 run, when fewer than ``HEADROOM`` places are left, the commission supplements
the school's quota (追加) through the plans service itself, as ``bench-commission``, so the run
never fails for want of places. It changes the data's plan figures; each supplement is listed
with the results.
"""

from __future__ import annotations

import asyncpg

from partyplan.resolvers.plans.rules import MAX_AMOUNT, Amounts
from partyplan.resolvers.plans.service import quotas
from partyplan.server.database import async_url
from partyplan.tenants.binding import bind_principal
from partyplan.tenants.session import Session

from . import scenarios as sc
from .environment import Database

HEADROOM = 50_000  # well above what one M2 run allocates on two cores


async def quota_headroom(database: Database, fx: sc.Fixture, notes: list[str]) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    conn = await asyncpg.connect(database.owner_dsn)
    try:
        available = await conn.fetchval(
            "SELECT received_total - handed_total - reserve_total FROM unit_quotas"
            " WHERE period_id = $1 AND unit_id = $2",
            fx.period_id,
            fx.school_id,
        )
    finally:
        await conn.close()
    if available is not None and available >= HEADROOM:
        return
    engine = create_async_engine(async_url(database.owner))
    try:
        async with engine.begin() as owner:
            session = Session(owner, await bind_principal(owner, fx.users["bench-commission"]))
            await quotas.issue(
                session,
                period_id=fx.period_id,
                school_id=fx.school_id,
                amounts=Amounts(MAX_AMOUNT),
                document_no="BENCH-M2",
                document_date=None,
                targets=[],
                supplement=True,
                reason="benchmark M2: places to allocate",
            )
    finally:
        await engine.dispose()
    notes.append(
        f"M2: the school's quota supplemented by {MAX_AMOUNT:,} (it had {available} "
        "places left) so that every allocation succeeds"
    )
