from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from partyplan.resolvers.members.rules import under_party_probation
from partyplan.resolvers.members.service import status_on

from ..units.types import Unit, load_unit
from ..wording import ERROR_MESSAGE
from .codes import MemberErrorCodeEnum


@strawberry.enum(description="党员身份（于所问日期）：A member's standing on the date asked.")
class MemberStatus(Enum):
    PROBATIONARY = strawberry.enum_value(
        "probationary", description="预备党员：The probationary member's recruit id."
    )
    FULL = strawberry.enum_value("full", description="正式党员")
    LEFT = strawberry.enum_value("left", description="已转出或不再在册")


@strawberry.enum(
    description="党员权利状态（于所问日期）：Whether the member is under 留党察看 on the date asked."
)
class MemberStanding(Enum):
    NORMAL = strawberry.enum_value("normal", description="正常")
    PARTY_PROBATION = strawberry.enum_value(
        "party_probation",
        description="受留党察看处分、尚未恢复党员权利：cannot be an introducer (细则第十四条).",
    )


@strawberry.enum(description="名册来源：Where a roster row came from.")
class MemberSource(Enum):
    MANUAL = strawberry.enum_value("manual", description="学校组织部录入")
    SYNC_12371 = strawberry.enum_value("12371", description="全国党员管理信息系统同步")


@strawberry.type(
    description="党员名册中的一名党员：可任入党介绍人、培养联系人（须为正式党员）。One Party member of a school's roster."
)
class Member(relay.Node):
    id: relay.NodeID[int]
    code: str = strawberry.field(
        description="12371 党员编码（校内唯一）；步骤数据以此指称党员。The member code, unique in the school; steps' data name members by it."
    )
    name: str = strawberry.field(description="姓名：The person's name.")
    branch_id: strawberry.Private[int]
    status: MemberStatus = strawberry.field(
        description="党员身份：Standing on the date asked (default today)."
    )
    joined_on: date = strawberry.field(
        description="入党（预备党员）日期：The date admitted as a probationary member."
    )
    full_on: date | None = strawberry.field(
        description="转为正式党员日期：null while probationary."
    )
    left_on: date | None = strawberry.field(description="转出或出党日期：null while on the roster.")
    source: MemberSource = strawberry.field(
        description="名册来源：Entered by hand or synced from 12371."
    )
    standing: MemberStanding = strawberry.field(
        description="党员权利状态：Under 留党察看 or not on the date asked (default today)."
    )
    party_probation_from: date | None = strawberry.field(
        description="留党察看起始日期：The latest 留党察看 recorded (setMemberPartyProbation); "
        "null when none."
    )
    party_probation_restored_on: date | None = strawberry.field(
        description="恢复党员权利日期：null while still under 留党察看 (or when none)."
    )

    @classmethod
    def from_row(cls, row: Any, on: date) -> Member:
        return cls(
            id=row.id,
            code=row.code,
            name=row.name,
            branch_id=row.branch_id,
            status=MemberStatus(status_on(row, on)),
            joined_on=row.joined_on,
            full_on=row.full_on,
            left_on=row.left_on,
            source=MemberSource(row.source),
            standing=MemberStanding.PARTY_PROBATION
            if under_party_probation(row.party_probation_from, row.party_probation_restored_on, on)
            else MemberStanding.NORMAL,
            party_probation_from=row.party_probation_from,
            party_probation_restored_on=row.party_probation_restored_on,
        )

    @strawberry.field(
        description="所在党支部（或党委、党总支）：null when the caller may not see it."
    )
    async def branch(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.branch_id)


@strawberry.input(
    description="名册中的一行：按编码新增或整行替换。One roster row, added or replacing the member of its code."
)
class MemberInput:
    code: str = strawberry.field(
        description="12371 党员编码：Unique in the school; a row with a known code replaces "
        "that member."
    )
    name: str = strawberry.field(description="姓名：The person's name.")
    branch_id: relay.GlobalID = strawberry.field(
        description="所在党支部：A branch or committee of the school."
    )
    joined_on: date = strawberry.field(description="入党（预备党员）日期：Not after today.")
    full_on: date | None = strawberry.field(
        default=None, description="转为正式党员日期：null while probationary."
    )
    left_on: date | None = strawberry.field(
        default=None, description="转出或出党日期：null while on the roster."
    )


@strawberry.input(description="党员名册导入：A school's roster rows, all taken or none.")
class ImportMembersInput:
    school_id: relay.GlobalID = strawberry.field(description="学校：The school's unit id.")
    members: list[MemberInput] = strawberry.field(
        description="名册各行：Errors name a row by its position, from 0 (`members.3.joinedOn`)."
    )
    source: MemberSource = strawberry.field(
        default=MemberSource.MANUAL,
        description="名册来源：MANUAL by default; SYNC_12371 also needs `sync.exchange`.",
    )


@strawberry.type(
    description="名册导入中一行的错误：行号（从 0 起）、字段（自 input 起的路径，如 members.3.joinedOn）、原因。"
)
class MemberRowError:
    index: int = strawberry.field(
        description="行号：The row's position in `members`, from 0; 0 also for an error of the whole request (see `field`)."
    )
    code: MemberErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：What was wrong (see the enum's values)."
    )
    field: str | None = strawberry.field(
        description="输入中的路径：From the input, e.g. `members.3.joinedOn`; null when it "
        "concerns no one field."
    )
    message: str = strawberry.field(description=ERROR_MESSAGE)


@strawberry.type(description="党员名册导入的结果：Counts of the rows taken, or the errors.")
class ImportMembersPayload:
    inserted: int = strawberry.field(
        description="新增党员数：New members; 0 when any row was refused."
    )
    updated: int = strawberry.field(
        description="更新党员数：Members whose record was replaced; 0 when any row was refused."
    )
    errors: list[MemberRowError] = strawberry.field(
        description="错误：Every bad row's errors; empty on success."
    )


@strawberry.input(
    description="党员的留党察看记录：A member's 留党察看 period, set with its reason. Both dates "
    "null clear a period entered by mistake."
)
class SetMemberPartyProbationInput:
    member_id: relay.GlobalID = strawberry.field(description="党员：The member's id.")
    reason: str = strawberry.field(
        description="理由：The decision it follows (文号), at most 500 characters; audited."
    )
    from_: date | None = strawberry.field(
        default=None,
        name="from",
        description="留党察看起始日期（处分决定日期）：Not after today, not before joining; null "
        "(with `restoredOn` null) clears the record.",
    )
    restored_on: date | None = strawberry.field(
        default=None,
        description="恢复党员权利日期：null while still under 留党察看; not before `from`.",
    )


@strawberry.type(description="党员名册错误：Code, input field and reason.")
class MemberError:
    code: MemberErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：What was wrong (see the enum's values)."
    )
    field: str | None = strawberry.field(
        description="输入中的路径：`from`, `restoredOn` or `reason`; null when it concerns no "
        "one field."
    )
    message: str = strawberry.field(description=ERROR_MESSAGE)


@strawberry.type(description="留党察看记录的结果：The member as it now reads, or the errors.")
class SetMemberPartyProbationPayload:
    member: Member | None = strawberry.field(description="党员：null when refused.")
    errors: list[MemberError] = strawberry.field(description="错误：Empty on success.")
