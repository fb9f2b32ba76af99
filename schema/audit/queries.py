from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import service

from ..connections import Connection, connection
from ..mutations import decode_id
from ..node import resolve_global_id
from ..pagination import PAGING, keyset
from ..permissions import described
from ..wording import After, Before, First, Last
from .types import AuditEntry


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description=described(
            "审计记录：the audit trail of one object, newest first." + PAGING,
            Permission.AUDIT_READ,
            where="at the object's unit",
        )
    )
    async def audit_trail(
        self,
        info: strawberry.Info,
        object_id: Annotated[
            relay.GlobalID,
            strawberry.argument(description="对象：the global id of any object with a trail."),
        ],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AuditEntry]:
        await info.context.session()  # authenticate before judging arguments
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        _, path = await resolve_global_id(info, object_id)
        session = await info.context.session()
        rows = await service.trail(
            session,
            object_type=object_id.type_name,
            object_id=decode_id(object_id, object_id.type_name, "objectId"),
            object_path=path,
            keyset=page,
        )
        return await connection(info, rows, AuditEntry.from_row)
