"""Warnings and warning rules: the SQL, nothing else."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from partyplan.models import units, warning_rules, warnings
from partyplan.tenants.scope import Subtree, descendant_of_any, in_subtree
from partyplan.tenants.session import Session

WARNING_COLUMNS = (*warnings.c, units.c.name.label("unit_name"))


def _joined() -> sa.Select:
    return sa.select(*WARNING_COLUMNS).select_from(
        warnings.join(units, units.c.id == warnings.c.unit_id)
    )


async def page(
    session: Session,
    *,
    read_paths: list[str],
    under: Subtree | None,
    kind: str | None,
    status: str | None,
    after_id: int | None,
    limit: int,
) -> list[sa.Row]:
    """Newest first: one statement, the unit's name joined."""
    stmt = _joined().where(descendant_of_any(warnings.c.unit_path, read_paths))
    if under is not None:
        stmt = stmt.where(in_subtree(warnings.c.unit_path, warnings.c.school_id, under))
    if kind is not None:
        stmt = stmt.where(warnings.c.kind == kind)
    if status is not None:
        stmt = stmt.where(warnings.c.status == status)
    if after_id is not None:
        stmt = stmt.where(warnings.c.id < after_id)
    stmt = stmt.order_by(warnings.c.id.desc()).limit(limit)
    return list((await session.execute(stmt)).all())


async def get(session: Session, warning_id: int, *, lock: bool = False) -> sa.Row | None:
    stmt = _joined().where(warnings.c.id == warning_id)
    if lock:
        stmt = stmt.with_for_update(of=warnings)
    return (await session.execute(stmt)).first()


async def acknowledge(session: Session, warning_id: int, note: str | None) -> None:
    await session.execute(
        sa.update(warnings)
        .where(warnings.c.id == warning_id)
        .values(
            status="acknowledged",
            acknowledged_by=session.principal.user_id,
            acknowledged_at=sa.func.now(),
            acknowledgement=note,
        )
    )


async def rules(session: Session, commission_id: int) -> dict[str, sa.Row]:
    stmt = sa.select(warning_rules).where(warning_rules.c.commission_id == commission_id)
    return {r.kind: r for r in (await session.execute(stmt)).all()}


async def upsert_rule(
    session: Session, *, commission: sa.Row, kind: str, enabled: bool, params: dict[str, Any]
) -> sa.Row:
    values = {
        "enabled": enabled,
        "params": params,
        "updated_by": session.principal.user_id,
        "updated_at": sa.func.now(),
    }
    stmt = (
        pg_insert(warning_rules)
        .values(commission_id=commission.id, commission_path=commission.path, kind=kind, **values)
        .on_conflict_do_update(index_elements=["commission_id", "kind"], set_=values)
        .returning(*warning_rules.c)
    )
    return (await session.execute(stmt)).one()
