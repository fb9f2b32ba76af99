"""Plan periods and their lifecycle (draft → issued → closed), and dispatch rounds."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from partyplan.auth.errors import NotFound
from partyplan.auth.permissions import Permission
from partyplan.tenants.session import Session

from .. import rules
from ..errors import ROUND_NOT_FOUND, PlanError, PlanErrorCode
from ..linkage import LinkageRules, check_linkage
from ..repository import periods
from .common import audit_plan, period_for, require_active, unit_in_period, visible_unit


def _snapshot(row: sa.Row) -> dict[str, object]:
    return {
        "name": row.name,
        "kind": row.kind,
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
        "report_due_on": row.report_due_on,
        "state": row.state,
    }


async def create_period(
    session: Session,
    *,
    commission_id: int,
    name: str,
    kind: str,
    starts_on: date,
    ends_on: date,
    report_due_on: date | None,
) -> sa.Row:
    commission = await visible_unit(
        session, commission_id, Permission.PERIOD_MANAGE, "commissionId"
    )
    if commission.kind != "commission":
        raise PlanError(PlanErrorCode.WRONG_LEVEL, "计划期只能由省委教育工委设立", "commissionId")
    name = rules.check_period(name, kind, starts_on, ends_on)
    due = report_due_on or rules.default_report_due(ends_on)
    if due < starts_on:
        raise PlanError(
            PlanErrorCode.INVALID_PERIOD,
            "执行情况报告截止日期早于计划期起始日期",
            "reportDueOn",
        )
    if await periods.name_taken(session, commission.id, name):
        raise PlanError(PlanErrorCode.DUPLICATE_PERIOD, f"已有名为“{name}”的计划期", "name")
    row = await periods.insert(
        session,
        commission=commission,
        name=name,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        report_due_on=due,
    )
    await audit_plan(
        session,
        operation="createPlanPeriod",
        object_type="PlanPeriod",
        object_id=row.id,
        unit=commission,
        after=_snapshot(row),
    )
    return row


async def change_state(session: Session, *, period_id: int, state: str) -> sa.Row:
    period = await period_for(session, period_id, lock="update")
    session.require(Permission.PERIOD_MANAGE, period.commission_path)
    rules.check_transition(period.state, state)
    row = await periods.set_state(session, period.id, state)
    commission = await visible_unit(session, period.commission_id, Permission.PERIOD_MANAGE)
    operation = {"issued": "publishPlanPeriod", "closed": "closePlanPeriod"}[state]
    await audit_plan(
        session,
        operation=operation,
        object_type="PlanPeriod",
        object_id=row.id,
        unit=commission,
        before=_snapshot(period),
        after=_snapshot(row),
    )
    return row


async def list_periods(session: Session, state: str | None) -> list[sa.Row]:
    paths = session.principal.paths_with(Permission.PLAN_READ)
    if not paths:
        session.require(Permission.PLAN_READ, "")
    return await periods.listed(session, paths, state)


async def create_round(
    session: Session, *, period_id: int, unit_id: int, name: str, document_no: str | None
) -> sa.Row:
    period = await period_for(session, period_id, lock="share")
    unit = await unit_in_period(session, unit_id, period, Permission.PLAN_ALLOCATE, "unitId")
    require_active(unit, "unitId")
    rules.check_writable(period.state)
    name = rules.clean_text(name, "name", PlanErrorCode.INVALID_ROUND, required=True, limit=100)
    document_no = rules.clean_document(document_no, required=False)
    row = await periods.insert_round(
        session,
        period_id=period.id,
        unit=unit,
        name=name,
        document_no=document_no,
        actor=session.principal.user_id,
    )
    await audit_plan(
        session,
        operation="createDispatchRound",
        object_type="DispatchRound",
        object_id=row.id,
        unit=unit,
        after={"name": name, "document_no": document_no},
    )
    return row


async def round_for(session: Session, round_id: int | None, period: sa.Row) -> int | None:
    """A dispatch round of this period the caller can see (its own or one run above it)."""
    if round_id is None:
        return None
    return reached_round(await periods.get_round(session, round_id), period)


def reached_round(row: sa.Row | None, period: sa.Row) -> int:
    """:func:`round_for` on a round already read (None: none visible)."""
    if row is None:
        raise NotFound(ROUND_NOT_FOUND)
    if row.period_id != period.id:
        raise PlanError(PlanErrorCode.INVALID_ROUND, "该调度轮次属于其他计划期", "roundId")
    return row.id


async def list_rounds(session: Session, period_id: int) -> list[sa.Row]:
    period = await period_for(session, period_id)
    paths = session.principal.paths_with(Permission.PLAN_READ)
    if not paths:
        session.require(Permission.PLAN_READ, period.commission_path)
    return await periods.rounds(session, period.id, paths)


async def set_linkage_rules(
    session: Session, *, commission_id: int, rules_: LinkageRules
) -> sa.Row:
    """The commission's parameters of the next-year proposal (see plans/linkage.py)."""
    commission = await visible_unit(
        session, commission_id, Permission.PERIOD_MANAGE, "commissionId"
    )
    if commission.kind != "commission":
        raise PlanError(PlanErrorCode.WRONG_LEVEL, "挂钩参数只能由省委教育工委设定", "commissionId")
    check_linkage(rules_)
    values = {name: getattr(rules_, name) for name in LinkageRules.__dataclass_fields__}
    before = await periods.linkage(session, commission.id)
    row = await periods.upsert_linkage(session, commission, values)
    await audit_plan(
        session,
        operation="setLinkageRules",
        object_type="LinkageRules",
        object_id=commission.id,
        unit=commission,
        before=None if before is None else {k: before._mapping[k] for k in values},
        after=values,
    )
    return row
