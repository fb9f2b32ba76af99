from __future__ import annotations

from typing import Annotated

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.policies import service

from ..mutations import decode_id, run_mutation
from ..permissions import described
from ..wording import INPUT
from .checks import document_problems
from .inputs import RegisterDocumentsInput
from .types import PolicyError, RegisterDocumentsPayload


def _errors(errors: list[DomainError]) -> list[PolicyError]:
    return [PolicyError(code=e.code, field=e.field, message=e.message) for e in errors]


@strawberry.type
class PolicyMutations:
    @strawberry.mutation(
        description=described(
            "登记受信文档：register trusted documents for a client: it may then send "
            '`{"documentId": "sha256:…", "variables": …}` instead of the text, and a client '
            "restricted to trusted documents may send nothing else. Registering a document "
            "again changes nothing.",
            Permission.CLIENT_MANAGE,
            where="at the client's unit",
        )
    )
    async def register_documents(
        self, info: strawberry.Info, input: Annotated[RegisterDocumentsInput, INPUT]
    ) -> RegisterDocumentsPayload:
        client_pk = decode_id(input.client_id, "OAuthClient", "clientId")
        schema, settings = info.schema._schema, info.context.settings
        ids, errors = await run_mutation(
            info,
            lambda s: service.register_documents(
                s,
                client_pk=client_pk,
                documents=input.documents,
                check=lambda text: document_problems(schema, settings, text),
            ),
        )
        return RegisterDocumentsPayload(document_ids=ids or [], errors=_errors(errors))
