"""What the plan mutations answer: the object changed, or typed errors naming the input field."""

from __future__ import annotations

from collections.abc import Mapping

import strawberry

from partyplan.resolvers.plans.errors import PlanErrorCode

from ..wording import ERROR_FIELD, ERROR_MESSAGE, PAYLOAD_ERRORS, coded_enum
from .linkage import LinkageRulesType
from .types import DispatchRound, Forecast, PlanPeriod, QuotaMovement

_E = PlanErrorCode
PLAN_CODES: Mapping[str, str] = {
    _E.INVALID_PERIOD: "计划期无效：The name is blank or too long, the period ends before it "
    "starts, the report is due before it starts, or the dates do not match the kind.",
    _E.DUPLICATE_PERIOD: "计划期重名：The commission already has a period of this name.",
    _E.INVALID_STATE_CHANGE: "状态变更无效：Periods go draft → issued → closed only.",
    _E.PERIOD_CLOSED: "计划期已关闭：The period is read-only.",
    _E.PERIOD_NOT_ISSUED: "计划期未下达：Quota moves down the tree once the commission has "
    "issued the period.",
    _E.INVALID_AMOUNT: "名额无效：A count is negative or too large, a total is 0, a sub-quota "
    "exceeds the total, more would be taken back than a unit holds, or nothing would change.",
    _E.SHORTFALL: "名额不足：The unit would hand down or keep back more than it received; "
    "`shortfall` says how many places are missing.",
    _E.NOT_A_SCHOOL: "不是学校：The unit named is not a school.",
    _E.NOT_A_CHILD: "不是直接下级：The receiving unit is not directly under the giving one.",
    _E.WRONG_LEVEL: "层级不符：Not at this level (e.g. the commission keeps no reserve and "
    "issues quota with `issuePlan`; periods and linkage rules belong to a commission).",
    _E.NOT_SIBLINGS: "不是同一上级：Transfers go between two units of one parent.",
    _E.INACTIVE_UNIT: "党组织已停用：The unit named is inactive.",
    _E.REASON_REQUIRED: "须填写理由：This movement needs a reason (or the reason is too long).",
    _E.DOCUMENT_REQUIRED: "须填写文号：This movement needs a document number (or the number is "
    "too long).",
    _E.INVALID_TARGET: "结构性要求无效：An indicator is given twice, or a target has neither a "
    "count nor a share, or one out of range, or its `minShare` and `minSharePercent` disagree.",
    _E.INVALID_ROUND: "调度轮次无效：The round belongs to another period.",
    _E.INVALID_REMARK: "备注无效：The remark or note is too long.",
    _E.INVALID_LINKAGE: "挂钩参数无效：Rates must satisfy 0 ≤ low ≤ full ≤ 1 and factors lie "
    "within their bounds; the field names the parameter at fault.",
    _E.SUBQUOTA_EXCEEDS_TOTAL: "分列名额超过总数：The movement would leave a balance with more "
    "places of a sub-quota than its total; the field names the sub-quota that must move along.",
}

PlanErrorCodeEnum = coded_enum("PlanErrorCode", "计划操作错误", PlanErrorCode, PLAN_CODES)


@strawberry.type(description="计划操作错误：why a plan mutation was refused.")
class PlanError:
    code: PlanErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：what was wrong."
    )
    field: str | None = strawberry.field(description=ERROR_FIELD)
    message: str = strawberry.field(description=ERROR_MESSAGE)
    shortfall: int | None = strawberry.field(
        description="缺口：places missing, for SHORTFALL; null for other codes."
    )


@strawberry.type(description="计划期操作结果：the period after the change, or the errors.")
class PlanPeriodPayload:
    period: PlanPeriod | None = strawberry.field(
        description="计划期：the period as changed; null when the mutation was refused."
    )
    errors: list[PlanError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type(description="计划变动结果：the movement recorded, or the errors.")
class QuotaMovementPayload:
    movement: QuotaMovement | None = strawberry.field(
        description="计划变动：the movement recorded; null when the mutation was refused."
    )
    errors: list[PlanError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type(description="预计发展数上报结果：the forecast recorded, or the errors.")
class ForecastPayload:
    forecast: Forecast | None = strawberry.field(
        description="预计发展数：the forecast recorded; null when the mutation was refused."
    )
    errors: list[PlanError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type(description="调度轮次操作结果：the round opened, or the errors.")
class DispatchRoundPayload:
    round: DispatchRound | None = strawberry.field(
        description="调度轮次：the round opened; null when the mutation was refused."
    )
    errors: list[PlanError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type(description="挂钩参数设置结果：the parameters after the change, or the errors.")
class LinkageRulesPayload:
    rules: LinkageRulesType | None = strawberry.field(
        description="挂钩参数：the parameters now in force; null when the mutation was refused."
    )
    errors: list[PlanError] = strawberry.field(description=PAYLOAD_ERRORS)
