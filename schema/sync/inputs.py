from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import relay

from ..recruits.inputs import CreateRecruitInput, ImportStepInput


@strawberry.enum(description="同步方式")
class SyncMode(Enum):
    ALL_OR_NONE = strawberry.enum_value(
        "all_or_none", description="全部或全不：任一记录被拒，则一条也不写入（默认）"
    )
    PER_RECORD = strawberry.enum_value(
        "per_record", description="逐条：被拒的记录单独回滚，其余照常写入"
    )


@strawberry.input(
    description="同步的一条记录：人员信息（同 importRecruits 的一行）、12371 标识及其步骤。"
)
class SyncRecordInput(CreateRecruitInput):
    code_12371: str | None = strawberry.field(
        default=None,
        description="12371 系统的人员标识：有则按它在本校查找，否则按身份证号查找",
    )
    steps: list[ImportStepInput] = strawberry.field(default_factory=list)


@strawberry.input
class SyncRecruitsInput:
    school_id: relay.GlobalID
    idempotency_key: str = strawberry.field(
        description="本批次的幂等键（1–200 个可打印字符）：同键同内容重发，返回首次的答复"
    )
    mode: SyncMode = SyncMode.ALL_OR_NONE
    records: list[SyncRecordInput] = strawberry.field(description="至多 500 条")
