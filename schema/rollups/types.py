"""Roll-up types: plain fields over rows one statement already summed (docs/architecture.md,
"Counting"); only ``unit``, ``openWarnings``, ``months`` and ``years`` resolve anything
(``unit`` and ``openWarnings`` through loaders batched over every line, ``months`` and
``years`` one statement each)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated

import strawberry
from strawberry import relay

from partyplan.resolvers.rollups import service
from partyplan.resolvers.rollups.service import MAX_YEARS, RollupView

from ..cost import MAX_ITEMS
from ..feasibility.types import FEASIBLE_DESCRIPTION, FeasibleAdmissions, load_feasible
from ..plans.types import PlanPeriod, QuotaAmounts, StructuralIndicator, share_of
from ..units.types import Unit, UnitKind, load_unit
from ..warnings.types import WarningKind
from ..wording import fraction, percent_replaced_by
from . import loaders


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


@strawberry.type(description="预警数（按类型）：how many warnings of one kind.")
class WarningKindCount:
    kind: WarningKind = strawberry.field(description="预警类别：the kind counted.")
    count: int = strawberry.field(description="预警数：how many of that kind (at least 1).")


_OPEN_WARNINGS = loaders.open_warnings_by_line(
    lambda kind, n: WarningKindCount(kind=WarningKind(kind.value), count=n)
)


@strawberry.type(description="汇总的一行：一个单位（含其全部下级）在计划期内的执行情况。")
class RollupLine:
    unit_id: relay.GlobalID = strawberry.field(description="单位：the unit's global ID.")
    unit_name: str = strawberry.field(description="单位/支部名称")
    unit_kind: UnitKind = strawberry.field(description="党组织类别：the unit's kind.")
    plan: int = strawberry.field(description="计划数：收到的名额（工委为已下达的名额）")
    forecast_remark: str | None = strawberry.field(description="本单位上报预计数时的备注")
    admitted: int = strawberry.field(description="完成数：本期接收、计入计划的预备党员")
    admitted_exempt: int = strawberry.field(
        description="本期接收、已备案不占计划的高层次人才（单列）"
    )
    completion_rate: float | None = strawberry.field(
        description=fraction("完成率 = admitted / plan（无计划时为 null；超计划时大于 1）")
    )
    structure: AdmissionStructure = strawberry.field(
        description="发展党员结构：who the period's admissions (counted and exempt) were."
    )
    pipeline: Pipeline = strawberry.field(
        description="期末发展队伍：how many stand at each stage at the period end."
    )
    open_findings: int = strawberry.field(description="本期在程人员的合规问题数")
    placed_on_names: int = strawberry.field(
        description="已落实到人的名额：places of the unit and everything below it placed on "
        "named development targets (placeQuota), consumed ones included; compare "
        "`received.total`."
    )
    names_without_place: int = strawberry.field(
        description="有名无额：development targets named behind a forecast (nameForecast) in "
        "the unit and everything below it that hold no place."
    )
    raw_unit_id: strawberry.Private[int]
    period_id: strawberry.Private[int]
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

    @strawberry.field(description=FEASIBLE_DESCRIPTION)
    async def feasible_admissions(self, info: strawberry.Info) -> FeasibleAdmissions | None:
        return await load_feasible(info, self.raw_unit_id, self.period_id)

    @strawberry.field(description="本单位自己上报的预计数（未上报时为 0），与下级并列计入 forecast")
    def own_forecast(self) -> QuotaAmounts:
        return QuotaAmounts.of(self.line.own_forecast)

    @strawberry.field(description="全部下级上报的预计数合计（各下级行 forecast 之和）")
    def children_forecast(self) -> QuotaAmounts:
        return QuotaAmounts.of(self.line.children_forecast)

    @strawberry.field(
        description="未处理预警（按类型）：open warnings (neither acknowledged nor resolved) on "
        "the unit and everything below it, one entry per kind that has any, in the order of "
        "`WarningKind`. Counted: the warnings of this period and those tied to no period (a "
        "recruit's overdue steps and missing data, a branch's long spell without admissions); "
        "warnings of other periods are not. Only warnings the caller may read, as `warnings` "
        "lists them.",
        metadata={MAX_ITEMS: len(WarningKind)},
    )
    async def open_warnings(self, info: strawberry.Info) -> list[WarningKindCount]:
        key = (self.line.unit_path, self.period_id)
        return await info.context.loader("rollup_open_warnings", _OPEN_WARNINGS).load(key)

    @classmethod
    def of(cls, line: service.RollupLine, period_id: int) -> RollupLine:
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
            placed_on_names=line.placed_on_names,
            names_without_place=line.names_without_place,
            raw_unit_id=line.unit_id,
            period_id=period_id,
            line=line,
        )

    @strawberry.field(description="单位：the unit itself; null if the caller may not read it.")
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.raw_unit_id)


@strawberry.type(description="结构性要求与实际完成情况。")
class StructuralTargetCheck:
    indicator: StructuralIndicator = strawberry.field(
        description="结构性指标：the group the target is about."
    )
    min_count: int | None = strawberry.field(
        description="最低人数：the fewest admissions of the group the plan asks for; null when "
        "the target sets no count."
    )
    min_share: float | None = strawberry.field(
        description=fraction(
            "最低占比：the smallest share of the period's admissions the plan asks for, 0–1; "
            "null when the target sets no share."
        )
    )
    min_share_percent: float | None = strawberry.field(
        description="最低占比（百分数）：`minShare` × 100 (e.g. 30.0); null when the target sets "
        "no share.",
        deprecation_reason=percent_replaced_by("minShare"),
    )
    actual: int = strawberry.field(
        description="实际人数：admissions of the group in the period (counted and exempt)."
    )
    share: float | None = strawberry.field(
        description=fraction(
            "实际占比：`actual` over all the period's admissions, to 4 places; null when there "
            "was no admission."
        )
    )
    met: bool = strawberry.field(
        description="是否达到要求：true when `actual` reaches `minCount` and `share` reaches "
        "`minShare` (each where set); a positive minimum share with no admission is not met."
    )

    @classmethod
    def of(cls, check: service.TargetCheck) -> StructuralTargetCheck:
        percent = check.min_share_percent
        return cls(
            indicator=StructuralIndicator(check.indicator),
            min_count=check.min_count,
            min_share=share_of(percent),
            min_share_percent=None if percent is None else float(percent),
            actual=check.actual,
            share=check.share,
            met=check.met,
        )


@strawberry.type(description="计划期内一个自然月的接收与转正。")
class RollupMonth:
    month: date = strawberry.field(description="月份（该月 1 日）")
    admitted: int = strawberry.field(
        description="完成数：admissions in the month counted against the quota."
    )
    admitted_exempt: int = strawberry.field(
        description="单列：admissions in the month of filed high-level talents, not counted."
    )
    admitted_to_date: int = strawberry.field(description="期初至该月末累计完成数")
    structure: AdmissionStructure = strawberry.field(
        description="发展党员结构：who the month's admissions (counted and exempt) were."
    )
    converted: int = strawberry.field(
        description="转正：probationary members converted to full members in the month."
    )


@strawberry.type(description="同类计划期逐年对比的一行。")
class RollupYear:
    period: PlanPeriod = strawberry.field(description="计划期：the period of this row.")
    received: int = strawberry.field(description="收到的名额（工委不接收名额，为 0）")
    plan: int = strawberry.field(
        description="计划数：收到的名额（工委为已下达的名额），同 line.plan"
    )
    admitted: int = strawberry.field(
        description="完成数：admissions in the period counted against the quota."
    )
    admitted_exempt: int = strawberry.field(
        description="单列：admissions in the period of filed high-level talents, not counted."
    )
    completion_rate: float | None = strawberry.field(
        description=fraction("完成率 = admitted / plan（无计划时为 null；超计划时大于 1）")
    )
    change: float | None = strawberry.field(
        description=fraction(
            "接收总数（含单列）较上一期的变化率，如 -0.35 即减少 35%；上一期为 0 或没有时为 null"
        )
    )


@strawberry.type(description="一个单位在一个计划期的执行汇总：本级合计、各下级一行、结构要求。")
class Rollup:
    period: PlanPeriod = strawberry.field(description="计划期：the period summed.")
    unit: Unit = strawberry.field(description="单位：the unit summed, with everything below it.")
    line: RollupLine = strawberry.field(description="本单位合计（含全部下级）")
    children: list[RollupLine] = strawberry.field(
        description="各下级一行；本单位合计 = 直属本单位的人员 + 各行之和"
    )
    targets: list[StructuralTargetCheck] = strawberry.field(
        description="结构性要求：the unit's plan's structural targets beside the actual "
        "admissions; empty when the plan sets none."
    )
    view: strawberry.Private[RollupView]

    @strawberry.field(
        description="逐月：the period month by month, oldest first, every calendar month of the "
        "period present (zeros included)."
    )
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
        description="逐年对比：this period and the ones before it of the same kind, newest first."
    )
    async def years(
        self,
        info: strawberry.Info,
        last: Annotated[
            int,
            strawberry.argument(
                description=f"期数：how many periods, this one included; below 1 counts as 1, "
                f"above {MAX_YEARS} as {MAX_YEARS}."
            ),
        ] = 5,
    ) -> list[RollupYear]:
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
            line=RollupLine.of(view.line, view.period.id),
            children=[RollupLine.of(c, view.period.id) for c in view.children],
            targets=[StructuralTargetCheck.of(t) for t in view.targets],
            view=view,
        )
