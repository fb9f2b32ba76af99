from __future__ import annotations

from enum import Enum

import strawberry

from ..recruits.types import Recruit
from .codes import SyncErrorCodeEnum


@strawberry.enum(description="一条记录的同步结果：What the sync did with one record.")
class SyncOutcome(Enum):
    CREATED = strawberry.enum_value("created", description="新建")
    UPDATED = strawberry.enum_value("updated", description="已更新（信息或新步骤）")
    UNCHANGED = strawberry.enum_value("unchanged", description="无变化，未写入")
    REFUSED = strawberry.enum_value("refused", description="被拒，见 errors")


@strawberry.type(description="同步错误：Why a record, or the request, was refused.")
class SyncError:
    code: SyncErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：What was wrong (see the enum's values)."
    )
    field: str | None = strawberry.field(
        description="输入中的路径，如 records.3.steps.1.on：null when it concerns no one field."
    )
    message: str = strawberry.field(
        description="说明：Why, in Chinese, for display; tell errors apart by `code`."
    )


@strawberry.type(description="一条记录的同步结果：Its outcome, the recruit, and its errors.")
class SyncRecordResult:
    index: int = strawberry.field(description="该记录在 records 中的位置（从 0 起）")
    outcome: SyncOutcome = strawberry.field(
        description="同步结果：What the sync did with the record."
    )
    recruit: Recruit | None = strawberry.field(
        description="发展对象：null when refused, or when nothing was written (ALL_OR_NONE with a refused "
        "record), or when the recruit is no longer within the caller's reach (a replay)."
    )
    errors: list[SyncError] = strawberry.field(
        description="错误：Why the record was refused; empty unless REFUSED."
    )


@strawberry.type(description="同步的答复：One result per record, or the request's errors.")
class SyncRecruitsPayload:
    results: list[SyncRecordResult] = strawberry.field(
        description="各记录的结果：One per record, in order; empty when the request itself was "
        "refused."
    )
    replayed: bool | None = strawberry.field(
        description="是否重放：True: the stored answer of an earlier request with the same key and body "
        "(nothing was written now). Null only when another part of the request failed."
    )
    errors: list[SyncError] = strawberry.field(
        description="请求的错误：Errors of the request as a whole (RECORDS_REFUSED when "
        "ALL_OR_NONE refused a record); each record's are in its result."
    )
