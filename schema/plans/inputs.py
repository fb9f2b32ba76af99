from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from strawberry import relay

from partyplan.resolvers.plans.rules import Amounts
from partyplan.resolvers.plans.service.quotas import Target

from .types import PeriodKind, StructuralIndicator


@strawberry.input(
    description="名额。students + staff ≤ total；highKnowledge ≤ total。"
    "A movement must leave every balance within the same bounds (received, handed down, reserve,"
    " available): one that would not is refused with SUBQUOTA_EXCEEDS_TOTAL on the sub-quota"
    " field that must move along, e.g. amounts.students."
)
class QuotaAmountsInput:
    total: int
    students: int = 0
    staff: int = 0
    high_knowledge: int = 0

    def to_amounts(self) -> Amounts:
        return Amounts(self.total, self.students, self.staff, self.high_knowledge)


@strawberry.input
class StructuralTargetInput:
    indicator: StructuralIndicator
    min_count: int | None = None
    min_share_percent: float | None = None

    def to_target(self) -> Target:
        share = None if self.min_share_percent is None else Decimal(str(self.min_share_percent))
        return Target(self.indicator.value, self.min_count, share)


@strawberry.input
class CreatePlanPeriodInput:
    commission_id: relay.GlobalID
    name: str = strawberry.field(description="如“2023 年度”“2019 年下半年”")
    kind: PeriodKind
    starts_on: date
    ends_on: date
    report_due_on: date | None = strawberry.field(
        default=None, description="Default: 15 December of the year the period ends."
    )


@strawberry.input
class PlanPeriodInput:
    period_id: relay.GlobalID


@strawberry.input
class IssuePlanInput:
    period_id: relay.GlobalID
    school_id: relay.GlobalID
    amounts: QuotaAmountsInput
    document_no: str = strawberry.field(description="文号，如 晋教工委组〔2023〕23号")
    document_date: date | None = None
    targets: list[StructuralTargetInput] = strawberry.field(default_factory=list)
    round_id: relay.GlobalID | None = None


@strawberry.input
class SupplementQuotaInput:
    period_id: relay.GlobalID
    school_id: relay.GlobalID
    amounts: QuotaAmountsInput
    reason: str
    document_no: str
    document_date: date | None = None
    round_id: relay.GlobalID | None = None


@strawberry.input
class AllocateQuotaInput:
    period_id: relay.GlobalID
    from_unit_id: relay.GlobalID
    to_unit_id: relay.GlobalID = strawberry.field(description="A unit directly under fromUnitId.")
    amounts: QuotaAmountsInput
    targets: list[StructuralTargetInput] = strawberry.field(default_factory=list)
    document_no: str | None = None
    note: str | None = None
    round_id: relay.GlobalID | None = None


@strawberry.input
class TransferQuotaInput:
    period_id: relay.GlobalID
    from_unit_id: relay.GlobalID
    to_unit_id: relay.GlobalID = strawberry.field(description="A unit of the same parent.")
    amounts: QuotaAmountsInput
    reason: str
    document_no: str
    round_id: relay.GlobalID | None = None


@strawberry.input
class ReturnQuotaInput:
    period_id: relay.GlobalID
    unit_id: relay.GlobalID = strawberry.field(description="The unit giving quota back upward.")
    amounts: QuotaAmountsInput
    reason: str
    document_no: str
    round_id: relay.GlobalID | None = None


@strawberry.input
class SetReserveInput:
    period_id: relay.GlobalID
    unit_id: relay.GlobalID
    reserve: QuotaAmountsInput = strawberry.field(description="The reserve after the change.")
    reason: str | None = None


@strawberry.input
class SubmitForecastInput:
    period_id: relay.GlobalID
    unit_id: relay.GlobalID
    amounts: QuotaAmountsInput = strawberry.field(description="预计发展数（total may be 0）")
    remark: str | None = strawberry.field(default=None, description="备注")


@strawberry.input
class CreateDispatchRoundInput:
    period_id: relay.GlobalID
    unit_id: relay.GlobalID = strawberry.field(description="The unit running the round.")
    name: str = strawberry.field(description="如“2023 年年中调度”")
    document_no: str | None = None


@strawberry.input(
    description="Parameters of the next-year proposal; omitted ones keep their value."
)
class SetLinkageRulesInput:
    commission_id: relay.GlobalID
    full_completion_rate: float | None = None
    low_completion_rate: float | None = None
    growth_when_full: float | None = None
    growth_when_partial: float | None = None
    growth_when_low: float | None = None
    cap_ratio_of_actual: float | None = None
