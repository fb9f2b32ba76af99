"""Per-(period, unit) balances: locked, checked and updated in the writing transaction."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

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
    """The units' balance rows, created when missing and locked, in one statement, in one order
    (depth, then id) so that concurrent movements over overlapping units never deadlock.

    ``ON CONFLICT DO UPDATE`` (a no-op update) rather than ``DO NOTHING`` and a later
    ``SELECT … FOR UPDATE``: it locks an existing row and returns its latest version even when
    another transaction committed it after this statement's snapshot (where a select in the same
    statement would not see it), and creates a missing one — each row in the order given. The
    no-op update writes a new version of the row, as the movement's own update does after it."""
    rows = sorted({u.id: u for u in unit_rows}.values(), key=lambda u: (u.path.count("."), u.id))
    upsert = pg_insert(unit_quotas).values(
        [
            {
                "period_id": period_id,
                "unit_id": u.id,
                "unit_path": u.path,
                "unit_kind": u.kind,
                "school_id": u.school_id,
            }
            for u in rows
        ]
    )
    locked = (
        upsert.on_conflict_do_update(
            index_elements=[unit_quotas.c.period_id, unit_quotas.c.unit_id],
            set_={"unit_kind": unit_quotas.c.unit_kind},  # unchanged: the row is only locked
        )
        .returning(*unit_quotas.c)
        .cte("locked")
    )
    stmt = sa.select(locked, units.c.name.label("unit_name")).join(
        units, units.c.id == locked.c.unit_id
    )
    return {r.unit_id: r for r in (await session.execute(stmt)).all()}


def changes(period_id: int, deltas: dict[int, dict[str, Amounts]]) -> sa.Update:
    """The statement adding ``deltas`` (unit id → figure → amounts) to the units' balances, all
    units in one ``UPDATE … FROM (VALUES …)``: a row is updated once however many of its
    figures change (two updates of one row in one statement would keep only one). Built, not
    run: :func:`..ledger.record` writes it with the ledger row."""
    figures = sorted({figure for per_unit in deltas.values() for figure in per_unit})
    columns = [f"{figure}_{d}" for figure in figures for d in DIMENSIONS]
    zero = Amounts(0)
    delta = sa.values(
        sa.column("unit_id", sa.BigInteger),
        *(sa.column(name, sa.Integer) for name in columns),
        name="delta",
    ).data(
        [
            (unit_id, *(getattr(per_unit.get(f, zero), d) for f in figures for d in DIMENSIONS))
            for unit_id, per_unit in deltas.items()
        ]
    )
    return (
        sa.update(unit_quotas)
        .where(unit_quotas.c.period_id == period_id, unit_quotas.c.unit_id == delta.c.unit_id)
        .values({name: unit_quotas.c[name] + delta.c[name] for name in columns})
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


async def children_lines(session: Session, period_id: int, unit_id: int) -> list[sa.Row]:
    """Every active child with its balance (zeros when it has none yet), in one statement."""
    stmt = (
        sa.select(
            units.c.id.label("unit_id"),
            units.c.name.label("unit_name"),
            units.c.kind.label("unit_kind"),
            units.c.code.label("unit_code"),
            units.c.path.label("unit_path"),
            *(sa.func.coalesce(unit_quotas.c[name], 0).label(name) for name in FIGURE_COLUMNS),
            unit_quotas.c.forecast_remark,
            unit_quotas.c.forecast_at,
        )
        .select_from(units)
        .outerjoin(
            unit_quotas,
            sa.and_(unit_quotas.c.unit_id == units.c.id, unit_quotas.c.period_id == period_id),
        )
        .where(units.c.parent_id == unit_id, units.c.active)
        .order_by(units.c.id)
    )
    return list((await session.execute(stmt)).all())


async def targets(session: Session, period_id: int, unit_id: int) -> list[sa.Row]:
    stmt = (
        sa.select(structural_targets)
        .where(structural_targets.c.period_id == period_id, structural_targets.c.unit_id == unit_id)
        .order_by(structural_targets.c.indicator)
    )
    return list((await session.execute(stmt)).all())


def targets_upsert(
    period_id: int,
    unit: sa.Row,
    targets: list[tuple[str, int | None, Decimal | None]],
    movement_id: sa.ColumnElement[int],
) -> sa.Insert:
    """The statement setting the unit's structural targets (indicator, minimum count, minimum
    share in percent), each replacing the unit's earlier target of its indicator and naming the
    movement that set it (``movement_id``: a column of the statement's ledger row). Built, not
    run: :func:`..ledger.record` writes it with the ledger row."""
    given = sa.values(
        sa.column("indicator", sa.Text),
        sa.column("min_count", sa.Integer),
        sa.column("min_share_percent", sa.Numeric(5, 2)),
        name="given",
    ).data(targets)
    rows = sa.select(
        sa.literal(period_id, sa.BigInteger),
        sa.literal(unit.id, sa.BigInteger),
        sa.literal(unit.path, structural_targets.c.unit_path.type),
        sa.literal(unit.school_id, sa.BigInteger),
        given.c.indicator,
        # A column of VALUES whose every value is NULL is text to PostgreSQL: say what it is.
        sa.cast(given.c.min_count, sa.Integer),
        sa.cast(given.c.min_share_percent, sa.Numeric(5, 2)),
        movement_id,
    ).select_from(given.join(movement_id.table, sa.true()))
    stmt = pg_insert(structural_targets).from_select(
        [
            "period_id",
            "unit_id",
            "unit_path",
            "school_id",
            "indicator",
            "min_count",
            "min_share_percent",
            "set_by_movement_id",
        ],
        rows,
    )
    return stmt.on_conflict_do_update(
        index_elements=["period_id", "unit_id", "indicator"],
        set_={
            k: stmt.excluded[k] for k in ("min_count", "min_share_percent", "set_by_movement_id")
        },
    )
