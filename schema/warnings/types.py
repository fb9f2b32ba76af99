"""Warning types: plain fields over the row the list statement joined (the unit's name
included); ``unit`` and ``period`` load on demand."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from partyplan.resolvers.warnings.errors import WarningErrorCode
from partyplan.resolvers.warnings.service.manage import RuleView

from ..units.types import Unit, load_unit
from ..wording import ERROR_FIELD, ERROR_MESSAGE, PAYLOAD_ERRORS, coded_enum, fraction

#: What the parameters' shares and rates are, said with the API's convention.
_RATES = (
    "The shares and rates in it (`tolerance`, `pace`, `max_share`, `max_change`), as everywhere:"
)

WARNING_CODES = {
    WarningErrorCode.INVALID_RULE: "规则参数无效：A parameter of the rule is unknown or out of "
    "range, or `params` is not an object; the field names the parameter.",
    WarningErrorCode.NOT_A_COMMISSION: "不是工委：Warning rules belong to a commission; the "
    "unit named is not one.",
    WarningErrorCode.ALREADY_RESOLVED: "预警已消除：The warning was resolved by the scan; there "
    "is nothing to acknowledge.",
    WarningErrorCode.ALREADY_ACKNOWLEDGED: "预警已知悉：The warning was acknowledged already.",
    WarningErrorCode.INVALID_TEXT: "文本无效：The note is too long or holds control characters.",
}

WarningErrorCodeEnum = coded_enum(
    "WarningErrorCode",
    "预警操作错误：why a warning mutation was refused.",
    WarningErrorCode,
    WARNING_CODES,
)


@strawberry.enum(description="预警类别：what a warning is about.")
class WarningKind(Enum):
    SLOW_PROGRESS = strawberry.enum_value(
        "slow_progress", description="进度滞后（季度末低于应有进度）"
    )
    OVER_PLAN = strawberry.enum_value("over_plan", description="超计划发展")
    RUSHED = strawberry.enum_value("rushed", description="突击发展（期末集中发展）")
    LONG_TERM_NONE = strawberry.enum_value("long_term_none", description="长期不发展")
    LARGE_SWING = strawberry.enum_value("large_swing", description="大起大落（同比变化过大）")
    OVERDUE_STEP = strawberry.enum_value("overdue_step", description="程序环节超期")
    MISSING_DATA = strawberry.enum_value("missing_data", description="信息未录全（应录尽录）")
    REPORT_OVERDUE = strawberry.enum_value("report_overdue", description="执行情况报告逾期未报")
    DATA_CALL_DUE = strawberry.enum_value(
        "data_call_due", description="数据征集即将到期（提醒：尚未填报）"
    )
    DATA_CALL_OVERDUE = strawberry.enum_value("data_call_overdue", description="数据征集逾期未报")
    PLACES_WITHOUT_NAMES = strawberry.enum_value(
        "places_without_names",
        description="名额未落实到人（有额无名）：期末前仍有名额未落实到发展对象",
    )
    NAMES_WITHOUT_PLACES = strawberry.enum_value(
        "names_without_places",
        description="预计名单无名额（有名无额）：预计名单中的发展对象未落实名额",
    )
    INFEASIBLE_QUOTA = strawberry.enum_value(
        "infeasible_quota",
        description="计划数超出可发展数：收到的名额或预计数超出本期已接收数与按程序尚可接收数之和",
    )


@strawberry.enum(description="预警状态：where a warning stands.")
class WarningStatus(Enum):
    OPEN = strawberry.enum_value("open", description="待处理")
    ACKNOWLEDGED = strawberry.enum_value("acknowledged", description="已知悉")
    RESOLVED = strawberry.enum_value("resolved", description="已消除（扫描确认情况已不存在）")


@strawberry.type(description="预警：由规则扫描产生，附证据，逐级可见。")
class Warning(relay.Node):
    id: relay.NodeID[int]
    kind: WarningKind = strawberry.field(description="预警类别：what the warning is about.")
    status: WarningStatus = strawberry.field(description="预警状态：where the warning stands.")
    message: str = strawberry.field(
        description="预警内容：what the scan found, one sentence in Chinese with the figures."
    )
    evidence: JSON = strawberry.field(
        description="证据：the figures the rule judged, an object whose keys depend on `kind`."
    )
    unit_id: relay.GlobalID = strawberry.field(
        description="单位：the global ID of the unit the warning is on."
    )
    unit_name: str = strawberry.field(description="单位名称：the name of the unit.")
    period_id: relay.GlobalID | None = strawberry.field(
        description="计划期：the global ID of the plan period concerned; null for a warning not "
        "tied to a period."
    )
    recruit_id: relay.GlobalID | None = strawberry.field(
        description="发展对象：the recruit concerned (read it through `node` with "
        "`recruit.read`); null for a warning on a unit's figures."
    )
    raised_at: datetime = strawberry.field(description="产生时间：when the scan raised it.")
    seen_on: date = strawberry.field(
        description="扫描日期：the date of the scan that last raised or changed it."
    )
    acknowledged_at: datetime | None = strawberry.field(
        description="知悉时间：when it was acknowledged; null until then."
    )
    acknowledgement: str | None = strawberry.field(
        description="处理说明：the note given when acknowledging; null if none was given."
    )
    resolved_at: datetime | None = strawberry.field(
        description="消除时间：when the scan found the situation gone; null while open or "
        "acknowledged."
    )
    raw_unit_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> Warning:
        def gid(type_name: str, value: int | None) -> relay.GlobalID | None:
            return None if value is None else relay.GlobalID(type_name, str(value))

        return cls(
            id=row.id,
            kind=WarningKind(row.kind),
            status=WarningStatus(row.status),
            message=row.message,
            evidence=row.evidence,
            unit_id=relay.GlobalID("Unit", str(row.unit_id)),
            unit_name=row.unit_name,
            period_id=gid("PlanPeriod", row.period_id),
            recruit_id=gid("Recruit", row.recruit_id),
            raised_at=row.raised_at,
            seen_on=row.seen_on,
            acknowledged_at=row.acknowledged_at,
            acknowledgement=row.acknowledgement,
            resolved_at=row.resolved_at,
            raw_unit_id=row.unit_id,
        )

    @strawberry.field(description="单位：the unit itself; null if the caller may not read it.")
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.raw_unit_id)


@strawberry.type(description="一类预警的规则参数（工委可改）。")
class WarningRule:
    kind: WarningKind = strawberry.field(description="预警类别：the kind the rule governs.")
    enabled: bool = strawberry.field(
        description="是否启用：false when the commission switched this kind off (the scan then "
        "raises none)."
    )
    params: JSON = strawberry.field(
        description=fraction(
            f"参数：the parameters in force, an object (defaults filled in). {_RATES}"
        )
    )
    defaults: JSON = strawberry.field(
        description=fraction(f"默认参数：the documented defaults, an object. {_RATES}")
    )
    updated_at: datetime | None = strawberry.field(
        description="修改时间：when the commission last changed the rule; null if it never did."
    )

    @classmethod
    def of(cls, view: RuleView) -> WarningRule:
        return cls(
            kind=WarningKind(view.kind.value),
            enabled=view.enabled,
            params=view.params,
            defaults=view.defaults,
            updated_at=view.updated_at,
        )


@strawberry.type(description="预警操作错误：why a warning mutation was refused.")
class WarningError:
    code: WarningErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：what was wrong."
    )
    field: str | None = strawberry.field(description=ERROR_FIELD)
    message: str = strawberry.field(description=ERROR_MESSAGE)


@strawberry.type(description="预警操作结果：the warning after the change, or the errors.")
class WarningPayload:
    warning: Warning | None = strawberry.field(
        description="预警：the warning as it stands now; null when refused."
    )
    errors: list[WarningError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type(description="预警规则设置结果：the rule after the change, or the errors.")
class WarningRulePayload:
    rule: WarningRule | None = strawberry.field(
        description="预警规则：the rule as it stands now; null when refused."
    )
    errors: list[WarningError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.input(description="知悉预警：the open warning to acknowledge, with a note.")
class AcknowledgeWarningInput:
    warning_id: relay.GlobalID = strawberry.field(
        description="预警：the global ID of an open warning."
    )
    note: str | None = strawberry.field(
        default=None, description="处理说明：what is being done about it; null for none."
    )


@strawberry.input(description="设置预警规则：one kind of warning rule of a commission.")
class SetWarningRuleInput:
    commission_id: relay.GlobalID = strawberry.field(
        description="工委：the global ID of the commission whose rule it is."
    )
    kind: WarningKind = strawberry.field(description="预警类别：the kind the rule governs.")
    enabled: bool = strawberry.field(
        default=True, description="是否启用：false switches the kind off; true by default."
    )
    params: JSON | None = strawberry.field(
        default=None,
        description=fraction(
            "参数：the parameters to change, an object (others keep their defaults), "
            'e.g. {"tolerance": 0.7}; the defaults are listed by `warningRules`. ' + _RATES
        ),
    )
