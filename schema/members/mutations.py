from __future__ import annotations

from typing import Annotated

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.members import service
from partyplan.resolvers.recruits.service.records import today

from ..mutations import decode_id, row_id_of, run_mutation
from ..permissions import described
from .types import ImportMembersInput, ImportMembersPayload, MemberRowError, MemberSource


@strawberry.type
class MemberMutations:
    @strawberry.mutation(
        description=described(
            "党员名册导入：Import the school's roster of Party members (or part of it): each row is added, or "
            "replaces the member with the same code. All rows go in or none; every bad row is "
            "reported with its index, field and reason. Source SYNC_12371 also needs "
            "`sync.exchange`.",
            Permission.MEMBER_MANAGE,
            where="at the school",
        )
    )
    async def import_members(
        self,
        info: strawberry.Info,
        input: Annotated[
            ImportMembersInput,
            strawberry.argument(
                description="学校、名册各行及来源：The school, the rows and their source."
            ),
        ],
    ) -> ImportMembersPayload:
        school_id = decode_id(input.school_id, "Unit", "schoolId")
        # A row naming an id of another type reads as a unit of no school: NOT_IN_SCHOOL.
        rows = [
            service.MemberRow(
                code=m.code,
                name=m.name,
                joined_on=m.joined_on,
                full_on=m.full_on,
                left_on=m.left_on,
                branch_id=_unit_id(m.branch_id),
            )
            for m in input.members
        ]
        source = "12371" if input.source is MemberSource.SYNC_12371 else "manual"
        on = today(info.context.settings.timezone)
        result, errors = await run_mutation(
            info,
            lambda s: service.import_members(
                s, school_id=school_id, rows=rows, source=source, today=on
            ),
        )
        return ImportMembersPayload(
            inserted=result.inserted if result else 0,
            updated=result.updated if result else 0,
            errors=[
                MemberRowError(
                    index=getattr(e, "index", 0), code=e.code, field=e.field, message=e.message
                )
                for e in errors
            ],  # type: ignore[arg-type]
        )


def _unit_id(global_id: strawberry.relay.GlobalID) -> int:
    row_id = row_id_of(global_id)
    return row_id if global_id.type_name == "Unit" and row_id is not None else 0
