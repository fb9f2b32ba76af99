"""The error codes of 12371 files and reconciliation, each described for front ends (see
``recruits/codes.py``); the roster's file import shares the file codes."""

from __future__ import annotations

from collections.abc import Mapping

from partyplan.resolvers.imports12371.errors import ImportErrorCode
from partyplan.resolvers.reconciliation.errors import ReconciliationErrorCode
from partyplan.resolvers.recruits.errors import RecruitErrorCode

from ..recruits.codes import RECRUIT_CODES
from ..uploads import UploadErrorCode
from ..wording import coded_enum

#: A problem of an uploaded 12371 file (of the file, a sheet, or a row's cells).
FILE_CODES: Mapping[str, str] = {
    ImportErrorCode.NOT_A_WORKBOOK: "不是 Excel 工作簿：The file is not an .xlsx workbook.",
    ImportErrorCode.FILE_TOO_LARGE: "文件过大：More bytes than the server accepts.",
    ImportErrorCode.TOO_MANY_ROWS: "行数过多：More rows than one request (or file) may carry.",
    ImportErrorCode.WRONG_LAYOUT: "格式不符：No sheet or header row of the expected layout "
    "(the 12371 export's).",
    ImportErrorCode.MASKED_ID_NUMBER: "身份证号已打码：A masked export; export again with ID "
    "numbers in clear.",
    ImportErrorCode.MISSING_VALUE: "缺少必填项：A required cell is empty.",
    ImportErrorCode.INVALID_ID_NUMBER: "公民身份号码无效：Not 18 characters with a valid "
    "GB 11643 check digit.",
    ImportErrorCode.IDENTITY_MISMATCH: "与身份证号不符：The birth date or gender differs from "
    "the one the ID number encodes.",
    ImportErrorCode.INVALID_DATE: "日期无效：A cell that is no date, or an impossible one.",
    ImportErrorCode.UNKNOWN_ETHNICITY: "民族无效：Not one of the 56 ethnic groups' standard names.",
    ImportErrorCode.UNKNOWN_CHOICE: "取值不在选项中：The cell is not one of the values its "
    "column takes (the message lists them).",
    ImportErrorCode.INVALID_VALUE: "取值无效：A cell that cannot be read, or that contradicts "
    "another of its row.",
    ImportErrorCode.DATES_OUT_OF_ORDER: "日期先后不符：A row's dates are not in the procedure's "
    "order.",
    ImportErrorCode.DUPLICATE_ID_NUMBER: "身份证号重复：The ID number is in another row, or "
    "another record has it.",
    ImportErrorCode.STAGE_BEHIND_RECORDS: "阶段落后于记录：12371 holds the person at an earlier "
    "stage than the steps recorded here.",
}

#: A decision on a reconciliation report that cannot be applied.
RECONCILIATION_CODES: Mapping[str, str] = {
    ReconciliationErrorCode.FORBIDDEN: "无权限：The caller's roles do not allow what the "
    "decision (or operation) would do.",
    ReconciliationErrorCode.REPORT_APPLIED: "报告已处理：The report was applied and is frozen.",
    ReconciliationErrorCode.UNKNOWN_ENTRY: "无此条目：The report has no entry of this ordinal.",
    ReconciliationErrorCode.DUPLICATE_DECISION: "重复处理：Two decisions name the same entry.",
    ReconciliationErrorCode.DECISION_NOT_APPLICABLE: "处理方式不适用：The resolution does not "
    "fit the entry's kind (CREATE_HERE on a matched person…).",
    ReconciliationErrorCode.NOT_A_CONFLICT: "该字段无冲突：TAKE_THEIRS names a field not among "
    "the entry's conflicts.",
    ReconciliationErrorCode.FIELD_NOT_APPLICABLE: "该字段不能直接采用：The field is a step's "
    "datum: correct the step itself (correctStep).",
    ReconciliationErrorCode.UNKNOWN_BRANCH: "党支部名称不匹配：The name given matches no branch "
    "of the school, or several.",
    ReconciliationErrorCode.INCOMPLETE_ENTRY: "条目信息不全：The 12371 row lacks what a record "
    "here requires.",
}

#: The upload itself (the multipart part).
UPLOAD_CODES: Mapping[str, str] = {
    UploadErrorCode.INVALID_FILE: "未收到文件：No file part (by the GraphQL multipart request "
    "convention), or an empty one.",
    UploadErrorCode.FILE_TOO_LARGE: "文件过大：More bytes than the server accepts.",
}

FileErrorCodeEnum = coded_enum(
    "FileErrorCode",
    "导入 12371 文件及核对的错误（含所复用的发展对象操作的错误）：Why a 12371 file or a "
    "decision on a report was refused.",
    [*ImportErrorCode, *ReconciliationErrorCode, *RecruitErrorCode, *UploadErrorCode],
    FILE_CODES,
    RECONCILIATION_CODES,
    RECRUIT_CODES,
    UPLOAD_CODES,
)
