"""Lookups shared by the plan operations: periods and units the caller reaches."""

from __future__ import annotations

import sqlalchemy as sa

from partyplan.auth.errors import NotFound
from partyplan.auth.permissions import Permission
from partyplan.auth.principal import is_within
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from ..errors import PlanError, PlanErrorCode
from ..repository import periods

__all__ = [
    "audit_plan",
    "period_for",
    "plan_scope",
    "reached_period",
    "reached_unit_in_period",
    "unit_in_period",
    "visible_unit",
]


async def period_for(session: Session, period_id: int, *, lock: str | None = None) -> sa.Row:
    """The period if it belongs to a commission above or inside the caller's units."""
    return reached_period(session, await periods.get(session, period_id, lock=lock))


def reached_period(session: Session, row: sa.Row | None) -> sa.Row:
    """:func:`period_for` on a period already read (None: none visible)."""
    if row is None or not session.principal.reaches_along(row.commission_path):
        raise NotFound("未找到该计划期")
    return row


async def unit_in_period(
    session: Session, unit_id: int, period: sa.Row, permission: Permission, field: str
) -> sa.Row:
    """A unit the caller reaches, under the period's commission, with ``permission`` there."""
    unit = await visible_unit(session, unit_id, Permission.UNIT_READ, field)
    return _in_period(session, unit, period, permission, field)


def reached_unit_in_period(
    session: Session, row: sa.Row | None, period: sa.Row, permission: Permission, field: str
) -> sa.Row:
    """:func:`unit_in_period` on a unit already read (None: none visible), with the same
    answers: ``session.reach`` as ``units.service.visible`` calls it, then the period's test."""
    unit = session.reach(row, f"党组织（{field}）", Permission.UNIT_READ, "path")
    return _in_period(session, unit, period, permission, field)


def _in_period(
    session: Session, unit: sa.Row, period: sa.Row, permission: Permission, field: str
) -> sa.Row:
    if not is_within(unit.path, period.commission_path):
        raise NotFound(f"本计划期所属工委下未找到该单位（{field}）")
    session.require(permission, unit.path)
    return unit


async def plan_scope(session: Session, *, unit_id: int, period_id: int) -> tuple[sa.Row, sa.Row]:
    """The period and the unit whose figures are read (a plan, a roll-up): NOT_FOUND out of the
    caller's reach, FORBIDDEN without ``plan.read`` at the unit."""
    period = await period_for(session, period_id)
    unit = await unit_in_period(session, unit_id, period, Permission.PLAN_READ, "unitId")
    return period, unit


def require_active(unit: sa.Row, field: str) -> None:
    if not unit.active:
        raise PlanError(PlanErrorCode.INACTIVE_UNIT, f"{unit.name}已停用", field)


async def audit_plan(
    session: Session,
    *,
    operation: str,
    object_type: str,
    object_id: int,
    unit: sa.Row,
    after: dict[str, object],
    before: dict[str, object] | None = None,
) -> None:
    await audit.append(
        session,
        operation=operation,
        object_type=object_type,
        object_id=object_id,
        unit_id=unit.id,
        school_id=unit.school_id,
        before=before,
        after=after,
    )
