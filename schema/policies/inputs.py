from __future__ import annotations

import strawberry
from strawberry import relay


@strawberry.input(
    description="登记受信文档：documents a client will send by id instead of as text."
)
class RegisterDocumentsInput:
    client_id: relay.GlobalID = strawberry.field(
        description="OAuth2 客户端：the client's `id` (a global ID), not its OAuth2 `clientId`."
    )
    documents: list[str] = strawberry.field(
        description="受信文档：GraphQL documents, each valid against this schema; its id is `sha256:` and "
        "the lower-case hex SHA-256 of its UTF-8 text, exactly as given."
    )
