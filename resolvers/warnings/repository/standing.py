"""The dedupe keys of a kind's standing (open or acknowledged) warnings in a commission: what a
rule reads to tell a warning it raises anew from one still standing (the data calls' notifier
is told only of the new ones)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

_STANDING = sa.text("""
SELECT dedupe_key FROM warnings
 WHERE kind = :kind AND status <> 'resolved' AND unit_path <@ CAST(:c AS ltree)
""")


async def standing_keys(conn: AsyncConnection, kind: str, commission_path: str) -> set[str]:
    result = await conn.execute(_STANDING, {"kind": kind, "c": commission_path})
    return set(result.scalars())
