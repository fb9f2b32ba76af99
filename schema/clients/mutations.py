from __future__ import annotations

from typing import Annotated, Any

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.clients import service
from partyplan.resolvers.errors import DomainError

from ..mutations import decode_id, run_mutation
from ..permissions import described
from ..wording import INPUT
from .inputs import DisableClientInput, RegisterClientInput, RotateClientSecretInput
from .types import (
    ClientError,
    ClientPayload,
    OAuthClient,
    RegisterClientPayload,
    RotateClientSecretPayload,
)


def _errors(errors: list[DomainError]) -> list[ClientError]:
    return [ClientError(code=e.code, field=e.field, message=e.message) for e in errors]


def _client(row: Any) -> OAuthClient | None:
    return None if row is None else OAuthClient.from_row(row)


@strawberry.type
class ClientMutations:
    @strawberry.mutation(
        description=described(
            "登记客户端：register an OAuth2 client at a unit. A service gets its secret in this answer "
            "only, and an account of its own holding `roles` at the unit.",
            Permission.CLIENT_MANAGE,
            where="at the unit",
        )
    )
    async def register_client(
        self, info: strawberry.Info, input: Annotated[RegisterClientInput, INPUT]
    ) -> RegisterClientPayload:
        unit_id = decode_id(input.unit_id, "Unit", "unitId")
        issued, errors = await run_mutation(
            info,
            lambda s: service.register_client(
                s,
                unit_id=unit_id,
                name=input.name,
                kind=input.kind.value,
                redirect_uris=input.redirect_uris,
                allowed_origins=input.allowed_origins,
                allowed_scopes=input.allowed_scopes,
                roles=input.roles,
                trusted_documents_only=input.trusted_documents_only,
                cost_budget=input.cost_budget,
                requests_per_minute=input.requests_per_minute,
            ),
        )
        return RegisterClientPayload(
            client=None if issued is None else _client(issued.client),
            client_secret=None if issued is None else issued.secret,
            errors=_errors(errors),
        )

    @strawberry.mutation(
        description=described(
            "更换密钥：issue a service a new secret, shown in this answer only; the old one stops working.",
            Permission.CLIENT_MANAGE,
            where="at the client's unit",
        )
    )
    async def rotate_client_secret(
        self, info: strawberry.Info, input: Annotated[RotateClientSecretInput, INPUT]
    ) -> RotateClientSecretPayload:
        client_pk = decode_id(input.client_id, "OAuthClient", "clientId")
        issued, errors = await run_mutation(
            info, lambda s: service.rotate_client_secret(s, client_pk=client_pk)
        )
        return RotateClientSecretPayload(
            client=None if issued is None else _client(issued.client),
            client_secret=None if issued is None else issued.secret,
            errors=_errors(errors),
        )

    @strawberry.mutation(
        description=described(
            "停用客户端：disable a client: its tokens are refused from the next request on, and a "
            "service's account is deactivated.",
            Permission.CLIENT_MANAGE,
            where="at the client's unit",
        )
    )
    async def disable_client(
        self, info: strawberry.Info, input: Annotated[DisableClientInput, INPUT]
    ) -> ClientPayload:
        client_pk = decode_id(input.client_id, "OAuthClient", "clientId")
        row, errors = await run_mutation(
            info, lambda s: service.disable_client(s, client_pk=client_pk)
        )
        return ClientPayload(client=_client(row), errors=_errors(errors))
