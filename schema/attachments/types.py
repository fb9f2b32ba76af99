"""Attachments, a step's documents, schools' storage and archives, as the API shows them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import strawberry
from strawberry import relay

from partyplan.resolvers.attachments.rules import download_path

from ..recruits.types import ProcedureStep
from .codes import AttachmentErrorCodeEnum, DocumentKind, document_kind

_LINK = (
    "下载链接：A relative URL whose `token` opens this file for the caller only, for a few "
    "minutes (never longer than the caller's own token); reading the bytes needs `pii.read` "
    "and is audited. A credential: do not share it."
)


def link(info: strawberry.Info, path: str) -> str:
    return f"{path}?{urlencode({'token': info.context.download_link(path)})}"


@strawberry.type(
    description="附件：A document attached to a recorded step (全程纪实). Never erased: a "
    "withdrawn or replaced one stays, with the reason (`supersededAt`)."
)
class Attachment(relay.Node):
    id: relay.NodeID[int]
    recruit_id: relay.GlobalID = strawberry.field(description="发展对象：The recruit's id.")
    step_id: relay.GlobalID = strawberry.field(
        description="步骤记录：The recorded step it was attached to."
    )
    step: ProcedureStep = strawberry.field(  # type: ignore[valid-type]
        description="步骤：The step's code."
    )
    document: DocumentKind = strawberry.field(  # type: ignore[valid-type]
        description="材料类别：What the document is."
    )
    file_name: str = strawberry.field(
        description="文件名：The uploader's file name, cleaned, for display only."
    )
    content_type: str = strawberry.field(
        description="文件类型：As judged from the bytes (application/pdf, image/jpeg, …)."
    )
    size_bytes: int = strawberry.field(description="大小：In bytes.")
    sha256: str = strawberry.field(
        description="校验值（SHA-256）：Of the bytes as uploaded (hex); checked on every read."
    )
    uploaded_at: datetime = strawberry.field(description="上传时间：When it was uploaded.")
    superseded_at: datetime | None = strawberry.field(
        description="撤销时间：When it was withdrawn or replaced; null while current."
    )
    supersede_reason: str | None = strawberry.field(
        description="撤销理由：Why it was withdrawn or replaced; null while current."
    )
    replaced_by_id: relay.GlobalID | None = strawberry.field(
        description="替换附件：The attachment that replaced it, if any."
    )

    @strawberry.field(description=_LINK)
    def download_url(self, info: strawberry.Info) -> str:
        return link(info, download_path(self.id))  # type: ignore[arg-type]

    @staticmethod
    def step_enum(code: str) -> Any:
        return ProcedureStep(code)

    @classmethod
    def from_row(cls, row: Any) -> Attachment:
        return cls(
            id=row.id,
            recruit_id=relay.GlobalID("Recruit", str(row.recruit_id)),
            step_id=relay.GlobalID("RecruitStep", str(row.step_id)),
            step=ProcedureStep(row.step_code),
            document=document_kind(row.document),
            file_name=row.file_name,
            content_type=row.content_type,
            size_bytes=row.size_bytes,
            sha256=bytes(row.sha256).hex(),
            uploaded_at=row.created_at,
            superseded_at=row.superseded_at,
            supersede_reason=row.supersede_reason,
            replaced_by_id=None
            if row.replacement_id is None
            else relay.GlobalID("Attachment", str(row.replacement_id)),
        )


@strawberry.type(
    description="步骤的纪实材料：A current recorded step, the documents it is expected to carry "
    "(by the rules in force on its date) and those it carries."
)
class StepDocuments:
    step_id: relay.GlobalID = strawberry.field(description="步骤记录：The recorded step.")
    step: ProcedureStep = strawberry.field(  # type: ignore[valid-type]
        description="步骤：The step's code."
    )
    on: date = strawberry.field(description="日期：The step's date.")
    expected: list[DocumentKind] = strawberry.field(  # type: ignore[valid-type]
        description="应有材料：What the step is expected to carry; empty: nothing required."
    )
    missing: list[DocumentKind] = strawberry.field(  # type: ignore[valid-type]
        description="缺少材料：Expected and not attached (each is an open finding)."
    )
    attachments: list[Attachment] = strawberry.field(
        description="附件：The step's current attachments."
    )


@strawberry.type(description="学校附件存储：A school's storage quota and what it uses.")
class SchoolStorage:
    school_id: relay.GlobalID = strawberry.field(description="学校：The school's unit id.")
    school_name: str = strawberry.field(description="学校名称")
    limit_bytes: float | None = strawberry.field(
        description="存储限额：In bytes (a whole number; Float as GraphQL's Int has 32 bits); "
        "null: no limit set."
    )
    used_bytes: float = strawberry.field(
        description="已用：Bytes stored for the school, withdrawn attachments included (kept)."
    )


@strawberry.type(
    description="新党员档案：A recruit's archive (档案) as one ZIP: the manifest 目录.xlsx, every "
    "current attachment in step order and the record as JSON."
)
class RecruitArchive:
    path: str = strawberry.field(description="路径：The archive's route (`GET`).")
    download_url: str = strawberry.field(
        description="下载链接：The archive as a link that needs no header, for the caller only, "
        "for a few minutes. Its download is audited with the archive's SHA-256 (operation "
        "`downloadArchive` in the recruit's audit trail), so a copy can be verified later. A "
        "credential: do not share it."
    )


@strawberry.type(description="附件操作的错误：Why an attachment mutation was refused.")
class AttachmentError:
    code: AttachmentErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：What was wrong (see the enum's values)."
    )
    field: str | None = strawberry.field(
        description="输入中的路径：The input field at fault (`file`, `stepId`, `reason`); null "
        "when the error concerns no one field."
    )
    message: str = strawberry.field(
        description="说明：Why, in Chinese, for display; tell errors apart by `code`."
    )


@strawberry.type(description="附件操作的结果：The attachment, or the errors.")
class AttachmentPayload:
    attachment: Attachment | None = strawberry.field(
        description="附件：The attachment after the change; null when refused (see errors)."
    )
    replacement: Attachment | None = strawberry.field(
        description="替换附件：The new attachment when one replaced it; null otherwise."
    )
    errors: list[AttachmentError] = strawberry.field(
        description="错误：Empty on success; any error means nothing was written."
    )


@strawberry.type(description="设置存储限额的结果：The school's storage, or the errors.")
class SchoolStoragePayload:
    storage: SchoolStorage | None = strawberry.field(
        description="学校附件存储：null when refused (see errors)."
    )
    errors: list[AttachmentError] = strawberry.field(description="错误：Empty on success.")


@strawberry.type(description="步骤应有材料：What a step is expected to carry.")
class StepExpectation:
    step: ProcedureStep = strawberry.field(  # type: ignore[valid-type]
        description="步骤：The step's code."
    )
    documents: list[DocumentKind] = strawberry.field(  # type: ignore[valid-type]
        description="应有材料：The documents expected; empty: none."
    )


@strawberry.type(
    description="纪实材料要求（工委设置）：The commission's word on one step, for its province "
    "or one school, from a date; it replaces what was in force before for that step."
)
class DocumentExpectation:
    step: ProcedureStep = strawberry.field(  # type: ignore[valid-type]
        description="步骤：The step's code."
    )
    documents: list[DocumentKind] = strawberry.field(  # type: ignore[valid-type]
        description="应有材料：The documents expected from `effectiveFrom`; empty: waived."
    )
    school_id: relay.GlobalID | None = strawberry.field(
        description="学校：The school it binds; null: every school of the commission."
    )
    effective_from: date = strawberry.field(
        description="生效日期：Steps dated on or after it are judged by it."
    )
    source: str = strawberry.field(description="依据文件：The document it comes from.")

    @classmethod
    def from_row(cls, row: Any) -> DocumentExpectation:
        return cls(
            step=ProcedureStep(row.step_code),
            documents=[document_kind(d) for d in row.documents],
            school_id=None if row.school_id is None else relay.GlobalID("Unit", str(row.school_id)),
            effective_from=row.effective_from,
            source=row.source,
        )


@strawberry.type(
    description="纪实材料要求：The documents each step is expected to carry: the national "
    "default and the commission's overlays on it."
)
class DocumentExpectations:
    national_from: date = strawberry.field(
        description="全国默认要求生效日期：The national default applies to steps dated on or "
        "after it (earlier records were kept without attachments)."
    )
    national: list[StepExpectation] = strawberry.field(
        description="全国默认要求：What the 细则 leaves in writing at each step."
    )
    overlays: list[DocumentExpectation] = strawberry.field(
        description="工委的要求：The commission's overlays, by step, province-wide first, then "
        "by date."
    )


@strawberry.type(description="设置纪实材料要求的结果：The overlay, or the errors.")
class DocumentExpectationPayload:
    expectation: DocumentExpectation | None = strawberry.field(
        description="纪实材料要求：null when refused (see errors)."
    )
    errors: list[AttachmentError] = strawberry.field(description="错误：Empty on success.")
