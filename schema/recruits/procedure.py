"""The procedure data the commission edits: working-day calendar and rule overlays."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from partyplan.auth.permissions import Permission
from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.recruits.service import procedure_admin

from ..mutations import decode_id, run_mutation
from ..permissions import described
from .payloads import RecruitError


@strawberry.type(
    description="工作日历（一年）：法定节假日与调休上班日；其余周末休息。Time limits counted "
    "in working days use it."
)
class WorkingCalendarYear:
    year: int = strawberry.field(description="年份：The calendar year.")
    holidays: list[date] = strawberry.field(
        description="法定节假日：Days off that fall on weekdays, in date order."
    )
    makeup_workdays: list[date] = strawberry.field(
        description="调休上班日：Weekend days worked, in date order."
    )

    @classmethod
    def of(cls, data: dict[str, Any]) -> WorkingCalendarYear:
        return cls(year=data["year"], holidays=data["holidays"], makeup_workdays=data["workdays"])


@strawberry.type(
    description="省或学校对发展党员程序规则的补充（数据，可由工委维护）。A province's or a "
    "school's additions to the procedure's rules."
)
class RuleOverlay:
    id: str = strawberry.field(
        description="标识：The overlay's own id; storing one with the same id replaces it."
    )
    title: str = strawberry.field(description="标题：The overlay's title.")
    document: str = strawberry.field(
        description="依据文件：The number of the document the rules come from."
    )
    province: str = strawberry.field(
        description="省份：The GB/T 2260 code of the province bound (`14` 山西)."
    )
    school: str | None = strawberry.field(
        description="学校：The school it binds alone; null for every school of the province."
    )
    effective_from: date | None = strawberry.field(
        description="生效日期：Steps on or after it are judged by it; null: always."
    )
    body: JSON = strawberry.field(
        description="规则补充文件：The overlay as data (format 1, see setRuleOverlay)."
    )

    @classmethod
    def of(cls, overlay: Any) -> RuleOverlay:
        from partyplan.resolvers.recruits.rules.serialization import overlay_to_json

        return cls(
            id=overlay.id,
            title=overlay.title,
            document=overlay.document,
            province=overlay.province,
            school=overlay.school,
            effective_from=overlay.effective_from,
            body=overlay_to_json(overlay),
        )


@strawberry.input(description="设置工作日历：One year of a commission's working-day calendar.")
class SetWorkingCalendarInput:
    commission_id: relay.GlobalID = strawberry.field(description="工委：The commission's unit id.")
    year: int = strawberry.field(description="年份：The calendar year.")
    holidays: list[date] = strawberry.field(
        description="法定节假日：Every day off of the year that falls on a weekday."
    )
    makeup_workdays: list[date] = strawberry.field(
        default_factory=list, description="调休上班日：Weekend days worked; none by default."
    )


@strawberry.input(description="保存规则补充：A rule overlay document for a commission.")
class SetRuleOverlayInput:
    commission_id: relay.GlobalID = strawberry.field(description="工委：The commission's unit id.")
    overlay: JSON = strawberry.field(
        description="规则补充文件：An overlay document (replaces the one of its id)."
    )


@strawberry.type(description="设置工作日历的结果：The year as stored, or the errors.")
class WorkingCalendarPayload:
    calendar: WorkingCalendarYear | None = strawberry.field(
        description="工作日历：null when refused (see errors)."
    )
    errors: list[RecruitError] = strawberry.field(description="错误：Empty on success.")


@strawberry.type(description="保存规则补充的结果：The overlay as stored, or the errors.")
class RuleOverlayPayload:
    overlay: RuleOverlay | None = strawberry.field(
        description="规则补充：null when refused (see errors)."
    )
    errors: list[RecruitError] = strawberry.field(description="错误：Empty on success.")


def _errors(errors: list[DomainError]) -> list[RecruitError]:
    return [RecruitError(code=e.code, field=e.field, message=e.message) for e in errors]


@strawberry.type
class ProcedureQueries:
    @strawberry.field(
        description=described(
            "工作日历：The working-day calendar of the unit's commission for a year.",
            Permission.UNIT_READ,
        )
    )
    async def working_calendar(
        self,
        info: strawberry.Info,
        unit_id: Annotated[
            relay.GlobalID, strawberry.argument(description="单位：Any unit under the commission.")
        ],
        year: Annotated[int, strawberry.argument(description="年份：The calendar year.")],
    ) -> WorkingCalendarYear:
        session = await info.context.session()
        data = await procedure_admin.calendar_year_for(
            session, unit_id=decode_id(unit_id, "Unit", "unitId"), year=year
        )
        return WorkingCalendarYear.of(data)

    @strawberry.field(
        description=described(
            "规则补充：The rule overlays that apply under the unit's commission (built in and "
            "stored).",
            Permission.UNIT_READ,
        )
    )
    async def rule_overlays(
        self,
        info: strawberry.Info,
        unit_id: Annotated[
            relay.GlobalID, strawberry.argument(description="单位：Any unit under the commission.")
        ],
    ) -> list[RuleOverlay]:
        session = await info.context.session()
        overlays = await procedure_admin.overlays_for(
            session, unit_id=decode_id(unit_id, "Unit", "unitId")
        )
        return [RuleOverlay.of(o) for o in overlays]


@strawberry.type
class ProcedureMutations:
    @strawberry.mutation(
        description=described(
            "设置工作日历：Set a year of the commission's working-day calendar (replaces that "
            "year).",
            Permission.RULE_MANAGE,
            where="at the commission",
        )
    )
    async def set_working_calendar(
        self,
        info: strawberry.Info,
        input: Annotated[
            SetWorkingCalendarInput,
            strawberry.argument(
                description="工委、年份及该年的节假日与调休上班日：The commission, the year and its days."
            ),
        ],
    ) -> WorkingCalendarPayload:
        commission_id = decode_id(input.commission_id, "Unit", "commissionId")
        data, errors = await run_mutation(
            info,
            lambda s: procedure_admin.set_working_calendar(
                s,
                commission_id=commission_id,
                year=input.year,
                holidays=input.holidays,
                workdays=input.makeup_workdays,
            ),
        )
        return WorkingCalendarPayload(
            calendar=data and WorkingCalendarYear.of(data), errors=_errors(errors)
        )

    @strawberry.mutation(
        description=described(
            "保存规则补充：Store a rule overlay of the commission's province (or one of its "
            "schools) as data.",
            Permission.RULE_MANAGE,
            where="at the commission",
        )
    )
    async def set_rule_overlay(
        self,
        info: strawberry.Info,
        input: Annotated[
            SetRuleOverlayInput,
            strawberry.argument(
                description="工委及规则补充文件：The commission and the overlay document."
            ),
        ],
    ) -> RuleOverlayPayload:
        commission_id = decode_id(input.commission_id, "Unit", "commissionId")
        body = input.overlay if isinstance(input.overlay, dict) else {}
        overlay, errors = await run_mutation(
            info,
            lambda s: procedure_admin.set_rule_overlay(s, commission_id=commission_id, body=body),
        )
        return RuleOverlayPayload(
            overlay=overlay and RuleOverlay.of(overlay), errors=_errors(errors)
        )
