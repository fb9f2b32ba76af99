"""Forgetting reports never applied (``partyplan sync prune``, for a daily job).

An open report holds what a 12371 file said of people, those only in 12371 with their ID
numbers and phones (encrypted): kept no longer than it is useful. An applied report is the
evidence of what was decided and stays: the frozen trigger refuses deleting it anyway.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from .. import repository


async def prune(conn: AsyncConnection, now: datetime, retention_days: int) -> int:
    """Delete, in the caller's transaction (the owner's: every school), the open reports made
    more than ``retention_days`` before ``now``, with their entries; how many reports."""
    if retention_days < 1:
        raise ValueError("open reports are kept at least a day")
    return await repository.prune_open(conn, now - timedelta(days=retention_days))
