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

from ..wording import ERROR_FIELD, ERROR_MESSAGE, PAYLOAD_ERRORS, coded_enum

REPORT_CODES = {
    ReportErrorCode.NOT_A_SCHOOL: "不是学校：A report is a school's; the unit named is not a "
    "school.",
    ReportErrorCode.NOT_A_COMMISSION: "不是工委：The unit named is not a commission.",
    ReportErrorCode.PERIOD_NOT_ISSUED: "计划期未下达：The period is still a draft; a report can "
    "be submitted once its plan is issued.",
    ReportErrorCode.ALREADY_SUBMITTED: "报告已报送：The report is submitted or acknowledged and "
    "can no longer be changed.",
    ReportErrorCode.NOT_SUBMITTED: "报告未报送：Only a submitted report can be acknowledged or "
    "returned.",
    ReportErrorCode.INVALID_TEXT: "文本无效：The narrative or the reason is too long.",
    ReportErrorCode.REASON_REQUIRED: "须说明退回理由：A returned report needs a reason.",
}

ReportErrorCodeEnum = coded_enum(
    "ReportErrorCode",
    "报告操作错误：why a report mutation was refused.",
    ReportErrorCode,
    REPORT_CODES,
)


@strawberry.enum(description="报告状态：where an execution report stands.")
class ReportStatus(Enum):
    DRAFT = strawberry.enum_value("draft", description="草稿")
    SUBMITTED = strawberry.enum_value("submitted", description="已报送：内容已固定")
    ACKNOWLEDGED = strawberry.enum_value("acknowledged", description="工委已确认")
    RETURNED = strawberry.enum_value("returned", description="已退回，可修改后重新报送")


@strawberry.type(
    description="发展党员指导性计划执行情况报告：a school's report for a plan period, due by "
    "the period's `reportDueOn`; its figures are frozen when submitted."
)
class ExecutionReport(relay.Node):
    id: relay.NodeID[int]
    status: ReportStatus = strawberry.field(description="报告状态：where the report stands.")
    period_id: relay.GlobalID = strawberry.field(
        description="计划期：the global ID of the plan period reported on."
    )
    period_name: str = strawberry.field(description="计划期名称：the name of the period.")
    unit_id: relay.GlobalID = strawberry.field(
        description="学校：the global ID of the school that reports."
    )
    unit_name: str = strawberry.field(description="学校名称：the name of the school.")
    narrative: str = strawberry.field(description="报告正文")
    content_hash: str | None = strawberry.field(
        description="内容摘要：SHA-256 (hex) of the frozen figures (canonical JSON), to prove "
        "them unchanged; null until submitted."
    )
    submitted_at: datetime | None = strawberry.field(
        description="报送时间：when it was last submitted; null for a draft never submitted."
    )
    reviewed_at: datetime | None = strawberry.field(
        description="审核时间：when the commission acknowledged or returned it; null until then "
        "(and again after it is submitted anew)."
    )
    return_reason: str | None = strawberry.field(
        description="退回理由：why the commission returned it; null unless returned."
    )
    workbook_path: str = strawberry.field(
        description="报表文件：the path of the workbook to file (.xlsx); GET it with the same "
        "bearer token."
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
        description="报表下载链接：the workbook (`workbookPath`) as a link that needs no header: "
        "a relative "
        "URL whose `token` opens this report's workbook only, for the caller only, for a few "
        "minutes (never longer than the caller's own token). A credential: do not share it."
    )
    def download_url(self, info: strawberry.Info) -> str:
        path = links.report_workbook(self.id)
        return f"{path}?{urlencode({'token': info.context.download_link(path)})}"

    @strawberry.field(
        description="报告内容：the report's figures, an object: frozen once submitted; a live "
        "preview before."
    )
    async def content(self, info: strawberry.Info) -> JSON:
        session = await info.context.session()
        return await service.content(session, self.row, info.context.settings.timezone)


@strawberry.type(description="报告操作错误：why a report mutation was refused.")
class ReportError:
    code: ReportErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：what was wrong."
    )
    field: str | None = strawberry.field(description=ERROR_FIELD)
    message: str = strawberry.field(description=ERROR_MESSAGE)


@strawberry.type(description="报告操作结果：the report after the change, or the errors.")
class ExecutionReportPayload:
    report: ExecutionReport | None = strawberry.field(
        description="执行情况报告：the report as it stands now; null when refused."
    )
    errors: list[ReportError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.input(description="执行情况报告：a school's report for a period, and its text.")
class ReportInput:
    period_id: relay.GlobalID = strawberry.field(
        description="计划期：the global ID of the plan period reported on."
    )
    unit_id: relay.GlobalID = strawberry.field(
        description="学校：the global ID of the school that reports."
    )
    narrative: str | None = strawberry.field(
        default=None, description="报告正文 (paragraphs kept); omitted: the draft's stays."
    )


@strawberry.input(description="确认报告：the submitted report the commission acknowledges.")
class ReviewReportInput:
    report_id: relay.GlobalID = strawberry.field(
        description="执行情况报告：the global ID of a submitted report."
    )


@strawberry.input(description="退回报告：the submitted report returned to the school, and why.")
class ReturnReportInput:
    report_id: relay.GlobalID = strawberry.field(
        description="执行情况报告：the global ID of a submitted report."
    )
    reason: str = strawberry.field(description="退回理由：why it is returned; required.")
