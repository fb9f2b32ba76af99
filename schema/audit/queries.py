from __future__ import annotations

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import service

from ..mutations import decode_id
from ..node import resolve_global_id
from ..pagination import build_connection, decode_cursor, page_limit
from ..permissions import described
from .types import AuditEntry


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description=described(
            "The audit trail of one object, newest first.",
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
    ) -> relay.Connection[AuditEntry]:
        await info.context.session()  # authenticate before judging arguments
        limit = page_limit(first, info.context.settings.max_page_size)
        before_id = decode_cursor(after)
        _, path = await resolve_global_id(info, object_id)
        session = await info.context.session()
        rows = await service.trail(
            session,
            object_type=object_id.type_name,
            object_id=decode_id(object_id, object_id.type_name, "objectId"),
            object_path=path,
            before_id=before_id,
            limit=limit + 1,
        )
        return build_connection(rows, limit, AuditEntry.from_row)
