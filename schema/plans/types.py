from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any
from urllib.parse import urlencode

import strawberry
from strawberry import relay

from partyplan.auth import links
from partyplan.resolvers.plans.errors import PlanErrorCode
from partyplan.resolvers.plans.rules import DIMENSIONS, Amounts

from ..units.types import Unit, load_unit

PlanErrorCodeEnum = strawberry.enum(PlanErrorCode, name="PlanErrorCode", description="计划操作错误")


@strawberry.enum(description="计划期类型")
class PeriodKind(Enum):
    CALENDAR_YEAR = strawberry.enum_value(
        "calendar_year", description="自然年度（1月1日至12月31日）"
    )
    HALF_YEAR = strawberry.enum_value("half_year", description="半年度（上半年或下半年）")
    STATISTICAL_YEAR = strawberry.enum_value(
        "statistical_year", description="统计年度（7月1日至次年6月30日）"
    )
    CUSTOM = strawberry.enum_value("custom", description="自定义期间")


@strawberry.enum(description="计划期状态")
class PeriodState(Enum):
    DRAFT = strawberry.enum_value("draft", description="草拟：可收集预计数、可下达")
    ISSUED = strawberry.enum_value("issued", description="已下达：可逐级分解、调剂")
    CLOSED = strawberry.enum_value("closed", description="已关闭：只读")


@strawberry.enum(description="计划变动类别")
class MovementKind(Enum):
    ISSUE = strawberry.enum_value("issue", description="下达（工委→学校，可分批）")
    SUPPLEMENT = strawberry.enum_value("supplement", description="追加（工委→学校）")
    ALLOCATE = strawberry.enum_value("allocate", description="分解（上级→下级）")
    TRANSFER = strawberry.enum_value("transfer", description="调剂（同一上级的下级之间）")
    RETURN = strawberry.enum_value("return", description="退回（下级→上级）")
    RESERVE = strawberry.enum_value("reserve", description="预留（本级保留名额的变动）")


@strawberry.enum(description="结构性指标")
class StructuralIndicator(Enum):
    YOUTH_35 = strawberry.enum_value("youth_35", description="35岁及以下青年")
    COLLEGE_EDUCATED = strawberry.enum_value("college_educated", description="大专及以上学历")
    WOMEN = strawberry.enum_value("women", description="女性")
    ETHNIC_MINORITY = strawberry.enum_value("ethnic_minority", description="少数民族")
    PROFESSIONAL_TECHNICAL = strawberry.enum_value(
        "professional_technical", description="专业技术人员"
    )


@strawberry.type(description="名额：总数及分列的学生、教职工、高知群体名额。")
class QuotaAmounts:
    total: int
    students: int
    staff: int
    high_knowledge: int = strawberry.field(description="高知群体（单列）")

    @classmethod
    def of(cls, amounts: Amounts) -> QuotaAmounts:
        return cls(**amounts.as_dict())

    @classmethod
    def from_row(cls, row: Any, prefix: str, suffix: str = "") -> QuotaAmounts:
        return cls(**{d: getattr(row, f"{prefix}{d}{suffix}") for d in DIMENSIONS})


@strawberry.type(description="计划期：工委确定的计划所覆盖的期间。")
class PlanPeriod(relay.Node):
    id: relay.NodeID[int]
    name: str
    kind: PeriodKind
    starts_on: date
    ends_on: date
    report_due_on: date = strawberry.field(description="执行情况报告截止日期")
    state: PeriodState
    commission_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> PlanPeriod:
        return cls(
            id=row.id,
            name=row.name,
            kind=PeriodKind(row.kind),
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            report_due_on=row.report_due_on,
            state=PeriodState(row.state),
            commission_id=row.commission_id,
        )

    @strawberry.field(description="The commission that defines the period (null outside scope).")
    async def commission(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.commission_id)

    @strawberry.field(
        description="The period's commission-wide workbook (各高校执行情况, one row per school) "
        "as a link that needs no header: a relative URL whose `token` opens that workbook only, "
        "for the caller only, for a few minutes. It opens for those who read plans at the "
        "commission (`plan.read`); anyone else gets 404. A credential: do not share it."
    )
    def download_url(self, info: strawberry.Info) -> str:
        path = links.province_workbook(self.id)
        return f"{path}?{urlencode({'token': info.context.download_link(path)})}"


@strawberry.type(description="结构性要求：最低人数或最低占比。")
class StructuralTarget:
    indicator: StructuralIndicator
    min_count: int | None
    min_share_percent: float | None

    @classmethod
    def from_row(cls, row: Any) -> StructuralTarget:
        share = None if row.min_share_percent is None else float(row.min_share_percent)
        return cls(
            indicator=StructuralIndicator(row.indicator),
            min_count=row.min_count,
            min_share_percent=share,
        )


@strawberry.type(description="预计发展数及备注（如“2 名教师（1 名高知识群体教师）”）。")
class Forecast:
    amounts: QuotaAmounts
    remark: str | None
    submitted_at: datetime | None


@strawberry.type(description="一个单位在计划期内的一行数字。")
class PlanLine:
    position: int = strawberry.field(description="序号")
    unit_id: strawberry.Private[int]
    unit_name: str = strawberry.field(description="单位/支部名称")
    received: QuotaAmounts = strawberry.field(description="收到的计划数")
    handed_down: QuotaAmounts = strawberry.field(description="已分解给下级的名额")
    reserve: QuotaAmounts = strawberry.field(description="本级预留")
    available: QuotaAmounts = strawberry.field(description="尚未分解、也未预留的名额")
    forecast: Forecast = strawberry.field(description="本单位自己上报的预计发展数及备注")
    subtree_forecast: QuotaAmounts = strawberry.field(
        description="预计数：本单位及全部下级上报的预计发展数合计（与汇总 rollup 的 forecast 一致）"
    )
    admitted: int = strawberry.field(description="已计入本期的接收预备党员数")

    @classmethod
    def of(cls, position: int, line: Any) -> PlanLine:
        return cls(
            position=position,
            unit_id=line.unit_id,
            unit_name=line.unit_name,
            received=QuotaAmounts.of(line.received),
            handed_down=QuotaAmounts.of(line.handed),
            reserve=QuotaAmounts.of(line.reserve),
            available=QuotaAmounts.of(line.available),
            forecast=Forecast(
                amounts=QuotaAmounts.of(line.forecast),
                remark=line.forecast_remark,
                submitted_at=line.forecast_at,
            ),
            subtree_forecast=QuotaAmounts.of(line.subtree_forecast),
            admitted=line.admitted,
        )

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.unit_id)


@strawberry.type(description="一个单位在一个计划期的计划：本级数字、下级各行、结构要求。")
class Plan:
    period: PlanPeriod
    unit: Unit
    line: PlanLine = strawberry.field(description="本级数字")
    children: list[PlanLine] = strawberry.field(description="各下级单位一行（序号按单位顺序）")
    children_forecast: QuotaAmounts = strawberry.field(
        description="下级预计数合计（各下级行 subtreeForecast 之和）"
    )
    children_received: QuotaAmounts = strawberry.field(description="下级收到的计划数合计")
    targets: list[StructuralTarget]


@strawberry.type(description="年中调度等一轮调剂。")
class DispatchRound(relay.Node):
    id: relay.NodeID[int]
    name: str
    document_no: str | None
    created_at: datetime
    unit_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> DispatchRound:
        return cls(
            id=row.id,
            name=row.name,
            document_no=row.document_no,
            created_at=row.created_at,
            unit_id=row.unit_id,
        )

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.unit_id)


@strawberry.type(description="计划台账的一笔变动（只增不改）。")
class QuotaMovement(relay.Node):
    id: relay.NodeID[int]
    kind: MovementKind
    amounts: QuotaAmounts
    document_no: str | None = strawberry.field(description="文号，如 晋教工委组〔2023〕23号")
    document_date: date | None
    reason: str | None
    round_id: relay.GlobalID | None = strawberry.field(description="所属调度轮次")
    actor_id: relay.GlobalID | None
    created_at: datetime
    from_unit_id: strawberry.Private[int]
    to_unit_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> QuotaMovement:
        def gid(type_name: str, value: int | None) -> relay.GlobalID | None:
            return None if value is None else relay.GlobalID(type_name, str(value))

        return cls(
            id=row.id,
            kind=MovementKind(row.kind),
            amounts=QuotaAmounts.from_row(row, ""),
            document_no=row.document_no,
            document_date=row.document_date,
            reason=row.reason,
            round_id=gid("DispatchRound", row.round_id),
            actor_id=gid("User", row.actor_user_id),
            created_at=row.created_at,
            from_unit_id=row.from_unit_id,
            to_unit_id=row.to_unit_id,
        )

    @strawberry.field(description="Null when outside the caller's units (e.g. the commission).")
    async def from_unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.from_unit_id)

    @strawberry.field
    async def to_unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.to_unit_id)


@strawberry.type(description="台账一行：变动本身、它对该单位数字的影响、变动后的数字。")
class QuotaLedgerEntry:
    movement: QuotaMovement
    received_change: QuotaAmounts
    handed_down_change: QuotaAmounts
    reserve_change: QuotaAmounts
    received_after: QuotaAmounts
    handed_down_after: QuotaAmounts
    reserve_after: QuotaAmounts
    id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> QuotaLedgerEntry:
        return cls(
            id=row.id,
            movement=QuotaMovement.from_row(row),
            received_change=QuotaAmounts.from_row(row, "received_", "_change"),
            handed_down_change=QuotaAmounts.from_row(row, "handed_", "_change"),
            reserve_change=QuotaAmounts.from_row(row, "reserve_", "_change"),
            received_after=QuotaAmounts.from_row(row, "received_", "_after"),
            handed_down_after=QuotaAmounts.from_row(row, "handed_", "_after"),
            reserve_after=QuotaAmounts.from_row(row, "reserve_", "_after"),
        )


@strawberry.type(description="下年度计划建议（计划完成情况与下年度计划安排挂钩）。")
class PlanSuggestion:
    period: PlanPeriod
    next_period: PlanPeriod | None
    unit: Unit
    received: int
    admitted: int
    completion_rate: float
    band: str = strawberry.field(description="full / partial / low: which growth factor applied")
    proposal: int = strawberry.field(description="round(received × growth factor)")
    cap: int = strawberry.field(description="floor(admitted × cap ratio), e.g. 120% of actual")
    suggested: int = strawberry.field(description="min(proposal, cap)")
    rules: LinkageRulesType = strawberry.field(description="The parameters that applied.")


@strawberry.type
class PlanError:
    code: PlanErrorCodeEnum  # type: ignore[valid-type]
    field: str | None
    message: str
    shortfall: int | None = strawberry.field(description="Places missing, for SHORTFALL.")


@strawberry.type
class PlanPeriodPayload:
    period: PlanPeriod | None
    errors: list[PlanError]


@strawberry.type
class QuotaMovementPayload:
    movement: QuotaMovement | None
    errors: list[PlanError]


@strawberry.type
class ForecastPayload:
    forecast: Forecast | None
    errors: list[PlanError]


@strawberry.type
class DispatchRoundPayload:
    round: DispatchRound | None
    errors: list[PlanError]


@strawberry.type(
    name="LinkageRules",
    description="下年度计划挂钩参数（工委可改）；see planSuggestion for the formula.",
)
class LinkageRulesType:
    full_completion_rate: float = strawberry.field(description="完成率达到此值视为完成")
    low_completion_rate: float = strawberry.field(description="完成率低于此值视为偏低")
    growth_when_full: float
    growth_when_partial: float
    growth_when_low: float
    cap_ratio_of_actual: float = strawberry.field(description="不超过上年实际发展数的倍数，如 1.2")

    @classmethod
    def of(cls, rules: Any) -> LinkageRulesType:
        names = (
            "full_completion_rate",
            "low_completion_rate",
            "growth_when_full",
            "growth_when_partial",
            "growth_when_low",
            "cap_ratio_of_actual",
        )
        return cls(**{n: float(getattr(rules, n)) for n in names})


@strawberry.type
class LinkageRulesPayload:
    rules: LinkageRulesType | None
    errors: list[PlanError]
