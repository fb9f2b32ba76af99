"""The reconciliation report as the API shows it: counts, and its entries page by page."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from partyplan.resolvers.imports12371.errors import ImportErrorCode
from partyplan.resolvers.reconciliation.errors import ReconciliationErrorCode
from partyplan.resolvers.reconciliation.service import reads
from partyplan.resolvers.recruits.errors import RecruitErrorCode
from partyplan.resolvers.warnings.rules.requirements import ITEMS

from ..connections import Connection, connection
from ..pagination import PAGING, keyset
from ..recruits.types import RecruitStage
from ..uploads import UploadErrorCode

FileErrorCodeEnum = strawberry.enum(
    Enum(
        "FileErrorCode",
        {
            str(c): str(c)
            for c in [
                *ImportErrorCode,
                *ReconciliationErrorCode,
                *RecruitErrorCode,
                *UploadErrorCode,
            ]
        },
    ),  # type: ignore[misc]
    description="导入 12371 文件及核对的错误（含所复用的发展对象操作的错误）",
)


@strawberry.type(description="A problem of an uploaded file, or of a decision on a report.")
class FileError:
    code: FileErrorCodeEnum  # type: ignore[valid-type]
    field: str | None = strawberry.field(description="输入中的路径：file、decisions.3.fields.0")
    message: str
    sheet: str | None = strawberry.field(description="工作表名称")
    row: int | None = strawberry.field(description="行号（同电子表格，从 1 起）")
    column: str | None = strawberry.field(description="列标题（中文）")


@strawberry.enum(description="核对结果的类别")
class ReconciliationEntryKind(Enum):
    MATCHED = strawberry.enum_value("matched", description="一致")
    CONFLICTING = strawberry.enum_value("conflicting", description="有字段不一致")
    ONLY_IN_12371 = strawberry.enum_value("only_12371", description="仅 12371 有")
    ONLY_HERE = strawberry.enum_value("only_here", description="仅本平台有")


@strawberry.enum(description="核对报告的状态")
class ReconciliationStatus(Enum):
    OPEN = strawberry.enum_value("open", description="待处理")
    APPLIED = strawberry.enum_value("applied", description="已处理（报告冻结，作为凭证）")


@strawberry.enum(description="对一条核对结果的处理")
class ReconciliationResolution(Enum):
    TAKE_THEIRS = strawberry.enum_value("take_theirs", description="以 12371 为准")
    KEEP_OURS = strawberry.enum_value("keep_ours", description="以本平台为准（不写入）")
    CREATE_HERE = strawberry.enum_value("create_here", description="在本平台新建")


@strawberry.type(description="One field whose value differs between the platform and 12371.")
class ReconciliationConflict:
    field: str = strawberry.field(
        description="The item of the 12371 field list (`name`, `phone`, `activist_date`…), or "
        "`stage` when 12371 holds the person at a later stage."
    )
    label: str = strawberry.field(description="The column's Chinese header.")
    here: str = strawberry.field(description="As the export writes it; phones masked.")
    theirs: str = strawberry.field(description="As the 12371 file has it; phones masked.")


@strawberry.type(description="One person of a reconciliation.")
class ReconciliationEntry:
    ordinal: int = strawberry.field(description="The entry's number in its report (from 1).")
    kind: ReconciliationEntryKind
    recruit_id: relay.GlobalID | None = strawberry.field(
        description="The recruit here; null when only in 12371 (until created here)."
    )
    sheet: str | None = strawberry.field(description="The 12371 sheet; null when only here.")
    row: int | None = strawberry.field(description="The sheet's row; null when only here.")
    stage: RecruitStage = strawberry.field(
        description="The stage in 12371 (the stage here when only here)."
    )
    name: str
    id_number_masked: str
    conflicts: list[ReconciliationConflict]
    decision: ReconciliationResolution | None = strawberry.field(
        description="The resolution applied; null while the report is open, or when none was "
        "chosen for this entry."
    )
    decided_fields: list[str] | None = strawberry.field(
        description="With TAKE_THEIRS: the fields taken from 12371."
    )
    outcome: JSON | None = strawberry.field(
        description="What applying the decision did (e.g. the recruit created, the fields "
        "changed, the 12371 milestones still to be recorded here)."
    )

    @classmethod
    def from_row(cls, row: Any) -> ReconciliationEntry:
        return cls(
            ordinal=row.ordinal,
            kind=ReconciliationEntryKind(row.kind),
            recruit_id=None
            if row.recruit_id is None
            else relay.GlobalID("Recruit", str(row.recruit_id)),
            sheet=row.sheet,
            row=row.row_number,
            stage=RecruitStage(row.stage),
            name=row.name,
            id_number_masked=row.id_number_masked,
            conflicts=[
                ReconciliationConflict(
                    field=c["item"],
                    label=ITEMS.get(c["item"], "阶段"),
                    here=c["here"],
                    theirs=c["theirs"],
                )
                for c in row.conflicts
            ],
            decision=None if row.decision is None else ReconciliationResolution(row.decision),
            decided_fields=row.decided_fields,
            outcome=row.outcome,
        )


@strawberry.type(description="The comparison of a 12371 file with a school's records.")
class ReconciliationReport(relay.Node):
    id: relay.NodeID[int]
    school_id: relay.GlobalID
    file_name: str = strawberry.field(description="As uploaded; for display only.")
    file_sha256: str = strawberry.field(description="The uploaded file's SHA-256, hex.")
    file_bytes: int
    stages: list[RecruitStage] = strawberry.field(
        description="The stages the file has sheets for: only they are looked for `onlyHere`."
    )
    rows_read: int
    matched: int
    conflicting: int
    only_in_12371: int
    only_here: int
    status: ReconciliationStatus
    created_at: datetime
    applied_at: datetime | None
    evidence_sha256: str | None = strawberry.field(
        description="Once applied: the SHA-256 (hex) of the frozen report and its entries, "
        "also written to the audit log."
    )

    @classmethod
    def from_row(cls, row: Any) -> ReconciliationReport:
        return cls(
            id=row.id,
            school_id=relay.GlobalID("Unit", str(row.school_id)),
            file_name=row.file_name,
            file_sha256=bytes(row.file_sha256).hex(),
            file_bytes=row.file_bytes,
            stages=[RecruitStage(s) for s in row.stages],
            rows_read=row.rows_read,
            matched=row.matched,
            conflicting=row.conflicting,
            only_in_12371=row.only_12371,
            only_here=row.only_here,
            status=ReconciliationStatus(row.status),
            created_at=row.created_at,
            applied_at=row.applied_at,
            evidence_sha256=None
            if row.evidence_sha256 is None
            else bytes(row.evidence_sha256).hex(),
        )

    @strawberry.field(description="The entries in order, filtered by kind." + PAGING)
    async def entries(
        self,
        info: strawberry.Info,
        kinds: list[ReconciliationEntryKind] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ReconciliationEntry]:
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        session = await info.context.session()
        rows = await reads.entries(
            session,
            self.id,
            kinds=None if kinds is None else [k.value for k in kinds],
            keyset=page,
        )
        return await connection(info, rows, ReconciliationEntry.from_row, key="ordinal")
