from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import relay

from partyplan.resolvers.sync.rules.request import KEY_MAX_LENGTH, MAX_RECORDS

from ..recruits.inputs import CreateRecruitInput, ImportStepInput


@strawberry.enum(description="同步方式：What a refused record does to the others.")
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
        description="12371 系统的人员标识：有则按它在本校查找，否则按身份证号查找。The record is found by it, else by the ID number.",
    )
    steps: list[ImportStepInput] = strawberry.field(
        default_factory=list,
        description="步骤：The steps after the application, in date order; those not yet "
        "recorded are recorded.",
    )


@strawberry.input(
    description="同步一批发展对象记录：One school's batch, under its idempotency key."
)
class SyncRecruitsInput:
    school_id: relay.GlobalID = strawberry.field(description="学校：The school's unit id.")
    idempotency_key: str = strawberry.field(
        description=f"本批次的幂等键（1–{KEY_MAX_LENGTH} 个可打印字符）：同键同内容重发，返回首次的答复。The same key and body answer as the first time."
    )
    mode: SyncMode = strawberry.field(
        default=SyncMode.ALL_OR_NONE, description="同步方式：ALL_OR_NONE by default."
    )
    records: list[SyncRecordInput] = strawberry.field(
        description=f"记录：至多 {MAX_RECORDS} 条；errors name one by its position, from 0 "
        "(`records.3.idNumber`)."
    )
