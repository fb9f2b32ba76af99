"""The roster's error codes, each described for front ends (see ``recruits/codes.py``)."""

from __future__ import annotations

from collections.abc import Mapping

from partyplan.resolvers.members.errors import MemberErrorCode

from ..wording import coded_enum

MEMBER_CODES: Mapping[str, str] = {
    MemberErrorCode.INVALID_CODE: "党员编码无效：Empty, too long, or holding spaces.",
    MemberErrorCode.INVALID_NAME: "姓名无效：The name is empty, too long or holds characters a "
    "name cannot have.",
    MemberErrorCode.INVALID_DATES: "日期先后不符：Becoming a full member or leaving comes "
    "before joining; a 留党察看 begins before joining, or is restored before it began (or "
    "without a beginning).",
    MemberErrorCode.FUTURE_DATE: "日期在未来：A date after today.",
    MemberErrorCode.NOT_IN_SCHOOL: "不是本校单位：No branch or committee of the school has this "
    "id.",
    MemberErrorCode.NOT_A_SCHOOL: "不是学校：A roster belongs to a school; the unit named is none.",
    MemberErrorCode.DUPLICATE_CODE: "党员编码重复：Two rows of the request (or file) carry the "
    "same member code.",
    MemberErrorCode.TOO_MANY_ROWS: "行数过多：More rows than one request (or file) may carry.",
    MemberErrorCode.UNKNOWN_BRANCH: "党支部名称不存在：No branch or committee of the school has "
    "the name the 12371 file gives.",
    MemberErrorCode.AMBIGUOUS_BRANCH: "党支部名称不唯一：Several branches or committees of the "
    "school have the name the 12371 file gives.",
    MemberErrorCode.REASON_REQUIRED: "须说明理由：Setting a member's 留党察看 needs the reason "
    "(the decision it follows).",
    MemberErrorCode.INVALID_TEXT: "文本无效：Too long, or holding control characters.",
}

MemberErrorCodeEnum = coded_enum(
    "MemberErrorCode",
    "党员名册错误：Why a roster row (or the whole import) was refused.",
    MemberErrorCode,
    MEMBER_CODES,
)
