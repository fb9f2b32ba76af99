from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.units import service

from ..connections import Connection, connection
from ..mutations import decode_id
from ..pagination import PAGING, keyset
from ..permissions import described
from ..wording import After, Before, First, IncludeInactive, Last
from .types import Unit, UnitKind


@strawberry.type
class UnitQueries:
    @strawberry.field(description=described("党组织：one unit, by its id.", Permission.UNIT_READ))
    async def unit(
        self,
        info: strawberry.Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="党组织：a `Unit` id.")],
    ) -> Unit:
        session = await info.context.session()
        row = await service.visible(session, decode_id(id, "Unit", "id"), Permission.UNIT_READ)
        return Unit.from_row(row)

    @strawberry.field(
        description=described(
            "党组织列表：units in id order: the subtree of `under` (itself included), or every "
            "unit the caller may read." + PAGING,
            Permission.UNIT_READ,
        )
    )
    async def units(
        self,
        info: strawberry.Info,
        under: Annotated[
            relay.GlobalID | None,
            strawberry.argument(
                description="上级党组织：only this unit and the units below it; null for every "
                "unit the caller may read."
            ),
        ] = None,
        kind: Annotated[
            UnitKind | None,
            strawberry.argument(description="党组织类别：only units of this kind; null for all."),
        ] = None,
        include_inactive: IncludeInactive = False,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Unit]:
        await info.context.session()  # authenticate before judging arguments
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        under_id = None if under is None else decode_id(under, "Unit", "under")
        session = await info.context.session()
        rows = await service.units_page(
            session,
            under_id=under_id,
            kind=None if kind is None else kind.value,
            include_inactive=include_inactive,
            keyset=page,
        )
        return await connection(info, rows, Unit.from_row)


async def resolve_unit_node(info: strawberry.Info, unit_id: int) -> tuple[Unit, str]:
    session = await info.context.session()
    row = await service.visible(session, unit_id, Permission.UNIT_READ)
    return Unit.from_row(row), row.path
