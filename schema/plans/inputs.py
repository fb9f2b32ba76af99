from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from strawberry import relay

from partyplan.resolvers.plans.rules import Amounts
from partyplan.resolvers.plans.service.quotas import Target

from ..wording import fraction, percent_replaced_by
from .types import PeriodKind, StructuralIndicator


@strawberry.input(
    description="名额：students + staff ≤ total；highKnowledge ≤ total。"
    "A movement must leave every balance within the same bounds (received, handed down, reserve,"
    " available): one that would not is refused with SUBQUOTA_EXCEEDS_TOTAL on the sub-quota"
    " field that must move along, e.g. amounts.students."
)
class QuotaAmountsInput:
    total: int = strawberry.field(description="总数：places in all, at least 1 unless stated.")
    students: int = strawberry.field(default=0, description="学生：of the total, for students.")
    staff: int = strawberry.field(default=0, description="教职工：of the total, for staff.")
    high_knowledge: int = strawberry.field(
        default=0,
        description="高知群体（单列）：for the high-knowledge group, listed separately "
        "(overlapping students and staff).",
    )

    def to_amounts(self) -> Amounts:
        return Amounts(self.total, self.students, self.staff, self.high_knowledge)


@strawberry.input(
    description="结构性要求：a minimum count or share of one group among the admissions; give at "
    "least one of the two, and each indicator once. A target given again replaces the earlier one."
    " The share is given as `minShare` (a fraction); `minSharePercent`, if given as well, must "
    "be the same share × 100."
)
class StructuralTargetInput:
    indicator: StructuralIndicator = strawberry.field(
        description="结构性指标：the group the target is about."
    )
    min_count: int | None = strawberry.field(
        default=None, description="最低人数：at least this many; null for no count."
    )
    min_share: float | None = strawberry.field(
        default=None,
        description=fraction(
            "最低占比：at least this share, 0–1 (kept to 4 places); null for no share."
        ),
    )
    min_share_percent: float | None = strawberry.field(
        default=None,
        description="最低占比（百分数）：at least this percentage, 0–100; null for no share.",
        deprecation_reason=percent_replaced_by("minShare"),
    )

    def to_target(self) -> Target:
        # str() first: the decimal the client wrote (0.07), not the binary float's expansion.
        share, percent = (
            None if value is None else Decimal(str(value))
            for value in (self.min_share, self.min_share_percent)
        )
        return Target(self.indicator.value, self.min_count, percent, share)


@strawberry.input(description="新建计划期：the period a commission's plan will cover.")
class CreatePlanPeriodInput:
    commission_id: relay.GlobalID = strawberry.field(
        description="省委教育工委：the commission defining the period (a `Unit` id)."
    )
    name: str = strawberry.field(description="名称：如“2023 年度”“2019 年下半年”.")
    kind: PeriodKind = strawberry.field(description="计划期类型：what span the period covers.")
    starts_on: date = strawberry.field(description="起始日期：the first day of the period.")
    ends_on: date = strawberry.field(
        description="截止日期：the last day of the period, not before `startsOn`."
    )
    report_due_on: date | None = strawberry.field(
        default=None,
        description="执行情况报告截止日期：default 15 December of the year the period ends.",
    )


@strawberry.input(description="计划期：the period to act on.")
class PlanPeriodInput:
    period_id: relay.GlobalID = strawberry.field(description="计划期：a `PlanPeriod` id.")


@strawberry.input(description="下达计划：places the commission issues to a school.")
class IssuePlanInput:
    period_id: relay.GlobalID = strawberry.field(description="计划期：a `PlanPeriod` id.")
    school_id: relay.GlobalID = strawberry.field(
        description="学校：the school receiving the places."
    )
    amounts: QuotaAmountsInput = strawberry.field(
        description="名额：the places issued; batches add up."
    )
    document_no: str = strawberry.field(description="文号：e.g. 晋教工委组〔2023〕23号.")
    document_date: date | None = strawberry.field(
        default=None, description="文件日期：the document's date; null if not given."
    )
    targets: list[StructuralTargetInput] = strawberry.field(
        default_factory=list, description="结构性要求：targets set for the school; may be empty."
    )
    round_id: relay.GlobalID | None = strawberry.field(
        default=None, description="调度轮次：the `DispatchRound` this belongs to; null for none."
    )


@strawberry.input(description="追加计划：supplementary places from the commission to a school.")
class SupplementQuotaInput:
    period_id: relay.GlobalID = strawberry.field(description="计划期：a `PlanPeriod` id.")
    school_id: relay.GlobalID = strawberry.field(
        description="学校：the school receiving the places."
    )
    amounts: QuotaAmountsInput = strawberry.field(description="名额：the places added.")
    reason: str = strawberry.field(description="理由：why the places move; must not be blank.")
    document_no: str = strawberry.field(description="文号：e.g. 晋教工委组〔2023〕23号.")
    document_date: date | None = strawberry.field(
        default=None, description="文件日期：the document's date; null if not given."
    )
    round_id: relay.GlobalID | None = strawberry.field(
        default=None, description="调度轮次：the `DispatchRound` this belongs to; null for none."
    )


@strawberry.input(description="计划分解：places a unit hands to a unit directly under it.")
class AllocateQuotaInput:
    period_id: relay.GlobalID = strawberry.field(description="计划期：a `PlanPeriod` id.")
    from_unit_id: relay.GlobalID = strawberry.field(
        description="分解单位：the unit handing the places down."
    )
    to_unit_id: relay.GlobalID = strawberry.field(
        description="接收单位：a unit directly under `fromUnitId`."
    )
    amounts: QuotaAmountsInput = strawberry.field(description="名额：the places to move.")
    targets: list[StructuralTargetInput] = strawberry.field(
        default_factory=list,
        description="结构性要求：targets set for the receiving unit; may be empty.",
    )
    document_no: str | None = strawberry.field(
        default=None, description="文号：the document, if any; null for none."
    )
    note: str | None = strawberry.field(
        default=None, description="备注：a remark kept as the movement's reason; null for none."
    )
    round_id: relay.GlobalID | None = strawberry.field(
        default=None, description="调度轮次：the `DispatchRound` this belongs to; null for none."
    )


@strawberry.input(description="计划调剂：places moved between two units of one parent.")
class TransferQuotaInput:
    period_id: relay.GlobalID = strawberry.field(description="计划期：a `PlanPeriod` id.")
    from_unit_id: relay.GlobalID = strawberry.field(
        description="调出单位：the unit giving the places up."
    )
    to_unit_id: relay.GlobalID = strawberry.field(
        description="调入单位：a unit of the same parent as `fromUnitId`."
    )
    amounts: QuotaAmountsInput = strawberry.field(description="名额：the places to move.")
    reason: str = strawberry.field(description="理由：why the places move; must not be blank.")
    document_no: str = strawberry.field(description="文号：e.g. 晋教工委组〔2023〕23号.")
    round_id: relay.GlobalID | None = strawberry.field(
        default=None, description="调度轮次：the `DispatchRound` this belongs to; null for none."
    )


@strawberry.input(description="退回计划：places a unit gives back to its parent.")
class ReturnQuotaInput:
    period_id: relay.GlobalID = strawberry.field(description="计划期：a `PlanPeriod` id.")
    unit_id: relay.GlobalID = strawberry.field(
        description="退回单位：the unit giving places back upward."
    )
    amounts: QuotaAmountsInput = strawberry.field(description="名额：the places given back.")
    reason: str = strawberry.field(description="理由：why the places move; must not be blank.")
    document_no: str = strawberry.field(description="文号：e.g. 晋教工委组〔2023〕23号.")
    round_id: relay.GlobalID | None = strawberry.field(
        default=None, description="调度轮次：the `DispatchRound` this belongs to; null for none."
    )


@strawberry.input(description="本级预留：the places a unit keeps back.")
class SetReserveInput:
    period_id: relay.GlobalID = strawberry.field(description="计划期：a `PlanPeriod` id.")
    unit_id: relay.GlobalID = strawberry.field(
        description="单位：the unit keeping the places (not the commission)."
    )
    reserve: QuotaAmountsInput = strawberry.field(
        description="预留：the reserve after the change (its total may be 0)."
    )
    reason: str | None = strawberry.field(
        default=None, description="理由：why the reserve changes; null for none."
    )


@strawberry.input(description="上报预计发展数：a unit's expected admissions in a period.")
class SubmitForecastInput:
    period_id: relay.GlobalID = strawberry.field(description="计划期：a `PlanPeriod` id.")
    unit_id: relay.GlobalID = strawberry.field(description="单位：the unit reporting.")
    amounts: QuotaAmountsInput = strawberry.field(
        description="预计发展数：the expected admissions (total may be 0)."
    )
    remark: str | None = strawberry.field(
        default=None,
        description="备注：e.g. “2 名教师（1 名高知识群体教师）”; null for none.",
    )


@strawberry.input(description="新建调度轮次：a named round of adjustments such as 年中调度.")
class CreateDispatchRoundInput:
    period_id: relay.GlobalID = strawberry.field(description="计划期：a `PlanPeriod` id.")
    unit_id: relay.GlobalID = strawberry.field(
        description="组织调度的单位：the unit running the round."
    )
    name: str = strawberry.field(description="名称：如“2023 年年中调度”.")
    document_no: str | None = strawberry.field(
        default=None, description="文号：the document ordering the round; null for none."
    )


@strawberry.input(
    description="下年度计划挂钩参数：parameters of the next-year proposal; omitted ones keep their "
    "value. Rates are fractions with 0 ≤ lowCompletionRate ≤ fullCompletionRate ≤ 1."
)
class SetLinkageRulesInput:
    commission_id: relay.GlobalID = strawberry.field(
        description="省委教育工委：the commission whose parameters change (a `Unit` id)."
    )
    full_completion_rate: float | None = strawberry.field(
        default=None, description=fraction("完成率达到此值视为完成：0–1; null to keep it.")
    )
    low_completion_rate: float | None = strawberry.field(
        default=None, description=fraction("完成率低于此值视为偏低：0–1; null to keep it.")
    )
    growth_when_full: float | None = strawberry.field(
        default=None, description="完成时的增长系数：null to keep it."
    )
    growth_when_partial: float | None = strawberry.field(
        default=None, description="基本完成时的增长系数：null to keep it."
    )
    growth_when_low: float | None = strawberry.field(
        default=None, description="完成率偏低时的增长系数：null to keep it."
    )
    cap_ratio_of_actual: float | None = strawberry.field(
        default=None,
        description="不超过上年实际发展数的倍数：the cap as a multiple of the admissions; null to "
        "keep it.",
    )
