"""All the allocation-quality SQL: the commission's thresholds, the subdividing units of a
period, and their children's places, pipeline and headcount (one statement for a page)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from partyplan.models import allocation_quality_rules, members, unit_quotas, unit_tallies, units
from partyplan.resolvers.paging import Keyset, Page, fetch
from partyplan.tenants.scope import Subtree, descendant_of, descendant_of_any, in_subtree
from partyplan.tenants.session import Session

rules_table = allocation_quality_rules


async def params(session: Session, commission_id: int) -> sa.Row | None:
    stmt = sa.select(rules_table).where(rules_table.c.commission_id == commission_id)
    return (await session.execute(stmt)).first()


async def upsert(session: Session, commission: sa.Row, values: dict[str, Any]) -> sa.Row:
    changed = {
        "params": values,
        "updated_by": session.principal.user_id,
        "updated_at": sa.func.now(),
    }
    stmt = (
        pg_insert(rules_table)
        .values(commission_id=commission.id, commission_path=commission.path, **changed)
        .on_conflict_do_update(index_elements=["commission_id"], set_=changed)
        .returning(*rules_table.c)
    )
    return (await session.execute(stmt)).one()


async def subdividing(
    session: Session,
    period_id: int,
    *,
    read_paths: list[str],
    under: Subtree | None,
    keyset: Keyset,
) -> Page:
    """The units that handed places down in the period, where the caller reads plans, by id."""
    filtered = (
        sa.select(
            unit_quotas.c.unit_id.label("id"),
            unit_quotas.c.unit_path,
            unit_quotas.c.handed_total,
            units.c.name,
            units.c.kind,
        )
        .join(units, units.c.id == unit_quotas.c.unit_id)
        .where(
            unit_quotas.c.period_id == period_id,
            unit_quotas.c.handed_total > 0,
            descendant_of_any(unit_quotas.c.unit_path, read_paths),
        )
    )
    if under is not None:
        if under.school_id is None:
            filtered = filtered.where(descendant_of(unit_quotas.c.unit_path, under.path))
        else:
            filtered = filtered.where(
                in_subtree(unit_quotas.c.unit_path, unit_quotas.c.school_id, under)
            )
    return await fetch(session, filtered, unit_quotas.c.unit_id, keyset)


async def children(session: Session, period_id: int, parent_ids: Sequence[int]) -> list[sa.Row]:
    """Each parent's children (active, or holding places): places, high-knowledge places,
    activists and development targets over the child's subtree, members on the roster below
    it; by parent, then child id."""
    if not parent_ids:
        return []
    quota = unit_quotas.alias("q")
    tally = unit_tallies.alias("t")
    headcount = (
        sa.select(sa.func.count())
        .where(
            members.c.unit_path.op("<@", return_type=sa.Boolean)(units.c.path),
            members.c.left_on.is_(None),
        )
        .correlate(units)
        .scalar_subquery()
    )
    stmt = (
        sa.select(
            units.c.parent_id,
            units.c.id,
            units.c.name,
            sa.func.coalesce(quota.c.received_total, 0).label("places"),
            sa.func.coalesce(quota.c.received_high_knowledge, 0).label("high_knowledge"),
            sa.func.coalesce(tally.c.activists, 0).label("activists"),
            sa.func.coalesce(tally.c.development_targets, 0).label("development_targets"),
            headcount.label("headcount"),
        )
        .select_from(
            units.outerjoin(
                quota, sa.and_(quota.c.unit_id == units.c.id, quota.c.period_id == period_id)
            ).outerjoin(
                tally, sa.and_(tally.c.unit_id == units.c.id, tally.c.period_id == period_id)
            )
        )
        .where(
            units.c.parent_id.in_(parent_ids),
            sa.or_(units.c.active, sa.func.coalesce(quota.c.received_total, 0) > 0),
        )
        .order_by(units.c.parent_id, units.c.id)
    )
    return list((await session.execute(stmt)).all())
