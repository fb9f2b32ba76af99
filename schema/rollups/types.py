"""Roll-up types: plain fields over rows one statement already summed (docs/architecture.md,
"Counting"); only ``unit``, ``months`` and ``years`` resolve anything."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import strawberry
from strawberry import relay

from partyplan.resolvers.rollups import service
from partyplan.resolvers.rollups.service import RollupView

from ..plans.types import PlanPeriod, QuotaAmounts, StructuralIndicator
from ..units.types import Unit, UnitKind, load_unit


@strawberry.type(description="发展党员结构：本期接收的预备党员中（含不占计划的高层次人才）。")
class AdmissionStructure:
    women: int = strawberry.field(description="女性")
    ethnic_minority: int = strawberry.field(description="少数民族")
    youth_35: int = strawberry.field(description="接收时 35 岁及以下")
    college_educated: int = strawberry.field(description="大专及以上学历")
    students: int = strawberry.field(description="学生（本科生、研究生）")
    staff: int = strawberry.field(description="教职工（教师、其他教职工）")
    high_knowledge: int = strawberry.field(description="高知识群体")
    professional_technical: int = strawberry.field(description="专业技术人员（有专业技术职务）")

    @classmethod
    def of(cls, figures: Mapping[str, int]) -> AdmissionStructure:
        return cls(**{name: figures[name] for name in cls.__annotations__})


@strawberry.type(description="期末发展队伍：期末各阶段人数，及本期转正人数。")
class Pipeline:
    applicants: int = strawberry.field(description="入党申请人")
    activists: int = strawberry.field(description="入党积极分子")
    development_targets: int = strawberry.field(description="发展对象")
    probationary: int = strawberry.field(description="预备党员")
    converted: int = strawberry.field(description="本期按期转正为正式党员")

    @classmethod
    def of(cls, figures: Mapping[str, int]) -> Pipeline:
        return cls(**{name: figures[name] for name in cls.__annotations__})


@strawberry.type(description="汇总的一行：一个单位（含其全部下级）在计划期内的执行情况。")
class RollupLine:
    unit_id: relay.GlobalID
    unit_name: str = strawberry.field(description="单位/支部名称")
    unit_kind: UnitKind
    plan: int = strawberry.field(description="计划数：收到的名额（工委为已下达的名额）")
    forecast_remark: str | None = strawberry.field(description="本单位上报预计数时的备注")
    admitted: int = strawberry.field(description="完成数：本期接收、计入计划的预备党员")
    admitted_exempt: int = strawberry.field(
        description="本期接收、已备案不占计划的高层次人才（单列）"
    )
    completion_rate: float | None = strawberry.field(
        description="完成率 = admitted / plan（无计划时为 null）"
    )
    structure: AdmissionStructure
    pipeline: Pipeline
    open_findings: int = strawberry.field(description="本期在程人员的合规问题数")
    raw_unit_id: strawberry.Private[int]
    line: strawberry.Private[service.RollupLine]

    @strawberry.field(description="收到的名额")
    def received(self) -> QuotaAmounts:
        return QuotaAmounts.of(self.line.received)

    @strawberry.field(description="已分解给下级的名额")
    def handed_down(self) -> QuotaAmounts:
        return QuotaAmounts.of(self.line.handed)

    @strawberry.field(description="本级预留")
    def reserve(self) -> QuotaAmounts:
        return QuotaAmounts.of(self.line.reserve)

    @strawberry.field(
        description="预计数：本单位及其全部下级上报的预计数之和（支部即其上报数）"
        " = ownForecast + childrenForecast"
    )
    def forecast(self) -> QuotaAmounts:
        return QuotaAmounts.of(self.line.forecast)

    @strawberry.field(description="本单位自己上报的预计数（未上报时为 0），与下级并列计入 forecast")
    def own_forecast(self) -> QuotaAmounts:
        return QuotaAmounts.of(self.line.own_forecast)

    @strawberry.field(description="全部下级上报的预计数合计（各下级行 forecast 之和）")
    def children_forecast(self) -> QuotaAmounts:
        return QuotaAmounts.of(self.line.children_forecast)

    @classmethod
    def of(cls, line: service.RollupLine) -> RollupLine:
        return cls(
            unit_id=relay.GlobalID("Unit", str(line.unit_id)),
            unit_name=line.unit_name,
            unit_kind=UnitKind(line.unit_kind),
            plan=line.plan,
            forecast_remark=line.forecast_remark,
            admitted=line.figures["admitted"],
            admitted_exempt=line.figures["admitted_exempt"],
            completion_rate=line.completion_rate,
            structure=AdmissionStructure.of(line.figures),
            pipeline=Pipeline.of(line.figures),
            open_findings=line.figures["open_findings"],
            raw_unit_id=line.unit_id,
            line=line,
        )

    @strawberry.field(description="The unit itself (one batched load for every line).")
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.raw_unit_id)


@strawberry.type(description="结构性要求与实际完成情况。")
class StructuralTargetCheck:
    indicator: StructuralIndicator
    min_count: int | None
    min_share_percent: float | None
    actual: int = strawberry.field(description="实际人数")
    share: float | None = strawberry.field(description="占本期接收总数的比例")
    met: bool = strawberry.field(description="是否达到要求")

    @classmethod
    def of(cls, check: service.TargetCheck) -> StructuralTargetCheck:
        share = None if check.min_share_percent is None else float(check.min_share_percent)
        return cls(
            indicator=StructuralIndicator(check.indicator),
            min_count=check.min_count,
            min_share_percent=share,
            actual=check.actual,
            share=check.share,
            met=check.met,
        )


@strawberry.type(description="计划期内一个自然月的接收与转正。")
class RollupMonth:
    month: date = strawberry.field(description="月份（该月 1 日）")
    admitted: int
    admitted_exempt: int
    admitted_to_date: int = strawberry.field(description="期初至该月末累计完成数")
    structure: AdmissionStructure
    converted: int


@strawberry.type(description="同类计划期逐年对比的一行。")
class RollupYear:
    period: PlanPeriod
    received: int = strawberry.field(description="收到的名额（工委不接收名额，为 0）")
    plan: int = strawberry.field(
        description="计划数：收到的名额（工委为已下达的名额），同 line.plan"
    )
    admitted: int
    admitted_exempt: int
    completion_rate: float | None = strawberry.field(
        description="完成率 = admitted / plan（无计划时为 null）"
    )
    change: float | None = strawberry.field(
        description="接收总数（含单列）较上一期的变化率，如 -0.35；上一期为 0 或没有时为 null"
    )


@strawberry.type(description="一个单位在一个计划期的执行汇总：本级合计、各下级一行、结构要求。")
class Rollup:
    period: PlanPeriod
    unit: Unit
    line: RollupLine = strawberry.field(description="本单位合计（含全部下级）")
    children: list[RollupLine] = strawberry.field(
        description="各下级一行；本单位合计 = 直属本单位的人员 + 各行之和"
    )
    targets: list[StructuralTargetCheck]
    view: strawberry.Private[RollupView]

    @strawberry.field(description="The period month by month (one statement).")
    async def months(self, info: strawberry.Info) -> list[RollupMonth]:
        session = await info.context.session()
        return [
            RollupMonth(
                month=m.month,
                admitted=m.figures["admitted"],
                admitted_exempt=m.figures["admitted_exempt"],
                admitted_to_date=m.admitted_to_date,
                structure=AdmissionStructure.of(m.figures),
                converted=m.figures["converted"],
            )
            for m in await service.months(session, self.view)
        ]

    @strawberry.field(
        description="The last `last` periods of the same kind, newest first (one statement)."
    )
    async def years(self, info: strawberry.Info, last: int = 5) -> list[RollupYear]:
        session = await info.context.session()
        return [
            RollupYear(
                period=PlanPeriod.from_row(y.period),
                received=y.received,
                plan=y.plan,
                admitted=y.admitted,
                admitted_exempt=y.admitted_exempt,
                completion_rate=y.completion_rate,
                change=y.change,
            )
            for y in await service.years(session, self.view, last)
        ]

    @classmethod
    def of(cls, view: RollupView) -> Rollup:
        return cls(
            period=PlanPeriod.from_row(view.period),
            unit=Unit.from_row(view.unit),
            line=RollupLine.of(view.line),
            children=[RollupLine.of(c) for c in view.children],
            targets=[StructuralTargetCheck.of(t) for t in view.targets],
            view=view,
        )
