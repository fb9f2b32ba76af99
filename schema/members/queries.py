from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.members import service
from partyplan.resolvers.recruits.service.records import today

from ..connections import Connection, connection
from ..mutations import decode_id
from ..pagination import PAGING, keyset
from ..permissions import described
from .types import Member, MemberStatus


@strawberry.type
class MemberQueries:
    @strawberry.field(
        description=described(
            "The roster of Party members on the caller's units, by id (one statement): whom a "
            "step may name as introducer or contact person. `status` and each member's status "
            "are judged on `on` (default today)." + PAGING,
            Permission.RECRUIT_READ,
        )
    )
    async def members(
        self,
        info: strawberry.Info,
        under: relay.GlobalID | None = None,
        search: str | None = None,
        status: MemberStatus | None = None,
        on: date | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Member]:
        session = await info.context.session()
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        day = on or today(info.context.settings.timezone)
        rows = await service.page(
            session,
            under_id=None if under is None else decode_id(under, "Unit", "under"),
            search=search,
            status=None if status is None else status.value,
            on=day,
            keyset=page,
        )
        return await connection(info, rows, lambda row: Member.from_row(row, day))


async def resolve_member_node(info: strawberry.Info, member_id: int) -> tuple[Member, str]:
    session = await info.context.session()
    row = await service.visible(session, member_id)
    return Member.from_row(row, today(info.context.settings.timezone)), row.unit_path
