"""The attachment mutations' inputs."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from ..recruits.types import ProcedureStep
from .codes import DocumentKind


@strawberry.input(description="上传附件：A document for a recorded step.")
class UploadAttachmentInput:
    step_id: relay.GlobalID = strawberry.field(
        description="步骤记录：The recorded step (`RecruitStep` id) the document belongs to."
    )
    document: DocumentKind = strawberry.field(  # type: ignore[valid-type]
        description="材料类别：What the document is."
    )
    file: Upload = strawberry.field(
        description="文件：A PDF, JPEG, PNG, OFD or DOCX file, sent as a multipart part (the "
        "GraphQL multipart request convention). Its type is judged by its bytes; its name is "
        "kept for display only."
    )


@strawberry.input(
    description="撤销或替换附件：Withdraw an attachment with a reason, optionally replacing it. "
    "Nothing is erased: the withdrawn attachment stays as evidence."
)
class SupersedeAttachmentInput:
    attachment_id: relay.GlobalID = strawberry.field(description="附件：The attachment's id.")
    reason: str = strawberry.field(description="理由：Why (required, at most 500 characters).")
    file: Upload | None = strawberry.field(
        default=None,
        description="替换文件：A file replacing it (same step, same kind); none: withdrawn only.",
    )


@strawberry.input(description="设置学校附件存储限额：A school's storage quota, in bytes.")
class SetAttachmentQuotaInput:
    school_id: relay.GlobalID = strawberry.field(description="学校：The school's unit id.")
    limit_bytes: float = strawberry.field(
        description="存储限额：In bytes, a whole number from 0 (Float, as GraphQL's Int has 32 "
        "bits)."
    )


@strawberry.input(
    description="设置纪实材料要求：Which documents a step is expected to carry, for the "
    "commission's whole province or one school, from a date (an empty list waives the step's)."
)
class SetDocumentExpectationInput:
    commission_id: relay.GlobalID = strawberry.field(description="工委：The commission's unit id.")
    school_id: relay.GlobalID | None = strawberry.field(
        default=None, description="学校：One school of the commission; null: all of them."
    )
    step: ProcedureStep = strawberry.field(  # type: ignore[valid-type]
        description="步骤：The step."
    )
    documents: list[DocumentKind] = strawberry.field(  # type: ignore[valid-type]
        description="应有材料：The documents expected; empty: none."
    )
    effective_from: date = strawberry.field(
        description="生效日期：Steps dated on or after it are judged by it."
    )
    source: str = strawberry.field(
        description="依据文件：The document it comes from (required, at most 200 characters)."
    )
