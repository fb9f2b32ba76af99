"""Error-code enums whose every value says what it means, Chinese first, for front ends that
read the schema: :func:`coded_enum` builds one from a domain's codes and the tables below
(each domain of the 12371 exchange adds its own table in its folder).

The values are the codes' own strings, so a resolver's ``StrEnum`` member serializes as the
value of the same name; a code without a description is refused when the module is imported,
so a new code cannot reach the schema undescribed."""

from __future__ import annotations

from collections.abc import Mapping

from partyplan.resolvers.recruits.errors import RecruitErrorCode

from ..wording import coded_enum

RECRUIT_CODES: Mapping[str, str] = {
    # identity
    RecruitErrorCode.INVALID_ID_NUMBER: "公民身份号码无效：The ID number is not 18 characters "
    "with a valid GB 11643 check digit.",
    RecruitErrorCode.ID_BIRTH_DATE_MISMATCH: "出生日期与身份证号不符：The birth date differs "
    "from the one the ID number encodes.",
    RecruitErrorCode.ID_GENDER_MISMATCH: "性别与身份证号不符：The gender differs from the one "
    "the ID number encodes.",
    RecruitErrorCode.INVALID_BIRTH_DATE: "出生日期无效：The birth date is not between the earliest "
    "accepted and today.",
    RecruitErrorCode.INVALID_GENDER: "性别无效：The gender is not one of the values accepted.",
    RecruitErrorCode.INVALID_ETHNICITY: "民族无效：Not one of the 56 ethnic groups' standard "
    "names.",
    RecruitErrorCode.INVALID_NAME: "姓名无效：The name is empty, too long or holds characters "
    "a name cannot have.",
    RecruitErrorCode.INVALID_PHONE: "手机号码无效：Not a mainland mobile number (11 digits "
    "starting 13–19).",
    RecruitErrorCode.UNDERAGE: "未满十八周岁：The applicant is under 18 on the application date "
    "(named on applicationDate).",
    # records and steps
    RecruitErrorCode.DUPLICATE_ID_NUMBER: "身份证号重复：Another record (or row) has this ID "
    "number.",
    RecruitErrorCode.NOT_A_BRANCH: "不是党支部：The unit named is not a Party branch.",
    RecruitErrorCode.INACTIVE_UNIT: "单位已停用：The branch is inactive.",
    RecruitErrorCode.FUTURE_DATE: "日期在未来：A date after today.",
    RecruitErrorCode.RULE_VIOLATION: "不符合发展党员程序：A precondition of the step is not met; "
    "the message cites the rule and its article.",
    RecruitErrorCode.INVALID_TEXT: "文本无效：Empty, too long, or holding control characters.",
    RecruitErrorCode.STEP_SUPERSEDED: "该步骤已被更正：Correct the correction (its newest "
    "record), not the superseded one.",
    RecruitErrorCode.SAME_BRANCH: "已在该支部：The recruit already belongs to the branch named.",
    RecruitErrorCode.TOO_MANY_ROWS: "行数过多：More rows (or records) than one request may carry.",
    RecruitErrorCode.UNKNOWN_MEMBER: "党员不在名册中：A member code the school's roster of "
    "Party members does not have.",
    RecruitErrorCode.MEMBER_NOT_FULL: "不是正式党员：An introducer or contact person must be a "
    "full member on the step's date.",
    RecruitErrorCode.DUPLICATE_CODE_12371: "12371 编号重复：Another recruit holds this 12371 "
    "identifier.",
    RecruitErrorCode.DUPLICATE_DATUM: "数据项重复：A step's datum sent in both spellings "
    "(camelCase and snake_case).",
    RecruitErrorCode.INTRODUCER_ON_PARTY_PROBATION: "介绍人受留党察看处分：An introducer "
    "under 留党察看 whose rights are not restored on the step's date (细则第十四条).",
    # procedure data edited by the commission
    RecruitErrorCode.INVALID_CALENDAR: "工作日历无效：A year out of range, or a day outside the "
    "year set.",
    RecruitErrorCode.INVALID_OVERLAY: "规则补充无效：The overlay document does not follow its "
    "format, or binds another province than the commission's; the field names the part at fault.",
    RecruitErrorCode.NOT_A_COMMISSION: "不是工委：The unit named is not a commission.",
    RecruitErrorCode.INVALID_REGION_CODE: "地区代码无效：Not the GB/T 2260 code of a province, "
    "autonomous region or municipality of the mainland (two digits, `14` 山西省).",
    # high-level-talent filings
    RecruitErrorCode.FILING_EXISTS: "已有备案：The recruit already has a filing pending or "
    "acknowledged.",
    RecruitErrorCode.FILING_NOT_PENDING: "备案已处理：The filing was already acknowledged or "
    "returned.",
    RecruitErrorCode.REASON_REQUIRED: "须说明理由：The reason is missing (returning a filing "
    "needs one).",
}

RecruitErrorCodeEnum = coded_enum(
    "RecruitErrorCode",
    "发展对象记录与程序错误：The codes of a recruit's record, its steps, the procedure data "
    "and talent filings.",
    RecruitErrorCode,
    RECRUIT_CODES,
)
