"""What ``db upgrade`` derives after migrating, and a development start that migrates too: the
columns a migration added that only the rule engine can fill (a SQL migration cannot run it).

Now: the admission columns of migration 0022, for recruits recorded before it
(``resolvers/recruits/service/backfill.py``). Idempotent, and one scan when nothing is missing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from .database import async_url


async def fill(conn: AsyncConnection) -> int:
    """Derive what is missing, in the owner's transaction ``conn``; how many recruits."""
    from partyplan.resolvers.recruits.service.backfill import rederive_commissions

    return sum(r.rewritten for r in await rederive_commissions(conn, missing_only=True))


async def fill_at(owner_url: str) -> int:
    """:func:`fill` in a transaction of its own on the owner's ``owner_url``."""
    engine = create_async_engine(async_url(owner_url))
    try:
        async with engine.begin() as conn:
            return await fill(conn)
    finally:
        await engine.dispose()
