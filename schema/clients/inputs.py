from __future__ import annotations

import strawberry
from strawberry import relay

from partyplan.resolvers.clients import rules

from .types import ClientKind


@strawberry.input(
    description="登记客户端：a client to register (see the README's 'Registering a client')."
)
class RegisterClientInput:
    name: str = strawberry.field(description="名称：1–100 characters, shown on the consent screen.")
    kind: ClientKind = strawberry.field(description="客户端类别：a front end or a service.")
    unit_id: relay.GlobalID = strawberry.field(
        description="所属党组织：where the client belongs; a service's account holds its roles here."
    )
    allowed_scopes: list[str] = strawberry.field(
        description="授权范围：scope names the client may ask for: read, record, manage, pii, sync."
    )
    redirect_uris: list[str] = strawberry.field(
        default_factory=list,
        description="回调地址：front ends: at least one; https, or http on localhost, 127.0.0.1 or [::1]; "
        "no fragment. Services: none.",
    )
    allowed_origins: list[str] = strawberry.field(
        default_factory=list,
        description="允许的来源：front ends: scheme://host[:port] a browser may call from (CORS). Services: "
        "none.",
    )
    roles: list[str] = strawberry.field(
        default_factory=list,
        description="服务账号的角色：services only: role names its account holds at the unit (none above the "
        "caller's own there).",
    )
    trusted_documents_only: bool = strawberry.field(
        default=False,
        description="仅限受信文档：true to accept only documents registered for the client "
        "(`registerDocuments`).",
    )
    cost_budget: int | None = strawberry.field(
        default=None,
        description=f"查询成本上限：the highest cost of one request: 1–{rules.MAX_COST_BUDGET}, default "
        f"{rules.DEFAULT_COST_BUDGET}.",
    )
    requests_per_minute: int | None = strawberry.field(
        default=None,
        description=f"每分钟请求数上限：requests a minute: 1–{rules.MAX_REQUESTS_PER_MINUTE}, default "
        f"{rules.DEFAULT_REQUESTS_PER_MINUTE}.",
    )


@strawberry.input(description="更换密钥：the service whose secret is replaced.")
class RotateClientSecretInput:
    client_id: relay.GlobalID = strawberry.field(
        description="OAuth2 客户端：the client's `id` (a global ID), not its OAuth2 `clientId`."
    )


@strawberry.input(description="停用客户端：the client to disable.")
class DisableClientInput:
    client_id: relay.GlobalID = strawberry.field(
        description="OAuth2 客户端：the client's `id` (a global ID), not its OAuth2 `clientId`."
    )
