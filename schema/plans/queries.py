from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.plans.service import periods, reads
from partyplan.resolvers.plans.service.common import period_for

from ..connections import Connection, connection
from ..mutations import decode_id
from ..pagination import PAGING, keyset
from ..permissions import described
from ..units.types import Unit
from ..wording import After, Before, First, Last
from .linkage import LinkageRulesType, PlanSuggestion
from .types import (
    DispatchRound,
    PeriodState,
    Plan,
    PlanLine,
    PlanPeriod,
    QuotaAmounts,
    QuotaLedgerEntry,
    QuotaMovement,
    StructuralTarget,
)

UnitArg = Annotated[relay.GlobalID, strawberry.argument(description="单位：a `Unit` id.")]
PeriodArg = Annotated[relay.GlobalID, strawberry.argument(description="计划期：a `PlanPeriod` id.")]


@strawberry.type
class PlanQueries:
    @strawberry.field(
        description=described(
            "计划期：plan periods of the caller's commission(s), newest first.",
            Permission.PLAN_READ,
        )
    )
    async def plan_periods(
        self,
        info: strawberry.Info,
        state: Annotated[
            PeriodState | None,
            strawberry.argument(description="状态：only periods in this state; null for all."),
        ] = None,
    ) -> list[PlanPeriod]:
        session = await info.context.session()
        rows = await periods.list_periods(session, None if state is None else state.value)
        return [PlanPeriod.from_row(r) for r in rows]

    @strawberry.field(
        description=described(
            "发展党员指导性计划：a unit's plan in a period: its figures, each child's line (the "
            "branch table: 序号, 支部名称, 预计发展党员数量, 备注) and the structural targets.",
            Permission.PLAN_READ,
            where="at the unit",
        )
    )
    # Three statements whatever the number of children.
    async def plan(self, info: strawberry.Info, unit_id: UnitArg, period_id: PeriodArg) -> Plan:
        session = await info.context.session()
        view = await reads.plan(
            session,
            unit_id=decode_id(unit_id, "Unit", "unitId"),
            period_id=decode_id(period_id, "PlanPeriod", "periodId"),
        )
        return Plan(
            period=PlanPeriod.from_row(view.period),
            unit=Unit.from_row(view.unit),
            line=PlanLine.of(0, view.line, view.period.id),
            children=[
                PlanLine.of(i, line, view.period.id)
                for i, line in enumerate(view.children, start=1)
            ],
            children_forecast=QuotaAmounts.of(view.children_forecast),
            children_received=QuotaAmounts.of(view.children_received),
            targets=[StructuralTarget.from_row(t) for t in view.targets],
        )

    @strawberry.field(
        description=described(
            "计划台账：every movement of a unit's quota in a period, oldest first, with its effect on the "
            "unit's figures and the figures after it: the ledger explains every current figure."
            + PAGING,
            Permission.PLAN_READ,
            where="at the unit",
        )
    )
    async def quota_ledger(
        self,
        info: strawberry.Info,
        unit_id: UnitArg,
        period_id: PeriodArg,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[QuotaLedgerEntry]:
        session = await info.context.session()
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        rows = await reads.history(
            session,
            unit_id=decode_id(unit_id, "Unit", "unitId"),
            period_id=decode_id(period_id, "PlanPeriod", "periodId"),
            keyset=page,
        )
        return await connection(info, rows, QuotaLedgerEntry.from_row)

    @strawberry.field(
        description=described(
            "下年度计划建议：a proposal for the next period from this period's completion "
            "(计划完成情况与下年度计划安排挂钩); the parameters are the commission's data.",
            Permission.PLAN_READ,
            where="at the unit",
        )
    )
    async def plan_suggestion(
        self, info: strawberry.Info, unit_id: UnitArg, period_id: PeriodArg
    ) -> PlanSuggestion:
        session = await info.context.session()
        view = await reads.suggestion(
            session,
            unit_id=decode_id(unit_id, "Unit", "unitId"),
            period_id=decode_id(period_id, "PlanPeriod", "periodId"),
        )
        s = view.suggestion
        return PlanSuggestion(
            period=PlanPeriod.from_row(view.period),
            next_period=None if view.next_period is None else PlanPeriod.from_row(view.next_period),
            unit=Unit.from_row(view.unit),
            received=s.received,
            admitted=s.admitted,
            completion_rate=float(s.completion_rate),
            band=s.band,
            proposal=s.proposal,
            cap=s.cap,
            suggested=s.suggested,
            rules=LinkageRulesType.of(view.rules),
        )

    @strawberry.field(
        description=described(
            "调度轮次：dispatch rounds (年中调度) of a period visible to the caller.",
            Permission.PLAN_READ,
        )
    )
    async def dispatch_rounds(
        self, info: strawberry.Info, period_id: PeriodArg
    ) -> list[DispatchRound]:
        session = await info.context.session()
        rows = await periods.list_rounds(session, decode_id(period_id, "PlanPeriod", "periodId"))
        return [DispatchRound.from_row(r) for r in rows]


async def resolve_period_node(info: strawberry.Info, period_id: int) -> tuple[PlanPeriod, str]:
    session = await info.context.session()
    row = await period_for(session, period_id)
    return PlanPeriod.from_row(row), row.commission_path


async def resolve_movement_node(
    info: strawberry.Info, movement_id: int
) -> tuple[QuotaMovement, str]:
    session = await info.context.session()
    row, path = await reads.movement(session, movement_id)
    return QuotaMovement.from_row(row), path


async def resolve_round_node(info: strawberry.Info, round_id: int) -> tuple[DispatchRound, str]:
    session = await info.context.session()
    row, path = await reads.dispatch_round(session, round_id)
    return DispatchRound.from_row(row), path
