from __future__ import annotations

import strawberry
from strawberry import relay


@strawberry.input(description="Documents a client will send by id instead of as text.")
class RegisterDocumentsInput:
    client_id: relay.GlobalID = strawberry.field(
        description="The client's `id` (a global ID), not its OAuth2 `clientId`."
    )
    documents: list[str] = strawberry.field(
        description="GraphQL documents, each valid against this schema; its id is `sha256:` and "
        "the lower-case hex SHA-256 of its UTF-8 text, exactly as given."
    )
