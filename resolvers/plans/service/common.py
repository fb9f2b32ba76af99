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

__all__ = ["audit_plan", "period_for", "unit_in_period", "visible_unit"]


async def period_for(session: Session, period_id: int, *, lock: str | None = None) -> sa.Row:
    """The period if it belongs to a commission above or inside the caller's units."""
    row = await periods.get(session, period_id, lock=lock)
    if row is None or not session.principal.reaches_along(row.commission_path):
        raise NotFound("未找到该计划期")
    return row


async def unit_in_period(
    session: Session, unit_id: int, period: sa.Row, permission: Permission, field: str
) -> sa.Row:
    """A unit the caller reaches, under the period's commission, with ``permission`` there."""
    unit = await visible_unit(session, unit_id, Permission.UNIT_READ, field)
    if not is_within(unit.path, period.commission_path):
        raise NotFound(f"本计划期所属工委下未找到该单位（{field}）")
    session.require(permission, unit.path)
    return unit


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
