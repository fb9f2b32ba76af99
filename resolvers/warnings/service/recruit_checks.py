"""Warning rules over the recruits: overdue steps, missing 12371 data, branches with activists
and no admission for years (the SQL is ``repository.records``'s). Messages carry no personal
data: a warning is read by everyone above its unit, the recruit itself is reached through the
recruits API and its permissions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from partyplan.resolvers.recruits.rules.steps import STEP_BY_CODE

from ..repository import records
from ..rules.detection import Candidate, Detection, ScanContext


def _step_name(code: str) -> str:
    step = STEP_BY_CODE[code]
    number = f"第 {step.number} 步" if step.number else "环节"
    return f"{number}“{step.name}”"


async def overdue_step(ctx: ScanContext, params: dict[str, Any]) -> Detection:
    rows = await records.overdue(
        ctx.conn, ctx.commission_path, ctx.today - timedelta(days=params["grace_days"])
    )
    return Detection(
        candidates=[
            Candidate(
                key=f"{row.id}:{row.next_step}",
                unit_id=row.branch_id,
                unit_path=row.path,
                school_id=row.school_id,
                recruit_id=row.id,
                message=f"{row.branch}：人员 {row.id} 的{_step_name(row.next_step)}应于 {row.next_due_on} 前完成，已超期",
                evidence={"step": row.next_step, "due_on": row.next_due_on.isoformat()},
            )
            for row in rows
        ]
    )


async def missing_data(ctx: ScanContext, params: dict[str, Any]) -> Detection:
    rows = await records.missing_items(
        ctx.conn, ctx.commission_path, ctx.today, params["requirements"]
    )
    return Detection(
        candidates=[
            Candidate(
                key=str(row.id),
                unit_id=row.branch_id,
                unit_path=row.path,
                school_id=row.school_id,
                recruit_id=row.id,
                message=f"{row.branch}：人员 {row.id} 未录入 {'、'.join(row.missing)}",
                evidence={"missing": list(row.missing)},
            )
            for row in rows
        ]
    )


async def long_term_none(ctx: ScanContext, params: dict[str, Any]) -> Detection:
    since = ctx.today.replace(year=ctx.today.year - params["years"], day=min(ctx.today.day, 28))
    rows = await records.idle_branches(ctx.conn, ctx.commission_path, since)
    return Detection(
        candidates=[
            Candidate(
                key=str(row.id),
                unit_id=row.id,
                unit_path=row.path,
                school_id=row.school_id,
                message=(
                    f"{row.name}：有入党积极分子、发展对象 {row.activists} 名，"
                    f"{params['years']} 年以上未发展党员"
                    + (f"（上次接收 {row.last_admission}）" if row.last_admission else "")
                ),
                evidence={
                    "activists": row.activists,
                    "years": params["years"],
                    "last_admission": row.last_admission and row.last_admission.isoformat(),
                },
            )
            for row in rows
        ]
    )
