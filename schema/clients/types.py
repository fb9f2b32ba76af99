from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from partyplan.resolvers.clients import rules
from partyplan.resolvers.clients.errors import ClientErrorCode

from ..access.types import User
from ..enums import by_value
from ..units.types import Unit, load_unit
from ..wording import ERROR_FIELD, ERROR_MESSAGE, PAYLOAD_ERRORS, coded_enum
from . import loaders

_E = ClientErrorCode
CLIENT_CODES: Mapping[str, str] = {
    _E.INVALID_NAME: f"名称无效：1–{rules.NAME_MAX} characters, no control characters.",
    _E.INVALID_REDIRECT_URI: "回调地址无效：https, or http on localhost, 127.0.0.1 or [::1]; no "
    "fragment.",
    _E.REDIRECT_URI_REQUIRED: "须填写回调地址：A front end needs at least one redirect URI.",
    _E.REDIRECT_URIS_NOT_ALLOWED: "服务不应有回调地址：A service is never redirected to: give "
    "none.",
    _E.INVALID_ORIGIN: "来源无效：Only scheme://host[:port]: no path, not even /.",
    _E.ORIGINS_NOT_ALLOWED: "服务不应有来源：A service never runs in a browser: give none.",
    _E.TOO_MANY_VALUES: f"值过多：At most {rules.LIST_MAX} values in a list.",
    _E.UNKNOWN_SCOPE: "授权范围不存在：The message lists the scopes there are.",
    _E.SCOPE_REQUIRED: "须填写授权范围：At least one scope is required.",
    _E.UNKNOWN_ROLE: "角色不存在：Not a role name (see `roles`).",
    _E.ROLE_REQUIRED: "须填写角色：A service acts with the roles of its account: give at least "
    "one.",
    _E.ROLES_NOT_ALLOWED: "前端不应有角色：A front end acts with its signed-in user's roles: "
    "give none.",
    _E.ROLE_NOT_BINDABLE_HERE: "该角色不能在此授予：The role cannot be granted at a unit of this "
    "kind.",
    _E.ROLE_ABOVE_GRANTER: "角色高于授予者：The role ranks above the caller's own at the unit.",
    _E.INVALID_COST_BUDGET: f"查询成本上限无效：1–{rules.MAX_COST_BUDGET}.",
    _E.INVALID_RATE: f"每分钟请求数上限无效：1–{rules.MAX_REQUESTS_PER_MINUTE}.",
    _E.INACTIVE_UNIT: "党组织已停用：The unit named is inactive.",
    _E.NO_SECRET: "前端无密钥：A front end is a public client: it has no secret to rotate.",
    _E.CLIENT_DISABLED: "客户端已停用：The client is disabled.",
    _E.ALREADY_DISABLED: "客户端已停用：The client is already disabled.",
}

ClientErrorCodeEnum = coded_enum(
    "ClientErrorCode", "OAuth2 客户端登记错误", ClientErrorCode, CLIENT_CODES
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
    description="OAuth2 客户端：a registered client: a front end acting for its signed-in users, or a "
    "service acting as its own account. Its secret is never shown again after it is issued."
)
class OAuthClient(relay.Node):
    id: relay.NodeID[int]
    client_id: str = strawberry.field(
        description="客户端标识：the OAuth2 `client_id` the client sends."
    )
    name: str = strawberry.field(description="名称：shown on the consent screen.")
    kind: ClientKind = strawberry.field(description="客户端类别：a front end or a service.")
    redirect_uris: list[str] = strawberry.field(
        description="回调地址：where a front end's sign-in may return to; empty for a service."
    )
    allowed_origins: list[str] = strawberry.field(
        description="允许的来源：origins a browser may call the API from (CORS), as the browser sends them."
    )
    allowed_scopes: list[str] = strawberry.field(
        description="授权范围：the scopes the client may ask for."
    )
    trusted_documents_only: bool = strawberry.field(
        description="仅限受信文档：the client may send only the documents registered for it."
    )
    cost_budget: int = strawberry.field(
        description="查询成本上限：the highest cost of one request."
    )
    requests_per_minute: int = strawberry.field(
        description="每分钟请求数上限：requests a minute the client may make."
    )
    active: bool = strawberry.field(
        description="是否有效：false once disabled; its tokens are then refused."
    )
    created_at: datetime = strawberry.field(description="登记时间：when the client was registered.")
    secret_set_at: datetime | None = strawberry.field(
        description="密钥签发时间：when the current secret was issued; null for a front end."
    )
    disabled_at: datetime | None = strawberry.field(
        description="停用时间：when the client was disabled; null while active."
    )
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

    @strawberry.field(
        description="所属党组织：the unit the client is registered at; null outside the caller's "
        "units."
    )
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return await load_unit(info, self.unit_id)

    @strawberry.field(description="服务账号：a service's own account; null for a front end.")
    async def service_account(self, info: strawberry.Info) -> User | None:
        if self.service_user_id is None:
            return None
        return await info.context.loader("service_accounts", _ACCOUNTS).load(self.service_user_id)


_ACCOUNTS = loaders.accounts_by_id(User.from_row)


@strawberry.type(description="OAuth2 客户端登记错误：why a client mutation was refused.")
class ClientError:
    code: ClientErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：what was wrong."
    )
    field: str | None = strawberry.field(description=ERROR_FIELD)
    message: str = strawberry.field(description=ERROR_MESSAGE)


_CLIENT = "OAuth2 客户端：the client as changed; null when the mutation was refused."


@strawberry.type(description="登记客户端结果：the client registered and its secret, or the errors.")
class RegisterClientPayload:
    client: OAuthClient | None = strawberry.field(description=_CLIENT)
    client_secret: str | None = strawberry.field(
        description="客户端密钥：a service's secret, shown this once: only its digest is kept. "
        "Null for a front end or when refused."
    )
    errors: list[ClientError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type(description="更换密钥结果：the client and its new secret, or the errors.")
class RotateClientSecretPayload:
    client: OAuthClient | None = strawberry.field(description=_CLIENT)
    client_secret: str | None = strawberry.field(
        description="客户端密钥：the new secret, shown this once; the old one no longer works. "
        "Null when refused."
    )
    errors: list[ClientError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type(description="客户端操作结果：the client after the change, or the errors.")
class ClientPayload:
    client: OAuthClient | None = strawberry.field(description=_CLIENT)
    errors: list[ClientError] = strawberry.field(description=PAYLOAD_ERRORS)
