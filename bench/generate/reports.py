"""Execution reports (执行情况报告) of the periods whose report was due before ``as_of``: most
schools submitted theirs on time and the commission acknowledged most of them; a few never
did (the scan then raises ``report_overdue`` for them, as it would).

A report's snapshot is the project's own (``reports.snapshot.school_snapshot``, over the
rebuilt tallies, so this runs after them) dated at the submission time (its ``generated_at``
and ``as_of``), and its ``content_hash`` the project's hash of it: a loaded report verifies
like one submitted through the API.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from partyplan.resolvers.reports.snapshot import content_hash, school_snapshot
from partyplan.resolvers.units.repository import UNIT_COLUMNS
from partyplan.server.database import async_url
from partyplan.tenants.binding import bind_principal
from partyplan.tenants.session import Session

from .records import CST
from .scale import Scale, rng_for

SUBMITTED, ACKNOWLEDGED = 0.96, 0.9  # shares: of schools, of the submitted
NARRATIVE = (
    "{period}，我校党委严格按照上级下达的发展党员指导性计划开展工作，"
    "坚持把政治标准放在首位，严格执行发展党员工作程序，计划执行情况良好。"
)
COLUMNS = (
    "period_id",
    "unit_id",
    "unit_path",
    "school_id",
    "status",
    "narrative",
    "snapshot",
    "content_hash",
    "submitted_at",
    "reviewed_by",
    "reviewed_at",
    "created_at",
)


async def load_reports(
    owner: str, conn: asyncpg.Connection, scale: Scale, seed: int, reviewer: int
) -> int:
    """Insert the reports (as the commission account ``reviewer`` reads them); their count."""
    rng = rng_for(seed, "reports")
    rows = []
    engine = create_async_engine(async_url(owner))
    try:
        async with engine.connect() as sa_conn:
            session = Session(sa_conn, await bind_principal(sa_conn, reviewer))
            periods = (
                await sa_conn.execute(
                    sa.text("SELECT * FROM plan_periods WHERE report_due_on < :d ORDER BY id"),
                    {"d": scale.as_of},
                )
            ).all()
            for period in periods:
                schools = (
                    await sa_conn.execute(
                        sa.select(*UNIT_COLUMNS)
                        .where(
                            sa.text("kind = 'school' AND subltree(path, 0, 1) = CAST(:c AS ltree)")
                        )
                        .order_by(sa.text("id")),
                        {"c": period.commission_path},
                    )
                ).all()
                for school in schools:
                    if rng.random() >= SUBMITTED:
                        continue
                    rows.append(await _report(rng, session, period, school, reviewer))
    finally:
        await engine.dispose()
    await conn.copy_records_to_table("execution_reports", columns=list(COLUMNS), records=rows)
    return len(rows)


async def _report(rng, session: Session, period: sa.Row, school: sa.Row, reviewer: int) -> tuple:  # type: ignore[no-untyped-def, type-arg]
    due = period.report_due_on
    submitted = datetime.combine(
        due - timedelta(days=rng.randint(0, 12)), time(9 + rng.randrange(8), rng.randrange(60)), CST
    )
    narrative = NARRATIVE.format(period=period.name)
    snapshot = await school_snapshot(
        session, period, school, narrative, "Asia/Shanghai", at=submitted
    )
    acknowledged = rng.random() < ACKNOWLEDGED
    reviewed = submitted + timedelta(days=rng.randint(3, 20)) if acknowledged else None
    return (
        period.id,
        school.id,
        school.path,
        school.id,
        "acknowledged" if acknowledged else "submitted",
        narrative,
        json.dumps(snapshot),
        content_hash(snapshot),
        submitted,
        reviewer if acknowledged else None,
        reviewed,
        submitted,
    )
