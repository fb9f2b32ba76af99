from __future__ import annotations

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.datacalls.service import calls

from ..connections import Connection, connection
from ..pagination import PAGING, keyset
from ..permissions import described
from ..wording import After, Before, First, Last
from .types import DataCall


@strawberry.type
class DataCallQueries:
    @strawberry.field(
        description=described(
            "数据征集：the data calls issued at or below the caller's units, or sent to a unit "
            "there, newest first; each with its form, responses, roll-up and workbook link."
            + PAGING,
            Permission.PLAN_READ,
        )
    )
    async def data_calls(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[DataCall]:
        session = await info.context.session()
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        rows = await calls.page(session, keyset=page)
        today = calls.today_in(info.context.settings.timezone)
        return await connection(info, rows, lambda row: DataCall.from_row(row, today))
