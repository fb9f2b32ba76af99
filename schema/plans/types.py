from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import urlencode

import strawberry
from strawberry import relay

from partyplan.auth import links
from partyplan.resolvers.plans.rules import DIMENSIONS, Amounts

from ..feasibility.types import FEASIBLE_DESCRIPTION, FeasibleAdmissions, load_feasible
from ..units.types import Unit, load_unit
from ..wording import fraction, percent_replaced_by


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
    total: int = strawberry.field(description="总数：places in all.")
    students: int = strawberry.field(description="学生：of the total, places for students.")
    staff: int = strawberry.field(description="教职工：of the total, places for staff.")
    high_knowledge: int = strawberry.field(
        description="高知群体（单列）：places for the high-knowledge group, listed separately: "
        "they overlap students and staff and never exceed the total."
    )

    @classmethod
    def of(cls, amounts: Amounts) -> QuotaAmounts:
        return cls(**amounts.as_dict())

    @classmethod
    def from_row(cls, row: Any, prefix: str, suffix: str = "") -> QuotaAmounts:
        return cls(**{d: getattr(row, f"{prefix}{d}{suffix}") for d in DIMENSIONS})


@strawberry.type(description="计划期：工委确定的计划所覆盖的期间。")
class PlanPeriod(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="名称：e.g. “2023 年度”, “2019 年下半年”.")
    kind: PeriodKind = strawberry.field(description="计划期类型：what span the period covers.")
    starts_on: date = strawberry.field(description="起始日期：the first day of the period.")
    ends_on: date = strawberry.field(description="截止日期：the last day of the period.")
    report_due_on: date = strawberry.field(
        description="执行情况报告截止日期：the day schools' execution reports are due."
    )
    state: PeriodState = strawberry.field(description="状态：draft, issued or closed.")
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

    @strawberry.field(
        description="省委教育工委：the commission that defines the period; null outside the "
        "caller's units."
    )
    async def commission(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.commission_id)

    @strawberry.field(
        description="各高校执行情况下载链接：the period's commission-wide workbook (各高校执行情况, one row per school) "
        "as a link that needs no header: a relative URL whose `token` opens that workbook only, "
        "for the caller only, for a few minutes. It opens for those who read plans at the "
        "commission (`plan.read`); anyone else gets 404. A credential: do not share it."
    )
    def download_url(self, info: strawberry.Info) -> str:
        path = links.province_workbook(self.id)
        return f"{path}?{urlencode({'token': info.context.download_link(path)})}"


@strawberry.type(description="结构性要求：最低人数或最低占比。")
class StructuralTarget:
    indicator: StructuralIndicator = strawberry.field(
        description="结构性指标：the group the target is about."
    )
    min_count: int | None = strawberry.field(
        description="最低人数：at least this many of the admissions; null when only a share is set."
    )
    min_share: float | None = strawberry.field(
        description=fraction(
            "最低占比：at least this share of the admissions, 0–1; null when only a count is set."
        )
    )
    min_share_percent: float | None = strawberry.field(
        description="最低占比（百分数）：`minShare` × 100 (0–100); null when only a count is set.",
        deprecation_reason=percent_replaced_by("minShare"),
    )

    @classmethod
    def from_row(cls, row: Any) -> StructuralTarget:
        percent = row.min_share_percent
        return cls(
            indicator=StructuralIndicator(row.indicator),
            min_count=row.min_count,
            min_share=share_of(percent),
            min_share_percent=None if percent is None else float(percent),
        )


def share_of(percent: Decimal | None) -> float | None:
    """A share kept as a percentage (``numeric(5, 2)``), as the API gives it: a fraction,
    divided in decimal so that 0.35 % gives 0.0035, not 0.0034999999999999996."""
    return None if percent is None else float(percent / 100)


@strawberry.type(description="预计发展数及备注（如“2 名教师（1 名高知识群体教师）”）。")
class Forecast:
    amounts: QuotaAmounts = strawberry.field(
        description="预计发展数：the expected admissions, with the same sub-quotas as a quota."
    )
    remark: str | None = strawberry.field(description="备注：the unit's remark; null if none.")
    submitted_at: datetime | None = strawberry.field(
        description="上报时间：when the latest forecast was submitted; null before the first."
    )


@strawberry.type(description="一个单位在计划期内的一行数字。")
class PlanLine:
    position: int = strawberry.field(
        description="序号：0 for the unit's own line, 1, 2, … for its children's lines."
    )
    unit_id: strawberry.Private[int]
    unit_name: str = strawberry.field(
        description="单位/支部名称：the unit's name, shown even when `unit` is null."
    )
    received: QuotaAmounts = strawberry.field(
        description="收到的计划数：places the unit received in the period (issued, supplemented, "
        "allocated or transferred to it, less what it returned or transferred away)."
    )
    handed_down: QuotaAmounts = strawberry.field(
        description="已分解给下级的名额：places the unit handed to the units below it."
    )
    reserve: QuotaAmounts = strawberry.field(description="本级预留：places the unit keeps back.")
    available: QuotaAmounts = strawberry.field(
        description="尚未分解、也未预留的名额：received less handed down and reserve."
    )
    forecast: Forecast = strawberry.field(
        description="预计发展数：the unit's own forecast and remark, not its children's."
    )
    subtree_forecast: QuotaAmounts = strawberry.field(
        description="预计数：本单位及全部下级上报的预计发展数合计. The forecasts of the unit and "
        "every unit below it, summed (the same as a rollup's `forecast`)."
    )
    admitted: int = strawberry.field(
        description="接收预备党员数：admissions (step 17) in the unit's subtree counted against "
        "this period."
    )
    period_id: strawberry.Private[int | None] = None

    @strawberry.field(description=FEASIBLE_DESCRIPTION)
    async def feasible_admissions(self, info: strawberry.Info) -> FeasibleAdmissions | None:
        if self.period_id is None:
            return None
        return await load_feasible(info, self.unit_id, self.period_id)

    @classmethod
    def of(cls, position: int, line: Any, period_id: int | None = None) -> PlanLine:
        return cls(
            period_id=period_id,
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

    @strawberry.field(description="单位：the unit of the line; null outside the caller's units.")
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.unit_id)


@strawberry.type(description="一个单位在一个计划期的计划：本级数字、下级各行、结构要求。")
class Plan:
    period: PlanPeriod = strawberry.field(description="计划期：the period of the plan.")
    unit: Unit = strawberry.field(description="单位：the unit whose plan this is.")
    line: PlanLine = strawberry.field(description="本级数字：the unit's own figures.")
    children: list[PlanLine] = strawberry.field(
        description="各下级单位一行：one line per unit directly below, numbered 1, 2, … in unit "
        "order."
    )
    children_forecast: QuotaAmounts = strawberry.field(
        description="下级预计数合计：the children's `subtreeForecast`, summed."
    )
    children_received: QuotaAmounts = strawberry.field(
        description="下级收到的计划数合计：the children's `received`, summed."
    )
    targets: list[StructuralTarget] = strawberry.field(
        description="结构性要求：the structural targets set for the unit in the period."
    )


@strawberry.type(description="年中调度等一轮调剂。")
class DispatchRound(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="名称：e.g. “2023 年年中调度”.")
    document_no: str | None = strawberry.field(
        description="文号：the document ordering the round; null if none was given."
    )
    created_at: datetime = strawberry.field(description="创建时间：when the round was opened.")
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

    @strawberry.field(
        description="组织调度的单位：the unit running the round; null outside the caller's units."
    )
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.unit_id)


@strawberry.type(description="计划台账的一笔变动（只增不改）。")
class QuotaMovement(relay.Node):
    id: relay.NodeID[int]
    kind: MovementKind = strawberry.field(description="变动类别：what kind of movement.")
    amounts: QuotaAmounts = strawberry.field(
        description="名额：the places moved from `fromUnit` to `toUnit`; for a reserve change "
        "(both the same unit) the change of the reserve, negative when it shrinks."
    )
    document_no: str | None = strawberry.field(
        description="文号：e.g. 晋教工委组〔2023〕23号; null if none was given."
    )
    document_date: date | None = strawberry.field(
        description="文件日期：the document's date; null if not given."
    )
    reason: str | None = strawberry.field(
        description="理由：why the places moved (required for a supplement, transfer or return); "
        "null if none was given."
    )
    round_id: relay.GlobalID | None = strawberry.field(
        description="所属调度轮次：the `DispatchRound` the movement belongs to; null outside any."
    )
    actor_id: relay.GlobalID | None = strawberry.field(
        description="经办人：the account (a `User` id) that recorded the movement; null if none."
    )
    created_at: datetime = strawberry.field(description="记录时间：when the movement was recorded.")
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

    @strawberry.field(
        description="转出单位：the unit the places came from; null outside the caller's units "
        "(e.g. the commission)."
    )
    async def from_unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.from_unit_id)

    @strawberry.field(
        description="转入单位：the unit the places went to; null outside the caller's units."
    )
    async def to_unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.to_unit_id)


@strawberry.type(description="台账一行：变动本身、它对该单位数字的影响、变动后的数字。")
class QuotaLedgerEntry:
    movement: QuotaMovement = strawberry.field(description="变动：the movement itself.")
    received_change: QuotaAmounts = strawberry.field(
        description="收到的计划数变化：its effect on what the unit received (negative when places "
        "left)."
    )
    handed_down_change: QuotaAmounts = strawberry.field(
        description="已分解数变化：its effect on what the unit handed down (negative when places "
        "came back)."
    )
    reserve_change: QuotaAmounts = strawberry.field(
        description="预留变化：its effect on the unit's reserve."
    )
    received_after: QuotaAmounts = strawberry.field(
        description="变动后收到的计划数：what the unit had received after the movement."
    )
    handed_down_after: QuotaAmounts = strawberry.field(
        description="变动后已分解数：what the unit had handed down after the movement."
    )
    reserve_after: QuotaAmounts = strawberry.field(
        description="变动后预留：the unit's reserve after the movement."
    )
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
