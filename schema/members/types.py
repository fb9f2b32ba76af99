from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from partyplan.resolvers.members.errors import MemberErrorCode
from partyplan.resolvers.members.service import status_on

from ..units.types import Unit, load_unit

MemberErrorCodeEnum = strawberry.enum(
    MemberErrorCode, name="MemberErrorCode", description="党员名册错误"
)


@strawberry.enum(description="党员身份（于所问日期）")
class MemberStatus(Enum):
    PROBATIONARY = strawberry.enum_value("probationary", description="预备党员")
    FULL = strawberry.enum_value("full", description="正式党员")
    LEFT = strawberry.enum_value("left", description="已转出或不再在册")


@strawberry.enum(description="名册来源")
class MemberSource(Enum):
    MANUAL = strawberry.enum_value("manual", description="学校组织部录入")
    SYNC_12371 = strawberry.enum_value("12371", description="全国党员管理信息系统同步")


@strawberry.type(description="党员名册中的一名党员：可任入党介绍人、培养联系人（须为正式党员）。")
class Member(relay.Node):
    id: relay.NodeID[int]
    code: str = strawberry.field(description="12371 党员编码（校内唯一）；步骤数据以此指称党员")
    name: str
    branch_id: strawberry.Private[int]
    status: MemberStatus = strawberry.field(
        description="Standing on the date asked (default today)."
    )
    joined_on: date = strawberry.field(description="入党（预备党员）日期")
    full_on: date | None = strawberry.field(description="转为正式党员日期")
    left_on: date | None = strawberry.field(description="转出或出党日期")
    source: MemberSource

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
        )

    @strawberry.field(description="所在党支部（或党委、党总支）")
    async def branch(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.branch_id)


@strawberry.input(description="名册中的一行：按编码新增或整行替换。")
class MemberInput:
    code: str
    name: str
    branch_id: relay.GlobalID
    joined_on: date
    full_on: date | None = None
    left_on: date | None = None


@strawberry.input
class ImportMembersInput:
    school_id: relay.GlobalID
    members: list[MemberInput]
    source: MemberSource = MemberSource.MANUAL


@strawberry.type(
    description="名册导入中一行的错误：行号（从 0 起）、字段（自 input 起的路径，如 members.3.joinedOn）、原因。"
)
class MemberRowError:
    index: int
    code: MemberErrorCodeEnum  # type: ignore[valid-type]
    field: str | None
    message: str


@strawberry.type
class ImportMembersPayload:
    inserted: int = strawberry.field(description="New members; 0 when any row was refused.")
    updated: int = strawberry.field(description="Members whose record was replaced.")
    errors: list[MemberRowError]
