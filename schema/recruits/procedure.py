"""The procedure data the commission edits: working-day calendar and rule overlays."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from partyplan.auth.permissions import Permission
from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.recruits.service import procedure_admin

from ..mutations import decode_id, run_mutation
from ..permissions import described
from .types import RecruitError


@strawberry.type(description="工作日历（一年）：法定节假日与调休上班日；其余周末休息。")
class WorkingCalendarYear:
    year: int
    holidays: list[date]
    makeup_workdays: list[date] = strawberry.field(description="调休上班的周末")

    @classmethod
    def of(cls, data: dict[str, Any]) -> WorkingCalendarYear:
        return cls(year=data["year"], holidays=data["holidays"], makeup_workdays=data["workdays"])


@strawberry.type(description="省或学校对发展党员程序规则的补充（数据，可由工委维护）。")
class RuleOverlay:
    id: str
    title: str
    document: str
    province: str
    school: str | None
    effective_from: date | None
    body: JSON = strawberry.field(description="The overlay as data (format 1, see setRuleOverlay).")

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


@strawberry.input
class SetWorkingCalendarInput:
    commission_id: relay.GlobalID
    year: int
    holidays: list[date]
    makeup_workdays: list[date] = strawberry.field(default_factory=list)


@strawberry.input
class SetRuleOverlayInput:
    commission_id: relay.GlobalID
    overlay: JSON = strawberry.field(description="An overlay document (replaces one of its id).")


@strawberry.type
class WorkingCalendarPayload:
    calendar: WorkingCalendarYear | None
    errors: list[RecruitError]


@strawberry.type
class RuleOverlayPayload:
    overlay: RuleOverlay | None
    errors: list[RecruitError]


def _errors(errors: list[DomainError]) -> list[RecruitError]:
    return [RecruitError(code=e.code, field=e.field, message=e.message) for e in errors]


@strawberry.type
class ProcedureQueries:
    @strawberry.field(
        description=described(
            "The working-day calendar of the unit's commission for a year.", Permission.UNIT_READ
        )
    )
    async def working_calendar(
        self, info: strawberry.Info, unit_id: relay.GlobalID, year: int
    ) -> WorkingCalendarYear:
        session = await info.context.session()
        data = await procedure_admin.calendar_year_for(
            session, unit_id=decode_id(unit_id, "Unit", "unitId"), year=year
        )
        return WorkingCalendarYear.of(data)

    @strawberry.field(
        description=described(
            "The rule overlays that apply under the unit's commission (built in and stored).",
            Permission.UNIT_READ,
        )
    )
    async def rule_overlays(
        self, info: strawberry.Info, unit_id: relay.GlobalID
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
            "Set a year of the commission's working-day calendar (replaces that year).",
            Permission.RULE_MANAGE,
            where="at the commission",
        )
    )
    async def set_working_calendar(
        self, info: strawberry.Info, input: SetWorkingCalendarInput
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
            "Store a rule overlay of the commission's province (or one of its schools) as data.",
            Permission.RULE_MANAGE,
            where="at the commission",
        )
    )
    async def set_rule_overlay(
        self, info: strawberry.Info, input: SetRuleOverlayInput
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
