"""SQL of what a recruit's commission holds for its recruits: the procedure in force — its
working-day calendar and its stored rule overlays (``service/procedure.py``,
``service/procedure_admin.py``).

Each is keyed by the commission; rows written here carry the commission's path, by which
row-level security scopes them."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from partyplan.models import calendar_days, rule_overlays
from partyplan.tenants.session import Session


async def calendar_days_of(session: Session, commission_id: int) -> list[sa.Row]:
    """The commission's holidays and make-up working days: ``day``, ``kind``."""
    stmt = sa.select(calendar_days.c.day, calendar_days.c.kind).where(
        calendar_days.c.commission_id == commission_id
    )
    return list((await session.execute(stmt)).all())


async def replace_calendar_year(
    session: Session, commission: sa.Row, year: int, days: list[tuple[str, date]]
) -> None:
    """The year's days become ``days`` (``(kind, day)``); other years stay."""
    await session.execute(
        sa.delete(calendar_days).where(
            calendar_days.c.commission_id == commission.id,
            calendar_days.c.day.between(date(year, 1, 1), date(year, 12, 31)),
        )
    )
    rows = [
        {"commission_id": commission.id, "commission_path": commission.path, "day": d, "kind": k}
        for k, d in days
    ]
    if rows:
        await session.execute(sa.insert(calendar_days), rows)


async def overlay_bodies(session: Session, commission_id: int) -> list[Any]:
    """The commission's stored rule overlays, as stored (JSON)."""
    stmt = sa.select(rule_overlays.c.body).where(rule_overlays.c.commission_id == commission_id)
    return [r.body for r in (await session.execute(stmt)).all()]


async def store_overlay(session: Session, commission: sa.Row, overlay_id: str, body: Any) -> None:
    """Insert the overlay, or replace the stored one of the same id."""
    stmt = pg_insert(rule_overlays).values(
        commission_id=commission.id,
        commission_path=commission.path,
        overlay_id=overlay_id,
        body=body,
        updated_by=session.principal.user_id,
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["commission_id", "overlay_id"],
            set_={
                "body": stmt.excluded.body,
                "updated_by": stmt.excluded.updated_by,
                "updated_at": sa.func.now(),
            },
        )
    )
