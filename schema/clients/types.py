from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from partyplan.resolvers.clients.errors import ClientErrorCode

from ..access.types import User
from ..enums import by_value
from ..units.types import Unit, load_unit
from . import loaders

ClientErrorCodeEnum = strawberry.enum(
    ClientErrorCode, name="ClientErrorCode", description="OAuth2 客户端登记错误"
)


@strawberry.enum(description="OAuth2 客户端类别")
class ClientKind(Enum):
    FRONT_END = strawberry.enum_value(
        "front_end", description="前端（公开客户端）：授权码 + PKCE，代表登录的用户"
    )
    SERVICE = strawberry.enum_value(
        "service", description="服务（机密客户端）：客户端凭据，以自己的服务账号行事"
    )


_client_kind = by_value(ClientKind)


@strawberry.type(
    description="A registered OAuth2 client: a front end acting for its signed-in users, or a "
    "service acting as its own account. Its secret is never shown again after it is issued."
)
class OAuthClient(relay.Node):
    id: relay.NodeID[int]
    client_id: str = strawberry.field(description="The OAuth2 `client_id` the client sends.")
    name: str
    kind: ClientKind
    redirect_uris: list[str]
    allowed_origins: list[str] = strawberry.field(
        description="Origins a browser may call the API from (CORS), as the browser sends them."
    )
    allowed_scopes: list[str]
    trusted_documents_only: bool = strawberry.field(
        description="The client may send only the documents registered for it."
    )
    cost_budget: int = strawberry.field(description="The highest cost of one request.")
    requests_per_minute: int
    active: bool
    created_at: datetime
    secret_set_at: datetime | None = strawberry.field(
        description="When the current secret was issued (services only)."
    )
    disabled_at: datetime | None
    unit_id: strawberry.Private[int]
    service_user_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Any) -> OAuthClient:
        return cls(
            id=row.id,
            client_id=row.client_id,
            name=row.name,
            kind=_client_kind(row.kind),
            redirect_uris=list(row.redirect_uris),
            allowed_origins=list(row.allowed_origins),
            allowed_scopes=list(row.allowed_scopes),
            trusted_documents_only=row.trusted_documents_only,
            cost_budget=row.cost_budget,
            requests_per_minute=row.requests_per_minute,
            active=row.active,
            created_at=row.created_at,
            secret_set_at=row.secret_set_at,
            disabled_at=row.disabled_at,
            unit_id=row.unit_id,
            service_user_id=row.service_user_id,
        )

    @strawberry.field(description="The unit the client is registered at.")
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.unit_id)

    @strawberry.field(description="A service's own account (null for a front end).")
    async def service_account(self, info: strawberry.Info) -> User | None:
        if self.service_user_id is None:
            return None
        return await info.context.loader("service_accounts", _ACCOUNTS).load(self.service_user_id)


_ACCOUNTS = loaders.accounts_by_id(User.from_row)


@strawberry.type
class ClientError:
    code: ClientErrorCodeEnum  # type: ignore[valid-type]
    field: str | None
    message: str


@strawberry.type
class RegisterClientPayload:
    client: OAuthClient | None
    client_secret: str | None = strawberry.field(
        description="A service's secret, shown this once: only its digest is kept. Null for a "
        "front end."
    )
    errors: list[ClientError]


@strawberry.type
class RotateClientSecretPayload:
    client: OAuthClient | None
    client_secret: str | None = strawberry.field(
        description="The new secret, shown this once; the old one no longer works."
    )
    errors: list[ClientError]


@strawberry.type
class ClientPayload:
    client: OAuthClient | None
    errors: list[ClientError]
