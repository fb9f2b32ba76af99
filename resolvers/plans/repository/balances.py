"""Per-(period, unit) balances: locked, checked and updated in the writing transaction."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from partyplan.models import (
    forecast_submissions,
    structural_targets,
    unit_quotas,
    units,
)
from partyplan.tenants.session import Session

from ..rules import DIMENSIONS, Amounts

FIGURE_COLUMNS = [
    f"{figure}_{d}" for figure in ("received", "handed", "reserve", "forecast") for d in DIMENSIONS
]


async def lock(session: Session, period_id: int, unit_rows: Iterable[sa.Row]) -> dict[int, sa.Row]:
    """Create missing balance rows, then lock them all in one order (depth, then id) so that
    concurrent movements over overlapping units never deadlock."""
    rows = {u.id: u for u in unit_rows}
    await session.execute(
        pg_insert(unit_quotas)
        .values(
            [
                {
                    "period_id": period_id,
                    "unit_id": u.id,
                    "unit_path": u.path,
                    "unit_kind": u.kind,
                    "school_id": u.school_id,
                }
                for u in sorted(rows.values(), key=lambda u: (u.path.count("."), u.id))
            ]
        )
        .on_conflict_do_nothing()
    )
    stmt = (
        sa.select(unit_quotas, units.c.name.label("unit_name"))
        .join(units, units.c.id == unit_quotas.c.unit_id)
        .where(
            unit_quotas.c.period_id == period_id,
            unit_quotas.c.unit_id == sa.any_(sa.literal(list(rows), sa.ARRAY(sa.BigInteger))),
        )
        .order_by(sa.func.nlevel(unit_quotas.c.unit_path), unit_quotas.c.unit_id)
        .with_for_update(of=unit_quotas)
    )
    return {r.unit_id: r for r in (await session.execute(stmt)).all()}


async def add(session: Session, period_id: int, unit_id: int, figure: str, delta: Amounts) -> None:
    values = {
        f"{figure}_{d}": getattr(unit_quotas.c, f"{figure}_{d}") + getattr(delta, d)
        for d in DIMENSIONS
    }
    await session.execute(
        sa.update(unit_quotas)
        .where(unit_quotas.c.period_id == period_id, unit_quotas.c.unit_id == unit_id)
        .values(**values)
    )


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


async def upsert_target(
    session: Session,
    *,
    period_id: int,
    unit: sa.Row,
    indicator: str,
    min_count: int | None,
    min_share_percent: object,
    movement_id: int | None,
) -> None:
    values = {
        "period_id": period_id,
        "unit_id": unit.id,
        "unit_path": unit.path,
        "school_id": unit.school_id,
        "indicator": indicator,
        "min_count": min_count,
        "min_share_percent": min_share_percent,
        "set_by_movement_id": movement_id,
    }
    stmt = pg_insert(structural_targets).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["period_id", "unit_id", "indicator"],
        set_={
            k: stmt.excluded[k] for k in ("min_count", "min_share_percent", "set_by_movement_id")
        },
    )
    await session.execute(stmt)
