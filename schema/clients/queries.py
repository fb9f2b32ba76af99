from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.clients import service

from ..connections import Connection, connection
from ..mutations import decode_id
from ..pagination import PAGING, keyset
from ..permissions import described
from ..wording import After, Before, First, Last
from .types import OAuthClient


@strawberry.type
class ClientQueries:
    @strawberry.field(
        description=described(
            "OAuth2 客户端：clients registered in the subtree of `under` (or wherever the caller "
            "manages clients), in registration order." + PAGING,
            Permission.CLIENT_MANAGE,
        )
    )
    async def clients(
        self,
        info: strawberry.Info,
        under: Annotated[
            relay.GlobalID | None,
            strawberry.argument(
                description="所属党组织：only clients of this unit and the units below it; null "
                "for wherever the caller manages clients."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[OAuthClient]:
        session = await info.context.session()  # authenticate before judging arguments
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        under_id = None if under is None else decode_id(under, "Unit", "under")
        rows = await service.clients_page(session, under_id=under_id, keyset=page)
        return await connection(info, rows, OAuthClient.from_row)


async def resolve_client_node(info: strawberry.Info, client_pk: int) -> tuple[OAuthClient, str]:
    session = await info.context.session()
    row = await service.visible_client(session, client_pk)
    return OAuthClient.from_row(row), row.unit_path
