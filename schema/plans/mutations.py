from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.plans.linkage import LinkageRules
from partyplan.resolvers.plans.service import forecasts, periods, quotas, reads

from ..mutations import decode_id, run_mutation
from ..permissions import described
from ..wording import INPUT
from .inputs import (
    AllocateQuotaInput,
    CreateDispatchRoundInput,
    CreatePlanPeriodInput,
    IssuePlanInput,
    PlanPeriodInput,
    ReturnQuotaInput,
    SetLinkageRulesInput,
    SetReserveInput,
    SubmitForecastInput,
    SupplementQuotaInput,
    TransferQuotaInput,
)
from .linkage import LinkageRulesType
from .payloads import (
    DispatchRoundPayload,
    ForecastPayload,
    LinkageRulesPayload,
    PlanError,
    PlanPeriodPayload,
    QuotaMovementPayload,
)
from .types import DispatchRound, Forecast, PlanPeriod, QuotaAmounts, QuotaMovement


def _errors(errors: list[DomainError]) -> list[PlanError]:
    return [
        PlanError(
            code=e.code, field=e.field, message=e.message, shortfall=getattr(e, "amount", None)
        )
        for e in errors
    ]


def _period(row: Any, errors: list[DomainError]) -> PlanPeriodPayload:
    return PlanPeriodPayload(period=row and PlanPeriod.from_row(row), errors=_errors(errors))


def _movement(row: Any, errors: list[DomainError]) -> QuotaMovementPayload:
    return QuotaMovementPayload(
        movement=row and QuotaMovement.from_row(row), errors=_errors(errors)
    )


def _id(value: relay.GlobalID | None, type_name: str, field: str) -> int | None:
    return None if value is None else decode_id(value, type_name, field)


@strawberry.type
class PlanMutations:
    @strawberry.mutation(
        description=described(
            "新建计划期：define a plan period (draft).",
            Permission.PERIOD_MANAGE,
            where="at the commission",
        )
    )
    async def create_plan_period(
        self, info: strawberry.Info, input: Annotated[CreatePlanPeriodInput, INPUT]
    ) -> PlanPeriodPayload:
        commission_id = decode_id(input.commission_id, "Unit", "commissionId")
        row, errors = await run_mutation(
            info,
            lambda s: periods.create_period(
                s,
                commission_id=commission_id,
                name=input.name,
                kind=input.kind.value,
                starts_on=input.starts_on,
                ends_on=input.ends_on,
                report_due_on=input.report_due_on,
            ),
        )
        return _period(row, errors)

    @strawberry.mutation(
        description=described(
            "下达计划期：issue the period (draft → issued): units may then subdivide their quota.",
            Permission.PERIOD_MANAGE,
            where="at the commission",
        )
    )
    async def publish_plan_period(
        self, info: strawberry.Info, input: Annotated[PlanPeriodInput, INPUT]
    ) -> PlanPeriodPayload:
        period_id = decode_id(input.period_id, "PlanPeriod", "periodId")
        row, errors = await run_mutation(
            info, lambda s: periods.change_state(s, period_id=period_id, state="issued")
        )
        return _period(row, errors)

    @strawberry.mutation(
        description=described(
            "关闭计划期：close the period (issued → closed): read-only from then on.",
            Permission.PERIOD_MANAGE,
            where="at the commission",
        )
    )
    async def close_plan_period(
        self, info: strawberry.Info, input: Annotated[PlanPeriodInput, INPUT]
    ) -> PlanPeriodPayload:
        period_id = decode_id(input.period_id, "PlanPeriod", "periodId")
        row, errors = await run_mutation(
            info, lambda s: periods.change_state(s, period_id=period_id, state="closed")
        )
        return _period(row, errors)

    @strawberry.mutation(
        description=described(
            "下达: the commission issues quota to a school, with sub-quotas and structural targets; "
            "batches add up.",
            Permission.PLAN_ISSUE,
            where="at the commission",
        )
    )
    async def issue_plan(
        self, info: strawberry.Info, input: Annotated[IssuePlanInput, INPUT]
    ) -> QuotaMovementPayload:
        period_id = decode_id(input.period_id, "PlanPeriod", "periodId")
        school_id = decode_id(input.school_id, "Unit", "schoolId")
        round_id = _id(input.round_id, "DispatchRound", "roundId")
        row, errors = await run_mutation(
            info,
            lambda s: quotas.issue(
                s,
                period_id=period_id,
                school_id=school_id,
                amounts=input.amounts.to_amounts(),
                document_no=input.document_no,
                document_date=input.document_date,
                targets=[t.to_target() for t in input.targets],
                round_id=round_id,
            ),
        )
        return _movement(row, errors)

    @strawberry.mutation(
        description=described(
            "追加: supplementary quota from the commission to a school, with a reason.",
            Permission.PLAN_ISSUE,
            where="at the commission",
        )
    )
    async def supplement_quota(
        self, info: strawberry.Info, input: Annotated[SupplementQuotaInput, INPUT]
    ) -> QuotaMovementPayload:
        period_id = decode_id(input.period_id, "PlanPeriod", "periodId")
        school_id = decode_id(input.school_id, "Unit", "schoolId")
        round_id = _id(input.round_id, "DispatchRound", "roundId")
        row, errors = await run_mutation(
            info,
            lambda s: quotas.issue(
                s,
                period_id=period_id,
                school_id=school_id,
                amounts=input.amounts.to_amounts(),
                document_no=input.document_no,
                document_date=input.document_date,
                targets=[],
                round_id=round_id,
                supplement=True,
                reason=input.reason,
            ),
        )
        return _movement(row, errors)

    @strawberry.mutation(
        description=described(
            "分解: a unit hands quota to a unit directly under it. What a unit hands down plus its "
            "reserve never exceeds what it received (SHORTFALL otherwise, nothing written).",
            Permission.PLAN_ALLOCATE,
            where="at the handing unit",
        )
    )
    async def allocate_quota(
        self, info: strawberry.Info, input: Annotated[AllocateQuotaInput, INPUT]
    ) -> QuotaMovementPayload:
        period_id = decode_id(input.period_id, "PlanPeriod", "periodId")
        from_id = decode_id(input.from_unit_id, "Unit", "fromUnitId")
        to_id = decode_id(input.to_unit_id, "Unit", "toUnitId")
        round_id = _id(input.round_id, "DispatchRound", "roundId")
        row, errors = await run_mutation(
            info,
            lambda s: quotas.allocate(
                s,
                period_id=period_id,
                from_unit_id=from_id,
                to_unit_id=to_id,
                amounts=input.amounts.to_amounts(),
                targets=[t.to_target() for t in input.targets],
                document_no=input.document_no,
                reason=input.note,
                round_id=round_id,
            ),
        )
        return _movement(row, errors)

    @strawberry.mutation(
        description=described(
            "调剂: move quota between two units of one parent, with a reason and document number.",
            Permission.PLAN_ALLOCATE,
            where="at the parent",
        )
    )
    async def transfer_quota(
        self, info: strawberry.Info, input: Annotated[TransferQuotaInput, INPUT]
    ) -> QuotaMovementPayload:
        period_id = decode_id(input.period_id, "PlanPeriod", "periodId")
        from_id = decode_id(input.from_unit_id, "Unit", "fromUnitId")
        to_id = decode_id(input.to_unit_id, "Unit", "toUnitId")
        round_id = _id(input.round_id, "DispatchRound", "roundId")
        row, errors = await run_mutation(
            info,
            lambda s: quotas.transfer(
                s,
                period_id=period_id,
                from_unit_id=from_id,
                to_unit_id=to_id,
                amounts=input.amounts.to_amounts(),
                reason=input.reason,
                document_no=input.document_no,
                round_id=round_id,
            ),
        )
        return _movement(row, errors)

    @strawberry.mutation(
        description=described(
            "退回: quota given back to the parent (recorded by the parent).",
            Permission.PLAN_ALLOCATE,
            where="at the parent",
        )
    )
    async def return_quota(
        self, info: strawberry.Info, input: Annotated[ReturnQuotaInput, INPUT]
    ) -> QuotaMovementPayload:
        period_id = decode_id(input.period_id, "PlanPeriod", "periodId")
        unit_id = decode_id(input.unit_id, "Unit", "unitId")
        round_id = _id(input.round_id, "DispatchRound", "roundId")
        row, errors = await run_mutation(
            info,
            lambda s: quotas.give_back(
                s,
                period_id=period_id,
                unit_id=unit_id,
                amounts=input.amounts.to_amounts(),
                reason=input.reason,
                document_no=input.document_no,
                round_id=round_id,
            ),
        )
        return _movement(row, errors)

    @strawberry.mutation(
        description=described(
            "预留: set the places a unit keeps back (e.g. the school's places for staff).",
            Permission.PLAN_ALLOCATE,
            where="at the unit",
        )
    )
    async def set_reserve(
        self, info: strawberry.Info, input: Annotated[SetReserveInput, INPUT]
    ) -> QuotaMovementPayload:
        period_id = decode_id(input.period_id, "PlanPeriod", "periodId")
        unit_id = decode_id(input.unit_id, "Unit", "unitId")
        row, errors = await run_mutation(
            info,
            lambda s: quotas.set_reserve(
                s,
                period_id=period_id,
                unit_id=unit_id,
                reserve=input.reserve.to_amounts(),
                reason=input.reason,
            ),
        )
        return _movement(row, errors)

    @strawberry.mutation(
        description=described(
            "预计发展数: a unit reports its expected number with a remark; the latest counts.",
            Permission.FORECAST_SUBMIT,
            where="at the unit",
        )
    )
    async def submit_forecast(
        self, info: strawberry.Info, input: Annotated[SubmitForecastInput, INPUT]
    ) -> ForecastPayload:
        period_id = decode_id(input.period_id, "PlanPeriod", "periodId")
        unit_id = decode_id(input.unit_id, "Unit", "unitId")
        row, errors = await run_mutation(
            info,
            lambda s: forecasts.submit(
                s,
                period_id=period_id,
                unit_id=unit_id,
                amounts=input.amounts.to_amounts(),
                remark=input.remark,
            ),
        )
        forecast = row and Forecast(
            amounts=QuotaAmounts.from_row(row, ""), remark=row.remark, submitted_at=row.created_at
        )
        return ForecastPayload(forecast=forecast, errors=_errors(errors))

    @strawberry.mutation(
        description=described(
            "新建调度轮次：open a named round of adjustments (年中调度) that movements can refer to.",
            Permission.PLAN_ALLOCATE,
            where="at the unit running it",
        )
    )
    async def create_dispatch_round(
        self, info: strawberry.Info, input: Annotated[CreateDispatchRoundInput, INPUT]
    ) -> DispatchRoundPayload:
        period_id = decode_id(input.period_id, "PlanPeriod", "periodId")
        unit_id = decode_id(input.unit_id, "Unit", "unitId")
        row, errors = await run_mutation(
            info,
            lambda s: periods.create_round(
                s,
                period_id=period_id,
                unit_id=unit_id,
                name=input.name,
                document_no=input.document_no,
            ),
        )
        return DispatchRoundPayload(
            round=row and DispatchRound.from_row(row), errors=_errors(errors)
        )

    @strawberry.mutation(
        description=described(
            "设置挂钩参数：set the commission's next-year linkage parameters (e.g. the cap of 120% of last year's "
            "actual).",
            Permission.PERIOD_MANAGE,
            where="at the commission",
        )
    )
    async def set_linkage_rules(
        self, info: strawberry.Info, input: Annotated[SetLinkageRulesInput, INPUT]
    ) -> LinkageRulesPayload:
        commission_id = decode_id(input.commission_id, "Unit", "commissionId")

        async def run(session):  # type: ignore[no-untyped-def]
            current = await reads.linkage_rules_of(session, commission_id)
            changes = {
                name: Decimal(str(value))
                for name in LinkageRules.__dataclass_fields__
                if (value := getattr(input, name)) is not None
            }
            return await periods.set_linkage_rules(
                session, commission_id=commission_id, rules_=replace(current, **changes)
            )

        row, errors = await run_mutation(info, run)
        return LinkageRulesPayload(rules=row and LinkageRulesType.of(row), errors=_errors(errors))
