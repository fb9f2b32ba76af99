"""``recruitAttachments``, ``recruitDocuments``, ``recruitArchive``, ``attachmentQuotas``."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.attachments.rules import archive_path
from partyplan.resolvers.attachments.service import archive, expectations, quotas, reads
from partyplan.resolvers.recruits.rules.documents import NATIONAL_DEFAULT, NATIONAL_FROM
from partyplan.resolvers.recruits.service import records

from ..mutations import decode_id
from ..permissions import described
from .codes import document_kind
from .mutations import storage_of
from .types import (
    Attachment,
    DocumentExpectation,
    DocumentExpectations,
    RecruitArchive,
    SchoolStorage,
    StepDocuments,
    StepExpectation,
    link,
)

_RECRUIT = strawberry.argument(description="发展对象：The recruit's id.")


@strawberry.type
class AttachmentQueries:
    @strawberry.field(
        description=described(
            "发展对象的附件：A recruit's attachments, oldest first; withdrawn ones too with "
            "`includeSuperseded`. Reading a file's bytes (`downloadUrl`) needs `pii.read`.",
            Permission.RECRUIT_READ,
            where="at the recruit's branch",
        )
    )
    async def recruit_attachments(
        self,
        info: strawberry.Info,
        recruit_id: Annotated[relay.GlobalID, _RECRUIT],
        include_superseded: Annotated[
            bool,
            strawberry.argument(description="含已撤销：Withdrawn and replaced ones too."),
        ] = False,
    ) -> list[Attachment]:
        session = await info.context.session()
        rows = await reads.of_recruit(
            session,
            decode_id(recruit_id, "Recruit", "recruitId"),
            current_only=not include_superseded,
        )
        return [Attachment.from_row(r) for r in rows]

    @strawberry.field(
        description=described(
            "发展对象的纪实材料：Each current recorded step of a recruit, in the procedure's order, "
            "with the documents it is expected to carry (the national default and the "
            "commission's overlays in force on its date), those missing and its attachments.",
            Permission.RECRUIT_READ,
            where="at the recruit's branch",
        )
    )
    async def recruit_documents(
        self, info: strawberry.Info, recruit_id: Annotated[relay.GlobalID, _RECRUIT]
    ) -> list[StepDocuments]:
        session = await info.context.session()
        recruit = await records.visible(session, decode_id(recruit_id, "Recruit", "recruitId"))
        steps = await reads.documents_of(session, recruit)
        return [
            StepDocuments(
                step_id=relay.GlobalID("RecruitStep", str(s.step_id)),
                step=Attachment.step_enum(s.step_code),
                on=s.on,
                expected=[document_kind(d) for d in s.expected],
                missing=[document_kind(d) for d in s.missing],
                attachments=[Attachment.from_row(a) for a in s.attachments],
            )
            for s in steps
        ]

    @strawberry.field(
        description=described(
            "新党员档案：A recruit's archive (档案) as a ZIP download: 目录.xlsx (step, date, "
            "document, file name, SHA-256), every current attachment in step order, and the "
            "record as JSON. Downloading it reads personal documents: `pii.read` too.",
            Permission.RECRUIT_READ,
            Permission.PII_READ,
            where="at the recruit's branch",
        )
    )
    async def recruit_archive(
        self, info: strawberry.Info, recruit_id: Annotated[relay.GlobalID, _RECRUIT]
    ) -> RecruitArchive:
        session = await info.context.session()
        recruit = await archive.visible(session, decode_id(recruit_id, "Recruit", "recruitId"))
        path = archive_path(recruit.id)
        return RecruitArchive(path=path, download_url=link(info, path))

    @strawberry.field(
        description=described(
            "学校附件存储：Every school of a commission with its storage quota and the bytes it "
            "uses.",
            Permission.UNIT_READ,
            Permission.PLAN_READ,
            where="at the commission",
        )
    )
    async def attachment_quotas(
        self,
        info: strawberry.Info,
        commission_id: Annotated[
            relay.GlobalID, strawberry.argument(description="工委：The commission's unit id.")
        ],
    ) -> list[SchoolStorage]:
        session = await info.context.session()
        found = await quotas.of_commission(
            session, decode_id(commission_id, "Unit", "commissionId")
        )
        return [storage_of(s) for s in found]

    @strawberry.field(
        description=described(
            "纪实材料要求：The documents each step is expected to carry: the national default "
            "(from `nationalFrom`) and the commission's overlays for its province and schools.",
            Permission.UNIT_READ,
            where="at the commission",
        )
    )
    async def document_expectations(
        self,
        info: strawberry.Info,
        commission_id: Annotated[
            relay.GlobalID, strawberry.argument(description="工委：The commission's unit id.")
        ],
    ) -> DocumentExpectations:
        session = await info.context.session()
        rows = await expectations.of_commission(
            session, decode_id(commission_id, "Unit", "commissionId")
        )
        return DocumentExpectations(
            national_from=NATIONAL_FROM,
            national=[
                StepExpectation(
                    step=Attachment.step_enum(code), documents=[document_kind(d) for d in docs]
                )
                for code, docs in NATIONAL_DEFAULT.items()
            ],
            overlays=[DocumentExpectation.from_row(r) for r in rows],
        )


async def resolve_attachment_node(
    info: strawberry.Info, attachment_id: int
) -> tuple[Attachment, str]:
    session = await info.context.session()
    row = await reads.visible(session, attachment_id)
    return Attachment.from_row(row), row.unit_path
