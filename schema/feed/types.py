"""The change feed's types: a change names its object by the global id ``node(id:)`` reads."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay

from partyplan.resolvers.feed.service import Change as ChangeRow

from ..enums import by_value


@strawberry.enum(description="变更对象的种类：The type of object a change is about.")
class ChangeKind(Enum):
    RECRUIT = strawberry.enum_value("recruit", description="发展对象（Recruit）")
    STEP = strawberry.enum_value("step", description="已记录的程序步骤（RecruitStep）")
    MEMBER = strawberry.enum_value("member", description="名册中的党员（Member）")
    FILING = strawberry.enum_value("filing", description="高层次人才备案（TalentFiling）")


@strawberry.enum(description="变更的操作：What happened to the object.")
class ChangeOperation(Enum):
    CREATED = strawberry.enum_value("created", description="新建")
    UPDATED = strawberry.enum_value("updated", description="修改（含所在单位路径的改变）")
    DELETED = strawberry.enum_value("deleted", description="删除")


#: The type name of each kind's global id, as the schema's node ids are built.
NODE_TYPES = {
    "recruit": "Recruit",
    "step": "RecruitStep",
    "member": "Member",
    "filing": "TalentFiling",
}

_kind = by_value(ChangeKind)
_operation = by_value(ChangeOperation)


@strawberry.type(
    description="变更：One change of one object, committed in a transaction that has ended. Read "
    "the object's current state by `objectId` (`node(id:)`, `recruit(id:)`, …): the feed says "
    "what changed, not what it became."
)
class Change:
    kind: ChangeKind = strawberry.field(description="变更对象的种类：Which type of object changed.")
    object_id: relay.GlobalID = strawberry.field(
        description="变更对象：The changed object's global id (a step's: a RecruitStep id, as correctStep "
        "takes it)."
    )
    operation: ChangeOperation = strawberry.field(
        description="变更的操作：Created, updated or deleted."
    )
    at: datetime = strawberry.field(description="变更时间：When its transaction started.")

    @classmethod
    def from_change(cls, change: ChangeRow) -> Change:
        return cls(
            kind=_kind(change.kind),
            object_id=relay.GlobalID(NODE_TYPES[change.kind], str(change.object_id)),
            operation=_operation(change.operation),
            at=change.at,
        )
