from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.spotchecks import service

from ..connections import Connection, connection
from ..mutations import decode_id
from ..pagination import PAGING, keyset
from ..permissions import described
from ..wording import After, Before, First, Last
from .types import SpotCheck, SpotCheckFollowUp, SpotCheckRecord


@strawberry.type
class SpotCheckQueries:
    @strawberry.field(
        description=described(
            "随机抽查：the commission's spot checks, newest first: each commitment (seed hash, "
            "candidate list hash) and, once drawn, the seed." + PAGING,
            Permission.RECRUIT_READ,
            where="in the commission's tree",
        )
    )
    async def spot_checks(
        self,
        info: strawberry.Info,
        commission_id: Annotated[
            relay.GlobalID, strawberry.argument(description="工委：the commission's ID.")
        ],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[SpotCheck]:
        session = await info.context.session()
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        rows = await service.page(session, decode_id(commission_id, "Unit", "commissionId"), page)
        return await connection(info, rows, SpotCheck.from_row)

    @strawberry.field(
        description=described(
            "抽查记录：the checks of drawn development targets on the caller's units (a school "
            "sees its own recruits' only), newest first." + PAGING,
            Permission.RECRUIT_READ,
        )
    )
    async def spot_check_records(
        self,
        info: strawberry.Info,
        under: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="范围：only records on this unit and below it."),
        ] = None,
        spot_check_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="抽查：only this draw's records."),
        ] = None,
        follow_up: Annotated[
            SpotCheckFollowUp | None,
            strawberry.argument(description="整改状态：only records in this state."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[SpotCheckRecord]:
        session = await info.context.session()
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        rows = await service.records_page(
            session,
            under_id=None if under is None else decode_id(under, "Unit", "under"),
            check_id=None
            if spot_check_id is None
            else decode_id(spot_check_id, "SpotCheck", "spotCheckId"),
            follow_up=None if follow_up is None else follow_up.value,
            keyset=page,
        )
        return await connection(info, rows, SpotCheckRecord.from_row)


async def resolve_spot_check_node(info: strawberry.Info, check_id: int) -> tuple[SpotCheck, str]:
    session = await info.context.session()
    row = await service.visible(session, check_id)
    return SpotCheck.from_row(row), row.commission_path


async def resolve_spot_check_record_node(
    info: strawberry.Info, record_id: int
) -> tuple[SpotCheckRecord, str]:
    session = await info.context.session()
    row = await service.visible_record(session, record_id, Permission.RECRUIT_READ)
    return SpotCheckRecord.from_row(row), row.unit_path
