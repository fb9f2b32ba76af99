"""Forgetting old idempotency keys (``partyplan sync prune``, for a daily job)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from .. import repository

#: Keys live at least this long: a job retrying within a week gets its first answer back.
MIN_RETENTION_DAYS = 7


async def prune(conn: AsyncConnection, now: datetime, retention_days: int) -> int:
    """Delete, in the caller's transaction (the owner's: every school), the answers stored more
    than ``retention_days`` (at least :data:`MIN_RETENTION_DAYS`) before ``now``; how many. A
    request sent again with a pruned key runs again."""
    if retention_days < MIN_RETENTION_DAYS:
        raise ValueError(f"keys are kept at least {MIN_RETENTION_DAYS} days")
    return await repository.prune(conn, now - timedelta(days=retention_days))
