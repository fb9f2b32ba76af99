from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.members import service
from partyplan.resolvers.recruits.service.records import today

from ..connections import Connection, connection
from ..errors import text_argument
from ..mutations import decode_id
from ..pagination import PAGING, keyset
from ..permissions import described
from ..recruits.arguments import Under
from ..wording import After, Before, First, Last
from .types import Member, MemberStatus


@strawberry.type
class MemberQueries:
    @strawberry.field(
        description=described(
            "党员名册：The roster of Party members on the caller's units, by id: whom a "
            "step may name as introducer or contact person. `status` and each member's status "
            "are judged on `on` (default today)." + PAGING,
            Permission.RECRUIT_READ,
        )
    )
    async def members(
        self,
        info: strawberry.Info,
        under: Under = None,
        search: Annotated[
            str | None,
            strawberry.argument(
                description="检索：Text found anywhere in the name or the member code."
            ),
        ] = None,
        status: Annotated[
            MemberStatus | None,
            strawberry.argument(description="党员身份：Only members of this standing on `on`."),
        ] = None,
        on: Annotated[
            date | None,
            strawberry.argument(
                description="日期：The date standings are judged on; today by default."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Member]:
        session = await info.context.session()
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        day = on or today(info.context.settings.timezone)
        rows = await service.page(
            session,
            under_id=None if under is None else decode_id(under, "Unit", "under"),
            search=text_argument(search, "search", label="检索", limit=100),
            status=None if status is None else status.value,
            on=day,
            keyset=page,
        )
        return await connection(info, rows, lambda row: Member.from_row(row, day))


async def resolve_member_node(info: strawberry.Info, member_id: int) -> tuple[Member, str]:
    session = await info.context.session()
    row = await service.visible(session, member_id)
    return Member.from_row(row, today(info.context.settings.timezone)), row.unit_path
