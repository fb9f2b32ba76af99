"""The named targets' SQL: the recruits named, a branch's names, the changes to its lists.

Every statement runs as the caller (row-level security scopes ``named_targets`` and
``recruits`` to the caller's units). What the names count (the branch's ``named_total`` on its
balance, the subtree tallies) the database derives from these writes (migration 0021).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.models import named_targets, recruits
from partyplan.tenants.session import Session

#: The two lists a branch keeps per period: column of ``named_targets`` → the other one.
FLAGS = {"placed": "forecast", "forecast": "placed"}

_RECRUIT_COLUMNS = (
    recruits.c.id,
    recruits.c.name,
    recruits.c.branch_id,
    recruits.c.unit_path,
    recruits.c.school_id,
    recruits.c.stage,
    # An annulled admission (不予承认) used no place: it reads as no approval here.
    sa.case((recruits.c.annulled_on.is_(None), recruits.c.approved_on)).label("approved_on"),
    recruits.c.admitted_branch_id,
)


async def recruits_by_id(session: Session, ids: Sequence[int]) -> dict[int, sa.Row]:
    """The recruits among ``ids`` the caller's scope holds, by id."""
    if not ids:
        return {}
    stmt = sa.select(*_RECRUIT_COLUMNS).where(
        recruits.c.id == sa.any_(sa.literal(list(ids), sa.ARRAY(sa.BigInteger)))
    )
    return {r.id: r for r in (await session.execute(stmt)).all()}


async def names(session: Session, period_id: int, unit_id: int) -> list[sa.Row]:
    """The branch's names of the period with their recruits, in the order they were named."""
    stmt = (
        sa.select(
            named_targets.c.recruit_id,
            named_targets.c.placed,
            named_targets.c.forecast,
            *(c.label(f"recruit_{c.name}") for c in _RECRUIT_COLUMNS[1:]),
        )
        .join(recruits, recruits.c.id == named_targets.c.recruit_id)
        .where(named_targets.c.period_id == period_id, named_targets.c.unit_id == unit_id)
        .order_by(named_targets.c.id)
    )
    return list((await session.execute(stmt)).all())


async def replace_list(
    session: Session, *, period_id: int, unit: sa.Row, flag: str, recruit_ids: Sequence[int]
) -> None:
    """Make ``flag``'s list of the branch exactly ``recruit_ids``: the names dropped first (a
    place given up is free before one is taken, so a swap fits a full branch), then the names
    added. A row on neither list is deleted."""
    other = FLAGS[flag]
    kept = sa.literal(list(recruit_ids), sa.ARRAY(sa.BigInteger))
    mine = sa.and_(
        named_targets.c.period_id == period_id,
        named_targets.c.unit_id == unit.id,
        named_targets.c[flag],
        sa.not_(named_targets.c.recruit_id == sa.any_(kept)),
    )
    await session.execute(sa.delete(named_targets).where(mine, sa.not_(named_targets.c[other])))
    await session.execute(
        sa.update(named_targets).where(mine).values({flag: False, "updated_at": sa.func.now()})
    )
    if not recruit_ids:
        return
    stmt = pg_insert(named_targets).values(
        [
            {
                "period_id": period_id,
                "recruit_id": recruit_id,
                "unit_id": unit.id,
                "unit_path": unit.path,
                "school_id": unit.school_id,
                flag: True,
                "named_by": session.principal.user_id,
            }
            for recruit_id in recruit_ids
        ]
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["period_id", "recruit_id"],
            set_={flag: True, "named_by": stmt.excluded.named_by, "updated_at": sa.func.now()},
            where=sa.not_(named_targets.c[flag]),
        )
    )


_DRIFT = sa.text(
    """
    WITH stored AS (SELECT unit_id, unit_path::text, school_id, placed, unplaced
                      FROM placement_tallies
                     WHERE period_id = :period AND unit_path <@ CAST(:under AS ltree)
                       AND (placed <> 0 OR unplaced <> 0)),
         computed AS (SELECT unit_id, unit_path::text, school_id, placed, unplaced
                        FROM placement_tallies_computed(:period, CAST(:under AS ltree)))
    SELECT 'stored' AS side, unit_id FROM (TABLE stored EXCEPT TABLE computed) a
    UNION ALL
    SELECT 'computed', unit_id FROM (TABLE computed EXCEPT TABLE stored) b
    UNION ALL
    SELECT 'named_total', q.unit_id FROM unit_quotas q
     WHERE q.period_id = :period AND q.unit_path <@ CAST(:under AS ltree)
       AND q.named_total <> (SELECT count(*) FROM named_targets n
                              WHERE n.period_id = q.period_id AND n.unit_id = q.unit_id
                                AND n.placed)
    """
)


async def drift(conn: AsyncConnection, period_id: int, under: str) -> list[sa.Row]:
    """As the owner (``partyplan tallies verify``): the period's stored placement tallies under
    ``under`` that differ from those computed from the names (``side``: which has the row), and
    the balances whose ``named_total`` is not their count of placed names. Empty when the
    derivation holds."""
    return list((await conn.execute(_DRIFT, {"period": period_id, "under": under})).all())


async def rebuild(conn: AsyncConnection) -> int:
    """As the owner (``partyplan tallies rebuild``): every commission's placement tallies and
    branch named totals recomputed from the names (after a bulk load that bypassed the
    trigger). The number of trees rebuilt."""
    rows = await conn.execute(
        sa.text("SELECT placement_tallies_rebuild(path) FROM units WHERE nlevel(path) = 1")
    )
    return len(rows.all())
