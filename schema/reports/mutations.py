from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.reports import service
from partyplan.tenants.session import Session

from ..mutations import decode_id, run_mutation
from ..permissions import described
from ..wording import INPUT
from .types import (
    ExecutionReport,
    ExecutionReportPayload,
    ReportError,
    ReportInput,
    ReturnReportInput,
    ReviewReportInput,
)


async def _run(
    info: strawberry.Info, operation: Callable[[Session], Awaitable[Any]]
) -> ExecutionReportPayload:
    row, errors = await run_mutation(info, operation)
    return ExecutionReportPayload(
        report=row and ExecutionReport.from_row(row),
        errors=[ReportError(code=e.code, field=e.field, message=e.message) for e in errors],  # type: ignore[arg-type]
    )


def _report_input(input: ReportInput) -> dict[str, Any]:
    return {
        "period_id": decode_id(input.period_id, "PlanPeriod", "periodId"),
        "unit_id": decode_id(input.unit_id, "Unit", "unitId"),
        "narrative": input.narrative,
    }


@strawberry.type
class ReportMutations:
    @strawberry.mutation(
        description=described(
            "保存报告草稿：save the school's report draft (its narrative) for a period; creates "
            "it if needed.",
            Permission.REPORT_SUBMIT,
            where="at the school",
        )
    )
    async def save_report_draft(
        self, info: strawberry.Info, input: Annotated[ReportInput, INPUT]
    ) -> ExecutionReportPayload:
        args = _report_input(input)
        return await _run(info, lambda s: service.save_draft(s, **args))

    @strawberry.mutation(
        description=described(
            "报送执行情况报告：submit the school's report: the live figures are frozen with the "
            "narrative and their SHA-256 (`contentHash`); later changes to the records do not "
            "alter it.",
            Permission.REPORT_SUBMIT,
            where="at the school",
        )
    )
    async def submit_report(
        self, info: strawberry.Info, input: Annotated[ReportInput, INPUT]
    ) -> ExecutionReportPayload:
        args = _report_input(input)
        timezone = info.context.settings.timezone
        return await _run(info, lambda s: service.submit(s, **args, timezone=timezone))

    @strawberry.mutation(
        description=described(
            "确认报告：acknowledge a submitted report.",
            Permission.REPORT_REVIEW,
            where="at the commission",
        )
    )
    async def acknowledge_report(
        self, info: strawberry.Info, input: Annotated[ReviewReportInput, INPUT]
    ) -> ExecutionReportPayload:
        report_id = decode_id(input.report_id, "ExecutionReport", "reportId")
        return await _run(
            info, lambda s: service.review(s, report_id=report_id, acknowledge=True, reason=None)
        )

    @strawberry.mutation(
        description=described(
            "退回报告：return a submitted report to the school with a reason; it may be edited "
            "and "
            "submitted again.",
            Permission.REPORT_REVIEW,
            where="at the commission",
        )
    )
    async def return_report(
        self, info: strawberry.Info, input: Annotated[ReturnReportInput, INPUT]
    ) -> ExecutionReportPayload:
        report_id = decode_id(input.report_id, "ExecutionReport", "reportId")
        return await _run(
            info,
            lambda s: service.review(
                s, report_id=report_id, acknowledge=False, reason=input.reason
            ),
        )


__all__ = ["ReportMutations"]
