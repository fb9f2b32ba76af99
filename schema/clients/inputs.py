from __future__ import annotations

import strawberry
from strawberry import relay

from partyplan.resolvers.clients import rules

from .types import ClientKind


@strawberry.input(description="A client to register (see the README's 'Registering a client').")
class RegisterClientInput:
    name: str = strawberry.field(description="1–100 characters, shown on the consent screen.")
    kind: ClientKind
    unit_id: relay.GlobalID = strawberry.field(
        description="Where the client belongs; a service's account holds its roles here."
    )
    allowed_scopes: list[str] = strawberry.field(
        description="Scope names the client may ask for: read, record, manage, pii, sync."
    )
    redirect_uris: list[str] = strawberry.field(
        default_factory=list,
        description="Front ends: at least one; https, or http on localhost, 127.0.0.1 or [::1]; "
        "no fragment. Services: none.",
    )
    allowed_origins: list[str] = strawberry.field(
        default_factory=list,
        description="Front ends: scheme://host[:port] a browser may call from (CORS). Services: "
        "none.",
    )
    roles: list[str] = strawberry.field(
        default_factory=list,
        description="Services only: role names its account holds at the unit (none above the "
        "caller's own there).",
    )
    trusted_documents_only: bool = False
    cost_budget: int | None = strawberry.field(
        default=None,
        description=f"The highest cost of one request: 1–{rules.MAX_COST_BUDGET}, default "
        f"{rules.DEFAULT_COST_BUDGET}.",
    )
    requests_per_minute: int | None = strawberry.field(
        default=None,
        description=f"Requests a minute: 1–{rules.MAX_REQUESTS_PER_MINUTE}, default "
        f"{rules.DEFAULT_REQUESTS_PER_MINUTE}.",
    )


@strawberry.input
class RotateClientSecretInput:
    client_id: relay.GlobalID = strawberry.field(
        description="The client's `id` (a global ID), not its OAuth2 `clientId`."
    )


@strawberry.input
class DisableClientInput:
    client_id: relay.GlobalID = strawberry.field(
        description="The client's `id` (a global ID), not its OAuth2 `clientId`."
    )
