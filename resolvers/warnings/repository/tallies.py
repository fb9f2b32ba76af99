"""The open-warning tallies' checks (as the owner): the stored rows against the ones counted from
the warnings, and their rebuild. The database writes them (migration 0016); ``open_counts``
(``stored``) reads them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

_COLUMNS = "unit_id, period_id, kind, unit_path::text, school_id, open_count"

_DRIFT = sa.text(f"""
WITH stored AS (SELECT {_COLUMNS} FROM warning_tallies
                 WHERE unit_path <@ CAST(:under AS ltree) AND open_count <> 0),
     computed AS (SELECT {_COLUMNS} FROM warning_tallies_computed(CAST(:under AS ltree)))
SELECT 'stored' AS side, unit_id, period_id, kind FROM (TABLE stored EXCEPT TABLE computed) a
UNION ALL
SELECT 'computed', unit_id, period_id, kind FROM (TABLE computed EXCEPT TABLE stored) b
 ORDER BY unit_id, period_id, kind, side
""")

_COMMISSIONS = sa.text("SELECT path::text FROM units WHERE nlevel(path) = 1 ORDER BY id")


async def drift(conn: AsyncConnection, under: str) -> list[sa.Row]:
    """Stored rows under ``under`` (a commission's path, or a school's) that differ from the
    ones counted from the open warnings, both ways (side ``stored`` or ``computed``: which one
    holds the row the other lacks; a row of zero counts as absent; a stale path differs too).
    Empty when the derivation holds."""
    return list((await conn.execute(_DRIFT, {"under": under})).all())


async def commissions(conn: AsyncConnection) -> list[str]:
    """The path of every commission: the trees the tallies are checked and rebuilt by."""
    return list((await conn.scalars(_COMMISSIONS)).all())


async def rebuild(conn: AsyncConnection) -> int:
    """Recount every commission's tree from the warnings (after a bulk load that bypassed the
    trigger). How many trees."""
    trees = await commissions(conn)
    for path in trees:
        await conn.execute(
            sa.text("SELECT warning_tallies_rebuild(CAST(:p AS ltree))"), {"p": path}
        )
    return len(trees)
