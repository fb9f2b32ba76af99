from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON


@strawberry.type(description="审计记录：one append-only audit entry, hash-chained per school.")
class AuditEntry:
    at: datetime = strawberry.field(description="时间：when the change was made.")
    operation: str = strawberry.field(
        description="操作：what was done, named as the mutation that did it (e.g. `revokeRole`), "
        "or `readPii` for personal data shown in clear."
    )
    object_type: str = strawberry.field(
        description="对象类型：the GraphQL type of the object (e.g. `RoleBinding`)."
    )
    actor_id: relay.GlobalID | None = strawberry.field(
        description="操作人：the acting account (a `User` id); null when no account acted."
    )
    client_id: str | None = strawberry.field(
        description="客户端：the OAuth2 `client_id` of the client acting; null when none did."
    )
    before: JSON | None = strawberry.field(
        description="变更前：the object's audited fields before the change; null when there "
        "were none (e.g. it was created)."
    )
    after: JSON | None = strawberry.field(
        description="变更后：the object's audited fields after the change (for `readPii`, which "
        "fields were shown); null when there are none (e.g. it was removed)."
    )
    chain: int = strawberry.field(
        description="链：the chain the entry belongs to: the school's unit id; the commission's "
        "above schools."
    )
    seq: int = strawberry.field(
        description="序号：the entry's position in its chain, from 1, without gaps."
    )
    hash: str = strawberry.field(
        description="哈希：SHA-256 over the previous hash and this entry, in lower-case hex."
    )

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
