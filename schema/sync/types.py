from __future__ import annotations

from enum import Enum

import strawberry

from partyplan.resolvers.sync.errors import CODES

from ..recruits.types import Recruit

SyncErrorCodeEnum = strawberry.enum(
    Enum("SyncErrorCode", {code: code for code in CODES}),  # type: ignore[misc]
    description="同步错误：同步自身的，及与 importRecruits 相同的发展对象记录错误",
)


@strawberry.enum(description="一条记录的同步结果")
class SyncOutcome(Enum):
    CREATED = strawberry.enum_value("created", description="新建")
    UPDATED = strawberry.enum_value("updated", description="已更新（信息或新步骤）")
    UNCHANGED = strawberry.enum_value("unchanged", description="无变化，未写入")
    REFUSED = strawberry.enum_value("refused", description="被拒，见 errors")


@strawberry.type
class SyncError:
    code: SyncErrorCodeEnum  # type: ignore[valid-type]
    field: str | None = strawberry.field(description="输入中的路径，如 records.3.steps.1.on")
    message: str


@strawberry.type
class SyncRecordResult:
    index: int = strawberry.field(description="该记录在 records 中的位置（从 0 起）")
    outcome: SyncOutcome
    recruit: Recruit | None = strawberry.field(
        description="Null when refused, or when nothing was written (ALL_OR_NONE with a refused "
        "record), or when the recruit is no longer within the caller's reach (a replay)."
    )
    errors: list[SyncError]


@strawberry.type
class SyncRecruitsPayload:
    results: list[SyncRecordResult] = strawberry.field(
        description="One per record, in order; empty when the request itself was refused."
    )
    replayed: bool | None = strawberry.field(
        description="True: the stored answer of an earlier request with the same key and body "
        "(nothing was written now). Null only when another part of the request failed."
    )
    errors: list[SyncError]
