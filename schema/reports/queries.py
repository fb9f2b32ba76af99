from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.reports import service

from ..connections import Connection, connection
from ..mutations import decode_id
from ..pagination import PAGING, keyset
from ..permissions import described
from ..replica import REPLICA_READ
from ..wording import After, Before, First, Last
from .types import ExecutionReport, ReportStatus


@strawberry.type
class ReportQueries:
    @strawberry.field(
        description=described(
            "执行情况报告：execution reports on the caller's units and below, oldest first."
            + PAGING,
            Permission.PLAN_READ,
        ),
        metadata=REPLICA_READ,  # read only: a streaming replica may answer (schema/replica.py)
    )
    async def reports(
        self,
        info: strawberry.Info,
        period_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(
                description="计划期：only the reports for this period; all periods when left out."
            ),
        ] = None,
        status: Annotated[
            ReportStatus | None,
            strawberry.argument(
                description="报告状态：only reports in this state; all when left out."
            ),
        ] = None,
        under: Annotated[
            relay.GlobalID | None,
            strawberry.argument(
                description="范围：only the reports of schools at or below this unit; all the "
                "caller's units when left out."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ExecutionReport]:
        session = await info.context.session()
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        rows = await service.page(
            session,
            under_id=None if under is None else decode_id(under, "Unit", "under"),
            period_id=None if period_id is None else decode_id(period_id, "PlanPeriod", "periodId"),
            status=None if status is None else status.value,
            keyset=page,
        )
        return await connection(info, rows, ExecutionReport.from_row)


async def resolve_report_node(info: strawberry.Info, report_id: int) -> tuple[ExecutionReport, str]:
    session = await info.context.session()
    row = await service.visible(session, report_id, Permission.PLAN_READ)
    return ExecutionReport.from_row(row), row.unit_path
