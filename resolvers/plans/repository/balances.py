"""Per-(period, unit) balances: locked, checked and updated in the writing transaction."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from partyplan.models import (
    forecast_submissions,
    structural_targets,
    unit_quotas,
)
from partyplan.tenants.session import Session

from ..rules import DIMENSIONS, Amounts

FIGURE_COLUMNS = [
    f"{figure}_{d}" for figure in ("received", "handed", "reserve", "forecast") for d in DIMENSIONS
]


# The balance rows of the units given (in tree order), created when missing and locked: one
# statement, built once (tenants/shaped.py), the units passed as arrays.
_LOCK = sa.text(
    """
WITH locked AS (
    INSERT INTO unit_quotas AS q (period_id, unit_id, unit_path, unit_kind, school_id)
    SELECT CAST(:p_period_id AS bigint), u.id, CAST(u.path AS ltree), u.kind, u.school_id
      FROM unnest(CAST(:p_ids AS bigint[]), CAST(:p_paths AS text[]), CAST(:p_kinds AS text[]),
                  CAST(:p_schools AS bigint[])) WITH ORDINALITY AS u(id, path, kind, school_id, ord)
     ORDER BY u.ord
    ON CONFLICT (period_id, unit_id) DO UPDATE SET unit_kind = q.unit_kind
    RETURNING q.*
)
SELECT locked.*, units.name AS unit_name FROM locked JOIN units ON units.id = locked.unit_id
"""
)


async def lock(session: Session, period_id: int, unit_rows: Iterable[sa.Row]) -> dict[int, sa.Row]:
    """The units' balance rows, created when missing and locked, in one statement and one order
    (depth, then id) so that concurrent movements over overlapping units never deadlock.

    ``ON CONFLICT DO UPDATE`` (a no-op update) rather than ``DO NOTHING`` and a later
    ``SELECT … FOR UPDATE``: it locks an existing row and returns its latest version even when
    another transaction committed it after this statement's snapshot (which a select in the same
    statement would not see), and creates a missing one, each row in the order given. The no-op
    update writes a new version of the row, as the movement's own update does after it."""
    rows = sorted({u.id: u for u in unit_rows}.values(), key=lambda u: (u.path.count("."), u.id))
    params = {
        "p_period_id": period_id,
        "p_ids": [u.id for u in rows],
        "p_paths": [u.path for u in rows],
        "p_kinds": [u.kind for u in rows],
        "p_schools": [u.school_id for u in rows],
    }
    return {r.unit_id: r for r in (await session.execute(_LOCK, params)).all()}


async def set_forecast(
    session: Session, period_id: int, unit_id: int, amounts: Amounts, remark: str | None
) -> None:
    values = {f"forecast_{d}": getattr(amounts, d) for d in DIMENSIONS}
    await session.execute(
        sa.update(unit_quotas)
        .where(unit_quotas.c.period_id == period_id, unit_quotas.c.unit_id == unit_id)
        .values(**values, forecast_remark=remark, forecast_at=sa.func.now())
    )


async def record_forecast(
    session: Session, *, period_id: int, unit: sa.Row, amounts: Amounts, remark: str | None
) -> sa.Row:
    stmt = (
        sa.insert(forecast_submissions)
        .values(
            period_id=period_id,
            unit_id=unit.id,
            unit_path=unit.path,
            school_id=unit.school_id,
            **amounts.as_dict(),
            remark=remark,
            submitted_by=session.principal.user_id,
        )
        .returning(*forecast_submissions.c)
    )
    return (await session.execute(stmt)).one()


async def get(session: Session, period_id: int, unit_id: int) -> sa.Row | None:
    stmt = sa.select(unit_quotas).where(
        unit_quotas.c.period_id == period_id, unit_quotas.c.unit_id == unit_id
    )
    return (await session.execute(stmt)).first()


async def targets(session: Session, period_id: int, unit_id: int) -> list[sa.Row]:
    stmt = (
        sa.select(structural_targets)
        .where(structural_targets.c.period_id == period_id, structural_targets.c.unit_id == unit_id)
        .order_by(structural_targets.c.indicator)
    )
    return list((await session.execute(stmt)).all())
