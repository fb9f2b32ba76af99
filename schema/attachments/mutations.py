"""``uploadAttachment``, ``supersedeAttachment``, ``setAttachmentQuota``."""

from __future__ import annotations

from typing import Annotated

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.attachments.service import expectations, quotas, uploads
from partyplan.resolvers.attachments.storage import store_for
from partyplan.resolvers.errors import DomainError

from ..mutations import decode_id, run_mutation
from ..permissions import described
from ..uploads import received
from .inputs import (
    SetAttachmentQuotaInput,
    SetDocumentExpectationInput,
    SupersedeAttachmentInput,
    UploadAttachmentInput,
)
from .types import (
    Attachment,
    AttachmentError,
    AttachmentErrorCodeEnum,
    AttachmentPayload,
    DocumentExpectation,
    DocumentExpectationPayload,
    SchoolStorage,
    SchoolStoragePayload,
)


def errors_of(errors: list[DomainError]) -> list[AttachmentError]:
    return [
        AttachmentError(code=AttachmentErrorCodeEnum(str(e.code)), field=e.field, message=e.message)
        for e in errors
    ]


def storage_of(storage: quotas.SchoolStorage) -> SchoolStorage:
    return SchoolStorage(
        school_id=strawberry.relay.GlobalID("Unit", str(storage.school_id)),
        school_name=storage.school_name,
        limit_bytes=storage.limit_bytes,
        used_bytes=storage.used_bytes,
    )


@strawberry.type
class AttachmentMutations:
    @strawberry.mutation(
        description=described(
            "上传附件：Attach a document to a recorded step (by the GraphQL multipart request "
            "convention). Its type is judged by its bytes (PDF, JPEG, PNG, OFD, DOCX), its size "
            "is limited, its SHA-256 kept and checked on every read; the school's storage quota "
            "must hold it. The recruit's findings are derived again: a missing document's "
            "finding clears.",
            Permission.RECRUIT_RECORD,
            where="at the recruit's branch",
        )
    )
    async def upload_attachment(
        self,
        info: strawberry.Info,
        input: Annotated[
            UploadAttachmentInput,
            strawberry.argument(
                description="上传的附件：The step, the kind of document and the file."
            ),
        ],
    ) -> AttachmentPayload:
        settings = info.context.settings
        step_id = decode_id(input.step_id, "RecruitStep", "stepId")

        async def run(session):  # type: ignore[no-untyped-def]
            return await uploads.attach(
                session,
                store_for(settings),
                step_id=step_id,
                document=input.document.value,
                file=received(input.file, max_bytes=settings.attachment_max_bytes, field="file"),
            )

        row, errors = await run_mutation(info, run)
        return AttachmentPayload(
            attachment=None if row is None else Attachment.from_row(row),
            replacement=None,
            errors=errors_of(errors),
        )

    @strawberry.mutation(
        description=described(
            "撤销或替换附件：Withdraw an attachment with a reason, optionally replacing it by a new "
            "file (same step and kind). Nothing is erased: the withdrawn attachment stays, with "
            "the reason, as evidence; the recruit's findings are derived again.",
            Permission.RECRUIT_RECORD,
            where="at the recruit's branch",
        )
    )
    async def supersede_attachment(
        self,
        info: strawberry.Info,
        input: Annotated[
            SupersedeAttachmentInput,
            strawberry.argument(
                description="撤销的附件与理由：The attachment, why, and any replacing file."
            ),
        ],
    ) -> AttachmentPayload:
        settings = info.context.settings
        attachment_id = decode_id(input.attachment_id, "Attachment", "attachmentId")

        async def run(session):  # type: ignore[no-untyped-def]
            return await uploads.supersede(
                session,
                store_for(settings),
                attachment_id=attachment_id,
                reason=input.reason,
                file=None
                if input.file is None
                else received(input.file, max_bytes=settings.attachment_max_bytes, field="file"),
            )

        result, errors = await run_mutation(info, run)
        old, new = result if result is not None else (None, None)
        return AttachmentPayload(
            attachment=None if old is None else Attachment.from_row(old),
            replacement=None if new is None else Attachment.from_row(new),
            errors=errors_of(errors),
        )

    @strawberry.mutation(
        description=described(
            "设置学校附件存储限额：Set a school's storage quota in bytes; uploads that would pass it "
            "are refused (OVER_QUOTA).",
            Permission.RULE_MANAGE,
            where="at the commission (over the school)",
        )
    )
    async def set_attachment_quota(
        self,
        info: strawberry.Info,
        input: Annotated[
            SetAttachmentQuotaInput,
            strawberry.argument(description="学校与限额：The school and its quota in bytes."),
        ],
    ) -> SchoolStoragePayload:
        school_id = decode_id(input.school_id, "Unit", "schoolId")

        async def run(session):  # type: ignore[no-untyped-def]
            return await quotas.set_quota(
                session, school_id=school_id, limit_bytes=input.limit_bytes
            )

        storage, errors = await run_mutation(info, run)
        return SchoolStoragePayload(
            storage=None if storage is None else storage_of(storage), errors=errors_of(errors)
        )

    @strawberry.mutation(
        description=described(
            "设置纪实材料要求：Set which documents a step is expected to carry, for the "
            "commission's province or one of its schools, from a date; it replaces the one held "
            "for the same step, school and date. Each record is judged by it from its next "
            "write (a step, a correction, an attachment).",
            Permission.RULE_MANAGE,
            where="at the commission",
        )
    )
    async def set_document_expectation(
        self,
        info: strawberry.Info,
        input: Annotated[
            SetDocumentExpectationInput,
            strawberry.argument(
                description="步骤、材料、范围与生效日期：The step, documents, scope and date."
            ),
        ],
    ) -> DocumentExpectationPayload:
        commission_id = decode_id(input.commission_id, "Unit", "commissionId")
        school_id = (
            None if input.school_id is None else decode_id(input.school_id, "Unit", "schoolId")
        )

        async def run(session):  # type: ignore[no-untyped-def]
            return await expectations.set_expectation(
                session,
                commission_id=commission_id,
                school_id=school_id,
                step_code=input.step.value,
                documents=[d.value for d in input.documents],
                effective_from=input.effective_from,
                source=input.source,
            )

        row, errors = await run_mutation(info, run)
        return DocumentExpectationPayload(
            expectation=None if row is None else DocumentExpectation.from_row(row),
            errors=errors_of(errors),
        )
