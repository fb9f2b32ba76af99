"""The attachments' error codes and document kinds, each described for front ends."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

import strawberry

from partyplan.resolvers.attachments.errors import AttachmentErrorCode
from partyplan.resolvers.attachments.rules import DOCUMENTS

from ..enums import by_value
from ..wording import coded_enum

ATTACHMENT_CODES: Mapping[str, str] = {
    AttachmentErrorCode.INVALID_FILE: "未收到文件：No file part (by the GraphQL multipart request "
    "convention), or an empty one.",
    AttachmentErrorCode.FILE_TOO_LARGE: "文件过大：More bytes than the server accepts "
    "(`attachment_max_bytes`).",
    AttachmentErrorCode.UNSUPPORTED_TYPE: "文件类型不受支持：Not a PDF, JPEG, PNG, OFD or DOCX "
    "file, judged by its bytes (never by its name or declared type).",
    AttachmentErrorCode.OVER_QUOTA: "超出存储限额：The school's storage quota cannot hold the "
    "file.",
    AttachmentErrorCode.STEP_SUPERSEDED: "步骤已更正：The step was corrected since: attach to "
    "its correction.",
    AttachmentErrorCode.ALREADY_SUPERSEDED: "附件已撤销：The attachment was already withdrawn "
    "or replaced.",
    AttachmentErrorCode.REASON_REQUIRED: "理由为必填项：A reason is required.",
    AttachmentErrorCode.INVALID_TEXT: "文字无效：Too long, or holding characters that cannot be "
    "stored or would show other than they read.",
    AttachmentErrorCode.INVALID_QUOTA: "存储限额无效：Not a whole number of bytes within range.",
    AttachmentErrorCode.NOT_A_SCHOOL: "不是本工委的学校：The unit named is not a school of the "
    "commission.",
    AttachmentErrorCode.NOT_A_COMMISSION: "不是教育工委：Expected documents are set by a "
    "commission.",
    AttachmentErrorCode.SOURCE_REQUIRED: "依据文件为必填项：Name the document the expectation "
    "comes from.",
}

AttachmentErrorCodeEnum = coded_enum(
    "AttachmentErrorCode",
    "附件操作的错误：Why an attachment mutation was refused.",
    list(AttachmentErrorCode),
    ATTACHMENT_CODES,
)

DocumentKind = strawberry.enum(
    Enum(  # type: ignore[misc]
        "DocumentKind",
        {
            code.upper(): strawberry.enum_value(code, description=label)
            for code, label in DOCUMENTS.items()
        },
    ),
    description="纪实材料类别：The kind of document an attachment is (入党申请书, 谈话记录, …).",
)
document_kind = by_value(DocumentKind)
