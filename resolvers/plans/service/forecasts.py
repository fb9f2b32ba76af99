"""Forecasts (预计发展数): bottom-up demand reported by a unit, with a remark.

The unit's current forecast is the latest submission (all are kept), derived into the unit's
``forecast_*`` figures in the same transaction. The sum of a unit's children's forecasts is
read as a sum over those small per-child rows (a branch secretary may not write its parent's).
"""

from __future__ import annotations

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.tenants.session import Session

from .. import rules
from ..errors import PlanErrorCode
from ..repository import balances
from ..rules import Amounts, amounts_of
from .common import audit_plan, period_for, require_active, unit_in_period

MAX_REMARK = 500


async def submit(
    session: Session, *, period_id: int, unit_id: int, amounts: Amounts, remark: str | None
) -> sa.Row:
    period = await period_for(session, period_id, lock="share")
    unit = await unit_in_period(session, unit_id, period, Permission.FORECAST_SUBMIT, "unitId")
    require_active(unit, "unitId")
    rules.check_writable(period.state)
    rules.check_amounts(amounts, "amounts", allow_zero_total=True)
    remark = rules.clean_text(
        remark, "remark", PlanErrorCode.INVALID_REMARK, required=False, limit=MAX_REMARK
    )
    locked = await balances.lock(session, period.id, [unit])
    previous = amounts_of(locked[unit.id], "forecast")
    await balances.set_forecast(session, period.id, unit.id, amounts, remark)
    row = await balances.record_forecast(
        session, period_id=period.id, unit=unit, amounts=amounts, remark=remark
    )
    await audit_plan(
        session,
        operation="submitForecast",
        object_type="Forecast",
        object_id=row.id,
        unit=unit,
        before={**previous.as_dict()},
        after={**amounts.as_dict(), "remark": remark},
    )
    return row
