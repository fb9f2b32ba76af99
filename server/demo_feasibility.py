"""Demo data of the feasible admissions (docs/feasible-admissions.md), in the province demo:
运城学院's second student branch submits, in this year's period, a forecast three above every
recruit it has — more than the rules could ever let it admit — which the warning scan flags
as ``infeasible_quota`` on any day of the year. Every line of the roll-up shows its
``feasibleAdmissions`` beside quota and forecast without any seeding: they are read from the
recruits. Through the real service, once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.resolvers.plans.rules import Amounts
from partyplan.resolvers.plans.service import forecasts
from partyplan.tenants.session import Session

BRANCH = "SX-YCXY-02-02"


async def seed(
    conn: AsyncConnection, as_: Callable[[AsyncConnection, str], Awaitable[Session]], on: date
) -> None:
    found = (
        await conn.execute(
            sa.text(
                "SELECT b.id AS branch, p.id AS period,"
                " (SELECT count(*) FROM recruits r WHERE r.branch_id = b.id) AS recruits,"
                " q.forecast_total FROM units b"
                " JOIN plan_periods p ON p.commission_id = CAST(subpath(b.path, 0, 1)::text AS bigint)"
                " LEFT JOIN unit_quotas q ON q.period_id = p.id AND q.unit_id = b.id"
                " WHERE b.code = :b AND p.state = 'issued' AND p.starts_on <= :on"
                " AND p.ends_on >= :on"
            ),
            {"b": BRANCH, "on": on},
        )
    ).first()
    if found is None or found.forecast_total:
        return
    n = int(found.recruits) + 3
    await forecasts.submit(
        await as_(conn, "sx-admin"),
        period_id=found.period,
        unit_id=found.branch,
        amounts=Amounts(n, students=n),
        remark=f"{n} 名学生（含尚未确定为积极分子的申请人）",
    )
