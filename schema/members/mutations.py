from __future__ import annotations

from typing import Annotated

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.members import service
from partyplan.resolvers.recruits.service.records import today

from ..mutations import decode_id, row_id_of, run_mutation
from ..permissions import described
from .types import (
    ImportMembersInput,
    ImportMembersPayload,
    Member,
    MemberError,
    MemberRowError,
    MemberSource,
    SetMemberPartyProbationInput,
    SetMemberPartyProbationPayload,
)


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

    @strawberry.mutation(
        description=described(
            "记录留党察看：Record (or clear) a member's 留党察看 period, with the reason: a member "
            "under it whose rights are not restored on a step's date cannot be an introducer "
            "(细则第十四条). The 12371 export carries no such dates; a roster import keeps them. "
            "Audited with the period before and after.",
            Permission.MEMBER_MANAGE,
            where="at the member's branch",
        )
    )
    async def set_member_party_probation(
        self,
        info: strawberry.Info,
        input: Annotated[
            SetMemberPartyProbationInput,
            strawberry.argument(description="党员、留党察看日期及理由：The member, dates, reason."),
        ],
    ) -> SetMemberPartyProbationPayload:
        member_id = decode_id(input.member_id, "Member", "memberId")
        on = today(info.context.settings.timezone)
        row, errors = await run_mutation(
            info,
            lambda s: service.set_party_probation(
                s,
                member_id=member_id,
                since=input.from_,
                restored_on=input.restored_on,
                reason=input.reason,
                today=on,
            ),
        )
        return SetMemberPartyProbationPayload(
            member=None if row is None else Member.from_row(row, on),
            errors=[
                MemberError(code=e.code, field=e.field, message=e.message)  # type: ignore[arg-type]
                for e in errors
            ],
        )


def _unit_id(global_id: strawberry.relay.GlobalID) -> int:
    row_id = row_id_of(global_id)
    return row_id if global_id.type_name == "Unit" and row_id is not None else 0
