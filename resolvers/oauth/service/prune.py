"""Forgetting what the doors no longer need (``partyplan doors prune``, for a daily job)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.resolvers.oauth import repository
from partyplan.tenants import binding

#: How long an ended grant, an expired code or an ended session is kept before it is deleted:
#: long enough to answer "what happened" about a reuse the day after.
KEEP = timedelta(days=1)


async def prune(conn: AsyncConnection, now: datetime) -> dict[str, int]:
    """Delete, in the caller's transaction, every door row that can no longer matter; the
    numbers deleted per table (``repository.prune`` says which rows)."""
    await binding.open_door(conn)
    return await repository.prune(conn, now, KEEP)
