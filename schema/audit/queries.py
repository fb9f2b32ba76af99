from __future__ import annotations

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import service

from ..connections import Connection, connection
from ..mutations import decode_id
from ..node import resolve_global_id
from ..pagination import PAGING, keyset
from ..permissions import described
from .types import AuditEntry


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description=described(
            "The audit trail of one object, newest first." + PAGING,
            Permission.AUDIT_READ,
            where="at the object's unit",
        )
    )
    async def audit_trail(
        self,
        info: strawberry.Info,
        object_id: relay.GlobalID,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
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
