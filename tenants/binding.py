"""Binds a transaction to a principal, or declares it a door: the one place the row-level-
security settings are made.

``app_bind_principal`` (a SQL function, see the foundation migration) sets ``app.user_id`` and
``app.scope`` with ``set_config(..., true)`` — local to the transaction, so nothing survives the
request on a pooled connection — and returns the user's bindings in the same round trip.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.auth import scopes
from partyplan.auth.errors import NotAuthenticated
from partyplan.auth.principal import Binding, Principal

_BIND = sa.text("SELECT * FROM app_bind_principal(:user_id)")
# A client's token is also asked whether its client, grant and id still stand, in the same
# round trip (``app_token_valid``, migration 0012).
_BIND_CLIENT_TOKEN = sa.text(
    "SELECT p.*, app_token_valid(:client_id, :grant_id, :token_id) AS token_valid"
    " FROM app_bind_principal(:user_id) p"
)
# The same, with PostgreSQL told to plan the transaction's statements generically (local to
# the transaction, like the principal): a compiled document's statement is kept per shape with
# its values as parameters (tenants/shaped.py), and planning it anew for each request cost
# PostgreSQL as much as running it (BENCHMARKS.md, Q3). Its values never change the best plan:
# scopes and subtrees are index conditions whatever their value, and no list filters by a
# pattern an index could read by prefix.
_GENERIC = " CROSS JOIN set_config('plan_cache_mode', 'force_generic_plan', true) AS generic"
_BIND_GENERIC = sa.text("SELECT p.* FROM app_bind_principal(:user_id) p" + _GENERIC)
_BIND_CLIENT_TOKEN_GENERIC = sa.text(
    "SELECT p.*, app_token_valid(:client_id, :grant_id, :token_id) AS token_valid"
    " FROM app_bind_principal(:user_id) p" + _GENERIC
)


async def bind_principal(
    conn: AsyncConnection,
    user_id: int,
    client_id: str | None = None,
    *,
    grant_id: int | None = None,
    token_id: str | None = None,
    scope: str | None = None,
    generic_plans: bool = False,
) -> Principal:
    """Bind ``user_id``; with a ``client_id`` (a token from an OAuth2 flow) the token must still
    stand — client active, grant not revoked, token id not revoked — and the caller's
    permissions are narrowed to what the token's ``scope`` covers (``auth.scopes``).
    ``generic_plans``: the transaction's statements are planned generically (``_GENERIC``)."""
    if client_id is None:
        bind = _BIND_GENERIC if generic_plans else _BIND
        rows = (await conn.execute(bind, {"user_id": user_id})).all()
    else:
        params = {
            "user_id": user_id,
            "client_id": client_id,
            "grant_id": grant_id,
            "token_id": token_id or "",
        }
        bind = _BIND_CLIENT_TOKEN_GENERIC if generic_plans else _BIND_CLIENT_TOKEN
        rows = (await conn.execute(bind, params)).all()
        if rows and not rows[0].token_valid:
            raise NotAuthenticated("令牌所属的客户端已停用，或令牌已被撤销")
    if not rows or not rows[0].active:
        raise NotAuthenticated("令牌所属的用户不存在或已停用")
    allowed = None if client_id is None else scopes.permissions_of(scope)
    first = rows[0]
    bindings = tuple(
        Binding(
            id=r.binding_id,
            role=r.role,
            rank=r.rank,
            permissions=frozenset(r.permissions)
            if allowed is None
            else frozenset(r.permissions) & allowed,
            unit_id=r.unit_id,
            unit_path=r.unit_path,
            unit_kind=r.unit_kind,
            unit_name=r.unit_name,
            school_id=r.school_id,
        )
        for r in rows
        if r.binding_id is not None
    )
    return Principal(
        user_id=first.user_id,
        username=first.username,
        display_name=first.display_name,
        home_unit_id=first.home_unit_id,
        bindings=bindings,
        client_id=client_id,
        scope_paths=tuple(b.unit_path for b in bindings),
    )


_OPEN_DOOR = sa.text("SELECT set_config('app.door', 'oauth', true)")


async def open_door(conn: AsyncConnection) -> None:
    """Declare the transaction a door (``app.door``, local to it like a principal's settings):
    the sign-in and token endpoints, the CORS origins and the client policies read clients
    before any principal is bound, and row-level security shows the doors' rows only then
    (migration 0012)."""
    await conn.execute(_OPEN_DOOR)
