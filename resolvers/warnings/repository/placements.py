"""What the named-target rules read (migration 0021): each branch's places beside the names on
them, and its names without a place. Balances and placement tallies (small pre-aggregated
rows); the admissions that used a place without a name are counted per branch holding places
left unnamed, which a late-period scan meets a handful of."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

_PLACES_WITHOUT_NAMES = sa.text(
    """
    SELECT q.unit_id, u.path::text AS path, q.school_id, u.name,
           q.received_total - q.handed_total - q.reserve_total AS available,
           q.named_total AS named,
           (SELECT count(*) FROM recruits r
             WHERE r.admitted_branch_id = q.unit_id AND NOT r.exempt
               AND r.approved_on BETWEEN :starts AND :ends AND r.annulled_on IS NULL
               AND NOT EXISTS (SELECT 1 FROM named_targets n
                                WHERE n.period_id = q.period_id AND n.recruit_id = r.id
                                  AND n.placed))::int AS admitted_unnamed
      FROM unit_quotas q JOIN units u ON u.id = q.unit_id
     WHERE q.period_id = :period AND u.kind = 'branch'
       AND q.received_total - q.handed_total - q.reserve_total > q.named_total
     ORDER BY q.unit_id
    """
)


async def places_without_names(conn: AsyncConnection, period: sa.Row) -> list[sa.Row]:
    """Branches holding available places (received − handed down − reserve) beyond the places
    on names: ``unit_id``, ``path``, ``school_id``, ``name``, ``available``, ``named`` and
    ``admitted_unnamed`` (admissions counted in the period at the branch on no named place)."""
    params = {"period": period.id, "starts": period.starts_on, "ends": period.ends_on}
    return list((await conn.execute(_PLACES_WITHOUT_NAMES, params)).all())


_NAMES_WITHOUT_PLACES = sa.text(
    """
    SELECT t.unit_id, t.unit_path::text AS path, t.school_id, u.name, t.unplaced
      FROM placement_tallies t JOIN units u ON u.id = t.unit_id
     WHERE t.period_id = :period AND u.kind = 'branch' AND t.unplaced > 0
     ORDER BY t.unit_id
    """
)


async def names_without_places(conn: AsyncConnection, period_id: int) -> list[sa.Row]:
    """Branches with names backing their forecast that hold no place: ``unit_id``, ``path``,
    ``school_id``, ``name``, ``unplaced``."""
    return list((await conn.execute(_NAMES_WITHOUT_PLACES, {"period": period_id})).all())
