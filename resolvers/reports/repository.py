"""Execution reports: the SQL, nothing else."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from partyplan.models import execution_reports, plan_periods, units
from partyplan.resolvers import paging
from partyplan.resolvers.paging import Keyset, Page
from partyplan.tenants.scope import Subtree, descendant_of_any, in_subtree
from partyplan.tenants.session import Session

REPORT_COLUMNS = (
    *execution_reports.c,
    units.c.name.label("unit_name"),
    plan_periods.c.name.label("period_name"),
)


def _joined() -> sa.Select:
    return sa.select(*REPORT_COLUMNS).select_from(
        execution_reports.join(units, units.c.id == execution_reports.c.unit_id).join(
            plan_periods, plan_periods.c.id == execution_reports.c.period_id
        )
    )


async def get(session: Session, report_id: int, *, lock: bool = False) -> sa.Row | None:
    stmt = _joined().where(execution_reports.c.id == report_id)
    if lock:
        stmt = stmt.with_for_update(of=execution_reports)
    return (await session.execute(stmt)).first()


async def find(
    session: Session, period_id: int, unit_id: int, *, lock: bool = False
) -> sa.Row | None:
    stmt = _joined().where(
        execution_reports.c.period_id == period_id, execution_reports.c.unit_id == unit_id
    )
    if lock:
        stmt = stmt.with_for_update(of=execution_reports)
    return (await session.execute(stmt)).first()


async def now(session: Session) -> datetime:
    """The transaction's timestamp: what ``now()`` writes in this transaction."""
    return await session.scalar(sa.select(sa.func.now()))


async def create(session: Session, *, period_id: int, unit: sa.Row, narrative: str) -> int:
    stmt = (
        sa.insert(execution_reports)
        .values(
            period_id=period_id,
            unit_id=unit.id,
            unit_path=unit.path,
            school_id=unit.school_id,
            narrative=narrative,
        )
        .returning(execution_reports.c.id)
    )
    return int(await session.scalar(stmt))


async def update(session: Session, report_id: int, **values: Any) -> None:
    await session.execute(
        sa.update(execution_reports)
        .where(execution_reports.c.id == report_id)
        .values(**values, updated_at=sa.func.now())
    )


async def page(
    session: Session,
    *,
    read_paths: list[str],
    under: Subtree | None,
    period_id: int | None,
    status: str | None,
    keyset: Keyset,
) -> Page:
    stmt = _joined().where(descendant_of_any(execution_reports.c.unit_path, read_paths))
    if under is not None:
        stmt = stmt.where(
            in_subtree(execution_reports.c.unit_path, execution_reports.c.school_id, under)
        )
    if period_id is not None:
        stmt = stmt.where(execution_reports.c.period_id == period_id)
    if status is not None:
        stmt = stmt.where(execution_reports.c.status == status)
    return await paging.fetch(session, stmt, execution_reports.c.id, keyset)
