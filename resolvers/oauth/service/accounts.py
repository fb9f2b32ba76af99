"""Whether an account may still act, asked the way every API request asks it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.auth.errors import NotAuthenticated
from partyplan.auth.principal import Principal
from partyplan.tenants.binding import bind_principal


async def account(
    conn: AsyncConnection,
    user_id: int,
    client_id: str | None = None,
    *,
    grant_id: int | None = None,
    token_id: str | None = None,
    scope: str | None = None,
) -> Principal | None:
    """The principal ``user_id`` would act as (with a client's token: only while the client,
    grant and token id stand), or None when it could not act at all.

    This binds the principal to the door's transaction (``tenants.binding``: the same check
    ``/graphql`` makes), so from here on the transaction also sees what that user sees; the
    doors call it once they have established who acts, and only then.
    """
    try:
        return await bind_principal(
            conn, user_id, client_id, grant_id=grant_id, token_id=token_id, scope=scope
        )
    except NotAuthenticated:
        return None
