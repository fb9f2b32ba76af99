from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON


@strawberry.type(description="One append-only audit entry, hash-chained per school.")
class AuditEntry:
    at: datetime
    operation: str
    object_type: str
    actor_id: relay.GlobalID | None = strawberry.field(description="The acting user (a User id).")
    client_id: str | None
    before: JSON | None
    after: JSON | None
    chain: int = strawberry.field(
        description="The chain: the school's unit id; the commission's above schools."
    )
    seq: int
    hash: str = strawberry.field(description="SHA-256 over the previous hash and this entry.")

    @classmethod
    def from_row(cls, row: Any) -> AuditEntry:
        actor = (
            None if row.actor_user_id is None else relay.GlobalID("User", str(row.actor_user_id))
        )
        return cls(
            at=row.at,
            operation=row.operation,
            object_type=row.object_type,
            actor_id=actor,
            client_id=row.client_id,
            before=row.before,
            after=row.after,
            chain=row.chain,
            seq=row.seq,
            hash=row.hash.hex(),
        )
