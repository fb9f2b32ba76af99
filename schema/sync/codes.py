"""The 12371 sync's own error codes, each described for front ends (see ``recruits/codes.py``);
a sync also answers with every code of the recruits domain."""

from __future__ import annotations

from collections.abc import Mapping

from partyplan.resolvers.sync.errors import CODES, SyncErrorCode
from partyplan.resolvers.sync.rules.request import KEY_MAX_LENGTH, MAX_RECORDS

from ..recruits.codes import RECRUIT_CODES
from ..wording import coded_enum

SYNC_CODES: Mapping[str, str] = {
    SyncErrorCode.INVALID_KEY: f"幂等键无效：An idempotency key is 1 to {KEY_MAX_LENGTH} "
    "printable characters.",
    SyncErrorCode.IDEMPOTENCY_CONFLICT: "幂等键冲突：The key was used before with another body.",
    SyncErrorCode.TOO_MANY_RECORDS: f"记录过多：More than {MAX_RECORDS} records in one request.",
    SyncErrorCode.NOT_A_SCHOOL: "不是学校：A sync is for one school; the unit named is none.",
    SyncErrorCode.SYNC_FIRST: "须先同步：Send syncRecruits first in its request, before "
    "anything is written (best: alone).",
    SyncErrorCode.UNKNOWN_BRANCH: "党支部不存在：The record's branch is no branch of the school.",
    SyncErrorCode.FORBIDDEN: "无权限：The caller's roles do not allow what the record would do "
    "at its branch.",
    SyncErrorCode.INVALID_DATA: "步骤数据无效：A step's data is not a JSON object, nests "
    "too deep, or holds text that cannot be stored.",
    SyncErrorCode.CODE_MISMATCH: "12371 标识不符：The recruit with this ID number has another "
    "12371 identifier.",
    SyncErrorCode.ID_NUMBER_MISMATCH: "身份证号不符：The recruit with this 12371 identifier has "
    "another ID number.",
    SyncErrorCode.BRANCH_MISMATCH: "党支部不符：The recruit belongs to another branch: a "
    "transfer (transferRecruit), not a sync.",
    SyncErrorCode.IDENTITY_MISMATCH: "身份信息不符：The recorded gender or birth date differs.",
    SyncErrorCode.STEP_CONFLICT: "步骤冲突：A step (or the application) is recorded with "
    "another date or other data: a correction (correctStep), not a sync.",
    SyncErrorCode.RECORDS_REFUSED: "有记录被拒：ALL_OR_NONE, a record was refused, so nothing "
    "was written.",
}

SyncErrorCodeEnum = coded_enum(
    "SyncErrorCode",
    "同步错误：同步自身的，及与 importRecruits 相同的发展对象记录错误。",
    CODES,
    SYNC_CODES,
    RECRUIT_CODES,
)
