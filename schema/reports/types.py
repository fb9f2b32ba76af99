"""Execution report types: the report's state as plain fields; its content (frozen, or a live
preview for a draft) resolved on demand."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any
from urllib.parse import urlencode

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from partyplan.auth import links
from partyplan.resolvers.reports import service
from partyplan.resolvers.reports.errors import ReportErrorCode

ReportErrorCodeEnum = strawberry.enum(
    ReportErrorCode, name="ReportErrorCode", description="报告操作错误"
)


@strawberry.enum(description="报告状态")
class ReportStatus(Enum):
    DRAFT = strawberry.enum_value("draft", description="草稿")
    SUBMITTED = strawberry.enum_value("submitted", description="已报送：内容已固定")
    ACKNOWLEDGED = strawberry.enum_value("acknowledged", description="工委已确认")
    RETURNED = strawberry.enum_value("returned", description="已退回，可修改后重新报送")


@strawberry.type(description="发展党员指导性计划执行情况报告。")
class ExecutionReport(relay.Node):
    id: relay.NodeID[int]
    status: ReportStatus
    period_id: relay.GlobalID
    period_name: str
    unit_id: relay.GlobalID
    unit_name: str
    narrative: str = strawberry.field(description="报告正文")
    content_hash: str | None = strawberry.field(
        description="SHA-256 of the frozen snapshot (canonical JSON), once submitted."
    )
    submitted_at: datetime | None
    reviewed_at: datetime | None
    return_reason: str | None
    workbook_path: str = strawberry.field(
        description="GET it with the same bearer token: the workbook to file (.xlsx)."
    )
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: Any) -> ExecutionReport:
        return cls(
            id=row.id,
            status=ReportStatus(row.status),
            period_id=relay.GlobalID("PlanPeriod", str(row.period_id)),
            period_name=row.period_name,
            unit_id=relay.GlobalID("Unit", str(row.unit_id)),
            unit_name=row.unit_name,
            narrative=row.narrative,
            content_hash=row.content_hash,
            submitted_at=row.submitted_at,
            reviewed_at=row.reviewed_at,
            return_reason=row.return_reason,
            workbook_path=links.report_workbook(row.id),
            row=row,
        )

    @strawberry.field(
        description="The workbook (`workbookPath`) as a link that needs no header: a relative "
        "URL whose `token` opens this report's workbook only, for the caller only, for a few "
        "minutes (never longer than the caller's own token). A credential: do not share it."
    )
    def download_url(self, info: strawberry.Info) -> str:
        path = links.report_workbook(self.id)
        return f"{path}?{urlencode({'token': info.context.download_link(path)})}"

    @strawberry.field(
        description="The report's figures: frozen once submitted; a live preview before."
    )
    async def content(self, info: strawberry.Info) -> JSON:
        session = await info.context.session()
        return await service.content(session, self.row, info.context.settings.timezone)


@strawberry.type
class ReportError:
    code: ReportErrorCodeEnum  # type: ignore[valid-type]
    field: str | None
    message: str


@strawberry.type
class ExecutionReportPayload:
    report: ExecutionReport | None
    errors: list[ReportError]


@strawberry.input
class ReportInput:
    period_id: relay.GlobalID
    unit_id: relay.GlobalID = strawberry.field(description="The school.")
    narrative: str | None = strawberry.field(
        default=None, description="报告正文 (paragraphs kept); omitted: the draft's stays."
    )


@strawberry.input
class ReviewReportInput:
    report_id: relay.GlobalID


@strawberry.input
class ReturnReportInput:
    report_id: relay.GlobalID
    reason: str
