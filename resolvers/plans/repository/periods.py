"""Plan periods, dispatch rounds and linkage rules."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from partyplan.models import dispatch_rounds, linkage_rules, plan_periods
from partyplan.tenants.scope import paths_param
from partyplan.tenants.session import Session
from partyplan.tenants.shaped import param

PERIOD_COLUMNS = tuple(plan_periods.c)


async def get(session: Session, period_id: int, *, lock: str | None = None) -> sa.Row | None:
    """``lock``: "share" while quota moves (so closing waits for it), "update" to change state."""
    return (await session.execute(_GET[lock], {"p_period_id": period_id})).first()


# Built once (tenants/shaped.py): every check of a period argument reads one.
_GET_ONE = sa.select(*PERIOD_COLUMNS).where(plan_periods.c.id == param("period_id", sa.BigInteger))
_GET = {
    None: _GET_ONE,
    "share": _GET_ONE.with_for_update(read=True),
    "update": _GET_ONE.with_for_update(),
}


async def name_taken(session: Session, commission_id: int, name: str) -> bool:
    stmt = sa.select(sa.literal(1)).where(
        plan_periods.c.commission_id == commission_id, plan_periods.c.name == name
    )
    return (await session.scalar(stmt)) is not None


async def insert(
    session: Session,
    *,
    commission: sa.Row,
    name: str,
    kind: str,
    starts_on: date,
    ends_on: date,
    report_due_on: date,
) -> sa.Row:
    stmt = (
        sa.insert(plan_periods)
        .values(
            commission_id=commission.id,
            commission_path=commission.path,
            name=name,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            report_due_on=report_due_on,
        )
        .returning(*PERIOD_COLUMNS)
    )
    return (await session.execute(stmt)).one()


async def set_state(session: Session, period_id: int, state: str) -> sa.Row:
    stmt = (
        sa.update(plan_periods)
        .where(plan_periods.c.id == period_id)
        .values(state=state)
        .returning(*PERIOD_COLUMNS)
    )
    return (await session.execute(stmt)).one()


async def listed(session: Session, commission_paths: list[str], state: str | None) -> list[sa.Row]:
    """Periods of the commissions above (or at) the given unit paths, newest first."""
    scope = paths_param(commission_paths)
    stmt = sa.select(*PERIOD_COLUMNS).where(
        sa.or_(
            plan_periods.c.commission_path.op("<@")(scope),
            scope.op("<@")(plan_periods.c.commission_path),
        )
    )
    if state is not None:
        stmt = stmt.where(plan_periods.c.state == state)
    stmt = stmt.order_by(plan_periods.c.starts_on.desc(), plan_periods.c.id.desc())
    return list((await session.execute(stmt)).all())


async def next_period(session: Session, period: sa.Row) -> sa.Row | None:
    """The commission's period of the same kind that starts after ``period`` ends."""
    stmt = (
        sa.select(*PERIOD_COLUMNS)
        .where(
            plan_periods.c.commission_id == period.commission_id,
            plan_periods.c.kind == period.kind,
            plan_periods.c.starts_on > period.ends_on,
        )
        .order_by(plan_periods.c.starts_on)
        .limit(1)
    )
    return (await session.execute(stmt)).first()


async def linkage(session: Session, commission_id: int) -> sa.Row | None:
    stmt = sa.select(linkage_rules).where(linkage_rules.c.commission_id == commission_id)
    return (await session.execute(stmt)).first()


async def insert_round(
    session: Session,
    *,
    period_id: int,
    unit: sa.Row,
    name: str,
    document_no: str | None,
    actor: int,
) -> sa.Row:
    stmt = (
        sa.insert(dispatch_rounds)
        .values(
            period_id=period_id,
            unit_id=unit.id,
            unit_path=unit.path,
            school_id=unit.school_id,
            name=name,
            document_no=document_no,
            created_by=actor,
        )
        .returning(*dispatch_rounds.c)
    )
    return (await session.execute(stmt)).one()


async def get_round(session: Session, round_id: int) -> sa.Row | None:
    stmt = sa.select(*dispatch_rounds.c).where(dispatch_rounds.c.id == round_id)
    return (await session.execute(stmt)).first()


async def rounds(session: Session, period_id: int, read_paths: list[str]) -> list[sa.Row]:
    scope = paths_param(read_paths)
    stmt = (
        sa.select(*dispatch_rounds.c)
        .where(
            dispatch_rounds.c.period_id == period_id,
            sa.or_(
                dispatch_rounds.c.unit_path.op("<@")(scope),
                scope.op("<@")(dispatch_rounds.c.unit_path),
            ),
        )
        .order_by(dispatch_rounds.c.id)
    )
    return list((await session.execute(stmt)).all())


async def upsert_linkage(session: Session, commission: sa.Row, values: dict[str, object]) -> sa.Row:
    stmt = pg_insert(linkage_rules).values(
        commission_id=commission.id, commission_path=commission.path, **values
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["commission_id"], set_={**values, "updated_at": sa.func.now()}
    ).returning(*linkage_rules.c)
    return (await session.execute(stmt)).one()
