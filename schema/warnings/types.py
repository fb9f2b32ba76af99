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

WarningErrorCodeEnum = strawberry.enum(
    WarningErrorCode, name="WarningErrorCode", description="预警操作错误"
)


@strawberry.enum(description="预警类别")
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


@strawberry.enum(description="预警状态")
class WarningStatus(Enum):
    OPEN = strawberry.enum_value("open", description="待处理")
    ACKNOWLEDGED = strawberry.enum_value("acknowledged", description="已知悉")
    RESOLVED = strawberry.enum_value("resolved", description="已消除（扫描确认情况已不存在）")


@strawberry.type(description="预警：由规则扫描产生，附证据，逐级可见。")
class Warning(relay.Node):
    id: relay.NodeID[int]
    kind: WarningKind
    status: WarningStatus
    message: str
    evidence: JSON = strawberry.field(description="The figures the rule judged (per kind).")
    unit_id: relay.GlobalID
    unit_name: str
    period_id: relay.GlobalID | None
    recruit_id: relay.GlobalID | None = strawberry.field(
        description="The recruit concerned (read it through `node` with recruit.read)."
    )
    raised_at: datetime
    seen_on: date = strawberry.field(description="The scan that last raised or changed it.")
    acknowledged_at: datetime | None
    acknowledgement: str | None
    resolved_at: datetime | None
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

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.raw_unit_id)


@strawberry.type(description="一类预警的规则参数（工委可改）。")
class WarningRule:
    kind: WarningKind
    enabled: bool
    params: JSON = strawberry.field(description="The parameters in force (defaults filled in).")
    defaults: JSON = strawberry.field(description="The documented defaults.")
    updated_at: datetime | None

    @classmethod
    def of(cls, view: RuleView) -> WarningRule:
        return cls(
            kind=WarningKind(view.kind.value),
            enabled=view.enabled,
            params=view.params,
            defaults=view.defaults,
            updated_at=view.updated_at,
        )


@strawberry.type
class WarningError:
    code: WarningErrorCodeEnum  # type: ignore[valid-type]
    field: str | None
    message: str


@strawberry.type
class WarningPayload:
    warning: Warning | None
    errors: list[WarningError]


@strawberry.type
class WarningRulePayload:
    rule: WarningRule | None
    errors: list[WarningError]


@strawberry.input
class AcknowledgeWarningInput:
    warning_id: relay.GlobalID
    note: str | None = strawberry.field(default=None, description="处理说明")


@strawberry.input
class SetWarningRuleInput:
    commission_id: relay.GlobalID
    kind: WarningKind
    enabled: bool = True
    params: JSON | None = strawberry.field(
        default=None,
        description='Parameters to change (others keep their defaults), e.g. {"tolerance": 0.7}.',
    )
