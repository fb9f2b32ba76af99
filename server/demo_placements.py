"""Demo data of named targets in this year's period of the province demo
(docs/named-targets.md): 运城学院's first branch with development targets names two of them
behind its forecast without holding places for them, which the scan flags late in the period as
``names_without_places``; branches holding places nobody is named on are flagged as
``places_without_names`` by the demo's own allocations. Through the real service, once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.resolvers.placements import service as placements
from partyplan.tenants.session import Session

SCHOOL = "SX-YCXY"


async def seed(
    conn: AsyncConnection, as_: Callable[[AsyncConnection, str], Awaitable[Session]], on: date
) -> None:
    found = (
        await conn.execute(
            sa.text(
                "SELECT b.id AS branch, p.id AS period,"
                " (SELECT count(*) FROM named_targets n WHERE n.period_id = p.id"
                "   AND n.school_id = s.id) AS named"
                " FROM units s JOIN units b ON b.parent_id IS NOT NULL AND b.path <@ s.path"
                " JOIN plan_periods p"
                "   ON p.commission_id = CAST(subpath(b.path, 0, 1)::text AS bigint)"
                " WHERE s.code = :s AND b.kind = 'branch' AND p.state = 'issued'"
                " AND p.starts_on <= :on AND p.ends_on >= :on"
                " AND EXISTS (SELECT 1 FROM recruits r WHERE r.branch_id = b.id"
                "   AND r.stage = 'development_target')"
                " ORDER BY b.code LIMIT 1"
            ),
            {"s": SCHOOL, "on": on},
        )
    ).first()
    if found is None or found.named:
        return
    targets = (
        await conn.scalars(
            sa.text(
                "SELECT id FROM recruits WHERE branch_id = :b AND stage = 'development_target'"
                " ORDER BY id LIMIT 2"
            ),
            {"b": found.branch},
        )
    ).all()
    if targets:
        await placements.name_forecast(
            await as_(conn, "sx-admin"),
            period_id=found.period,
            unit_id=found.branch,
            recruit_ids=list(targets),
        )
