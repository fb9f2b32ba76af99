"""The reconciliation report as the API shows it: counts, and its entries page by page."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from partyplan.resolvers.reconciliation.service import reads
from partyplan.resolvers.warnings.rules.requirements import ITEMS

from ..connections import Connection, connection
from ..pagination import PAGING, keyset
from ..recruits.types import RecruitStage
from ..wording import After, Before, First, Last
from .codes import FileErrorCodeEnum


@strawberry.type(
    description="文件或处理的问题：A problem of an uploaded file, or of a decision on a report."
)
class FileError:
    code: FileErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：What was wrong (see the enum's values)."
    )
    field: str | None = strawberry.field(description="输入中的路径：file、decisions.3.fields.0")
    message: str = strawberry.field(description="说明：Why, with the cell (C5), for display.")
    sheet: str | None = strawberry.field(
        description="工作表名称：null for a problem of the whole file, or of a decision."
    )
    row: int | None = strawberry.field(
        description="行号（同电子表格，从 1 起）：null for a problem of a whole sheet."
    )
    column: str | None = strawberry.field(
        description="列标题（中文）：null for a problem of a whole row."
    )


@strawberry.enum(description="核对结果的类别：How a person compares between 12371 and here.")
class ReconciliationEntryKind(Enum):
    MATCHED = strawberry.enum_value("matched", description="一致")
    CONFLICTING = strawberry.enum_value("conflicting", description="有字段不一致")
    ONLY_IN_12371 = strawberry.enum_value("only_12371", description="仅 12371 有")
    ONLY_HERE = strawberry.enum_value("only_here", description="仅本平台有")


@strawberry.enum(description="核对报告的状态：Whether decisions were applied.")
class ReconciliationStatus(Enum):
    OPEN = strawberry.enum_value("open", description="待处理")
    APPLIED = strawberry.enum_value("applied", description="已处理（报告冻结，作为凭证）")


@strawberry.enum(description="对一条核对结果的处理：What applyReconciliation does with an entry.")
class ReconciliationResolution(Enum):
    TAKE_THEIRS = strawberry.enum_value("take_theirs", description="以 12371 为准")
    KEEP_OURS = strawberry.enum_value("keep_ours", description="以本平台为准（不写入）")
    CREATE_HERE = strawberry.enum_value("create_here", description="在本平台新建")


@strawberry.type(
    description="不一致的字段：One field whose value differs between the platform and 12371."
)
class ReconciliationConflict:
    field: str = strawberry.field(
        description="字段：The item of the 12371 field list (`name`, `phone`, `activist_date`…), or "
        "`stage` when 12371 holds the person at a later stage."
    )
    label: str = strawberry.field(description="列标题：The column's Chinese header.")
    here: str = strawberry.field(description="本平台的值：As the export writes it; phones masked.")
    theirs: str = strawberry.field(
        description="12371 的值：As the 12371 file has it; phones masked."
    )


@strawberry.type(description="核对条目：One person of a reconciliation.")
class ReconciliationEntry:
    ordinal: int = strawberry.field(description="序号：The entry's number in its report (from 1).")
    kind: ReconciliationEntryKind = strawberry.field(
        description="核对结果的类别：How the person compares."
    )
    recruit_id: relay.GlobalID | None = strawberry.field(
        description="发展对象：The recruit here; null when only in 12371 (until created here)."
    )
    sheet: str | None = strawberry.field(
        description="工作表：The 12371 sheet; null when only here."
    )
    row: int | None = strawberry.field(description="行号：The sheet's row; null when only here.")
    stage: RecruitStage = strawberry.field(
        description="发展阶段：The stage in 12371 (the stage here when only here)."
    )
    name: str = strawberry.field(description="姓名：The person's name.")
    id_number_masked: str = strawberry.field(description="公民身份号码（打码）：Always masked.")
    conflicts: list[ReconciliationConflict] = strawberry.field(
        description="不一致的字段：Empty unless CONFLICTING."
    )
    decision: ReconciliationResolution | None = strawberry.field(
        description="处理方式：The resolution applied; null while the report is open, or when none was "
        "chosen for this entry."
    )
    decided_fields: list[str] | None = strawberry.field(
        description="采用的字段：With TAKE_THEIRS, the fields taken from 12371; null otherwise."
    )
    outcome: JSON | None = strawberry.field(
        description="处理结果：What applying the decision did (e.g. the recruit created, the fields "
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


@strawberry.type(
    description="12371 核对报告：The comparison of a 12371 file with a school's records."
)
class ReconciliationReport(relay.Node):
    id: relay.NodeID[int]
    school_id: relay.GlobalID = strawberry.field(description="学校：The school's unit id.")
    file_name: str = strawberry.field(description="文件名：As uploaded; for display only.")
    file_sha256: str = strawberry.field(description="文件摘要：The uploaded file's SHA-256, hex.")
    file_bytes: int = strawberry.field(description="文件大小：In bytes.")
    stages: list[RecruitStage] = strawberry.field(
        description="所含阶段：The stages the file has sheets for: only they are looked for "
        "`onlyHere`."
    )
    rows_read: int = strawberry.field(
        description="读取行数：The data rows read from the file, all sheets."
    )
    matched: int = strawberry.field(description="一致：Entries of kind MATCHED.")
    conflicting: int = strawberry.field(description="有字段不一致：Entries of kind CONFLICTING.")
    only_in_12371: int = strawberry.field(description="仅 12371 有：Entries of kind ONLY_IN_12371.")
    only_here: int = strawberry.field(description="仅本平台有：Entries of kind ONLY_HERE.")
    status: ReconciliationStatus = strawberry.field(
        description="核对报告的状态：Open, or applied and frozen."
    )
    created_at: datetime = strawberry.field(description="生成时间：When the file was imported.")
    applied_at: datetime | None = strawberry.field(
        description="处理时间：When the decisions were applied; null while open."
    )
    evidence_sha256: str | None = strawberry.field(
        description="凭证摘要：Once applied: the SHA-256 (hex) of the frozen report and its entries, "
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

    @strawberry.field(
        description="核对条目：The entries in ordinal order, filtered by kind." + PAGING
    )
    async def entries(
        self,
        info: strawberry.Info,
        kinds: Annotated[
            list[ReconciliationEntryKind] | None,
            strawberry.argument(
                description="类别：Only entries of these kinds; all when left out."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
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
