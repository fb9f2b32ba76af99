"""SQL of the doors: clients by ``client_id``, grants, codes, refresh tokens, revoked token ids
and sign-in sessions. Credentials arrive here as digests only (``auth.client_secrets``).

Every function expects a transaction that ran ``tenants.binding.open_door`` first: the door tables'
row-level security admits nothing else (migration 0012).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.models import (
    oauth_clients,
    oauth_codes,
    oauth_grants,
    oauth_refresh_tokens,
    oauth_revoked_tokens,
    web_sessions,
)

# --- clients ---------------------------------------------------------------------------------

CLIENT_COLUMNS = (
    oauth_clients.c.id,
    oauth_clients.c.client_id,
    oauth_clients.c.name,
    oauth_clients.c.kind,
    oauth_clients.c.secret_hash,
    oauth_clients.c.redirect_uris,
    oauth_clients.c.allowed_scopes,
    oauth_clients.c.unit_path,
    oauth_clients.c.service_user_id,
    oauth_clients.c.active,
)


async def client_by_client_id(conn: AsyncConnection, client_id: str) -> sa.Row | None:
    stmt = sa.select(*CLIENT_COLUMNS).where(oauth_clients.c.client_id == client_id)
    return (await conn.execute(stmt)).first()


# --- grants and codes ------------------------------------------------------------------------


async def insert_grant(
    conn: AsyncConnection,
    *,
    client_pk: int,
    user_id: int,
    scope: str,
    now: datetime,
    expires_at: datetime,
) -> int:
    stmt = (
        sa.insert(oauth_grants)
        .values(
            client_pk=client_pk, user_id=user_id, scope=scope, created_at=now, expires_at=expires_at
        )
        .returning(oauth_grants.c.id)
    )
    return (await conn.execute(stmt)).scalar_one()


async def revoke_grant(conn: AsyncConnection, grant_id: int, now: datetime, reason: str) -> None:
    """Revoke once: the first reason stays."""
    stmt = (
        sa.update(oauth_grants)
        .where(oauth_grants.c.id == grant_id, oauth_grants.c.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    await conn.execute(stmt)


async def grant_standing(conn: AsyncConnection, grant_id: int) -> sa.Row | None:
    """A grant with its client's ``client_id`` and ``active`` flag."""
    stmt = (
        sa.select(
            oauth_grants.c.id,
            oauth_grants.c.user_id,
            oauth_grants.c.scope,
            oauth_grants.c.expires_at,
            oauth_grants.c.revoked_at,
            oauth_clients.c.client_id,
            oauth_clients.c.active.label("client_active"),
        )
        .join(oauth_clients, oauth_clients.c.id == oauth_grants.c.client_pk)
        .where(oauth_grants.c.id == grant_id)
    )
    return (await conn.execute(stmt)).first()


async def insert_code(
    conn: AsyncConnection,
    *,
    code_hash: bytes,
    grant_id: int,
    redirect_uri: str,
    code_challenge: str,
    code_challenge_method: str,
    expires_at: datetime,
) -> None:
    stmt = sa.insert(oauth_codes).values(
        code_hash=code_hash,
        grant_id=grant_id,
        redirect_uri=redirect_uri,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
        expires_at=expires_at,
    )
    await conn.execute(stmt)


_GRANT_COLUMNS = (
    oauth_grants.c.id.label("grant_id"),
    oauth_grants.c.client_pk,
    oauth_grants.c.user_id,
    oauth_grants.c.scope,
    oauth_grants.c.expires_at.label("grant_expires_at"),
    oauth_grants.c.revoked_at.label("grant_revoked_at"),
)


async def code_for_update(conn: AsyncConnection, code_hash: bytes) -> sa.Row | None:
    """The code with its grant, the code's row locked to the end of the transaction: two
    exchanges of one code run one after the other, and the second sees it spent."""
    stmt = (
        sa.select(
            oauth_codes.c.redirect_uri,
            oauth_codes.c.code_challenge,
            oauth_codes.c.code_challenge_method,
            oauth_codes.c.expires_at,
            oauth_codes.c.used_at,
            *_GRANT_COLUMNS,
        )
        .join(oauth_grants, oauth_grants.c.id == oauth_codes.c.grant_id)
        .where(oauth_codes.c.code_hash == code_hash)
        .with_for_update(of=oauth_codes)
    )
    return (await conn.execute(stmt)).first()


async def spend_code(conn: AsyncConnection, code_hash: bytes, now: datetime) -> None:
    stmt = sa.update(oauth_codes).where(oauth_codes.c.code_hash == code_hash).values(used_at=now)
    await conn.execute(stmt)


# --- refresh tokens --------------------------------------------------------------------------


async def insert_refresh_token(
    conn: AsyncConnection,
    *,
    token_hash: bytes,
    grant_id: int,
    issued_at: datetime,
    expires_at: datetime,
) -> None:
    stmt = sa.insert(oauth_refresh_tokens).values(
        token_hash=token_hash, grant_id=grant_id, issued_at=issued_at, expires_at=expires_at
    )
    await conn.execute(stmt)


def _refresh_select() -> sa.Select:
    return (
        sa.select(
            oauth_refresh_tokens.c.issued_at,
            oauth_refresh_tokens.c.expires_at,
            oauth_refresh_tokens.c.spent_at,
            *_GRANT_COLUMNS,
            oauth_clients.c.client_id,
            oauth_clients.c.unit_path.label("client_unit_path"),
            oauth_clients.c.active.label("client_active"),
        )
        .join(oauth_grants, oauth_grants.c.id == oauth_refresh_tokens.c.grant_id)
        .join(oauth_clients, oauth_clients.c.id == oauth_grants.c.client_pk)
    )


async def refresh_token_for_update(conn: AsyncConnection, token_hash: bytes) -> sa.Row | None:
    """The refresh token with its grant and client, its row locked (as codes are)."""
    stmt = (
        _refresh_select()
        .where(oauth_refresh_tokens.c.token_hash == token_hash)
        .with_for_update(of=oauth_refresh_tokens)
    )
    return (await conn.execute(stmt)).first()


async def refresh_token(conn: AsyncConnection, token_hash: bytes) -> sa.Row | None:
    stmt = _refresh_select().where(oauth_refresh_tokens.c.token_hash == token_hash)
    return (await conn.execute(stmt)).first()


async def spend_refresh_token(conn: AsyncConnection, token_hash: bytes, now: datetime) -> None:
    stmt = (
        sa.update(oauth_refresh_tokens)
        .where(
            oauth_refresh_tokens.c.token_hash == token_hash,
            oauth_refresh_tokens.c.spent_at.is_(None),
        )
        .values(spent_at=now)
    )
    await conn.execute(stmt)


# --- revoked access tokens -------------------------------------------------------------------


async def revoke_token_id(conn: AsyncConnection, jti: str, expires_at: datetime) -> None:
    stmt = pg_insert(oauth_revoked_tokens).values(jti=jti, expires_at=expires_at)
    await conn.execute(stmt.on_conflict_do_nothing(index_elements=[oauth_revoked_tokens.c.jti]))


async def token_id_revoked(conn: AsyncConnection, jti: str) -> bool:
    stmt = sa.select(sa.literal(1)).where(oauth_revoked_tokens.c.jti == jti)
    return (await conn.execute(stmt)).first() is not None


async def forget_expired_token_ids(conn: AsyncConnection, now: datetime) -> None:
    """An id past its token's expiry guards nothing (the token fails on ``exp``)."""
    stmt = sa.delete(oauth_revoked_tokens).where(oauth_revoked_tokens.c.expires_at < now)
    await conn.execute(stmt)


# --- sign-in sessions ------------------------------------------------------------------------


async def insert_web_session(
    conn: AsyncConnection,
    *,
    id_hash: bytes,
    user_id: int,
    now: datetime,
    expires_at: datetime,
    must_change_password: bool,
) -> None:
    stmt = sa.insert(web_sessions).values(
        id_hash=id_hash,
        user_id=user_id,
        created_at=now,
        last_seen_at=now,
        expires_at=expires_at,
        must_change_password=must_change_password,
    )
    await conn.execute(stmt)


async def web_session(conn: AsyncConnection, id_hash: bytes) -> sa.Row | None:
    stmt = sa.select(web_sessions).where(web_sessions.c.id_hash == id_hash)
    return (await conn.execute(stmt)).first()


async def update_web_session(
    conn: AsyncConnection, id_hash: bytes, values: dict[str, object]
) -> None:
    stmt = sa.update(web_sessions).where(web_sessions.c.id_hash == id_hash).values(**values)
    await conn.execute(stmt)


# --- pruning ---------------------------------------------------------------------------------


async def prune(conn: AsyncConnection, now: datetime, keep: timedelta) -> dict[str, int]:
    """Delete what can no longer matter (``keep`` after it stopped mattering), one statement
    per table, children before their grants; the numbers deleted per table.

    A grant matters until it expires or is revoked: while it stands, its spent refresh tokens
    and used codes must stay, since presenting one again is the reuse that revokes the grant.
    Once it has ended, nothing issued from it works (its access tokens fail ``app_token_valid``
    with or without the row), so it goes with its codes and tokens. A code past its expiry can
    only be refused. A sign-in session that ended or expired, and a revoked token id past its
    token's expiry, guard nothing.
    """
    ended = sa.select(oauth_grants.c.id).where(
        sa.or_(oauth_grants.c.expires_at < now - keep, oauth_grants.c.revoked_at < now - keep)
    )
    statements = {
        "oauth_codes": sa.delete(oauth_codes).where(
            sa.or_(oauth_codes.c.grant_id.in_(ended), oauth_codes.c.expires_at < now - keep)
        ),
        "oauth_refresh_tokens": sa.delete(oauth_refresh_tokens).where(
            oauth_refresh_tokens.c.grant_id.in_(ended)
        ),
        "oauth_grants": sa.delete(oauth_grants).where(
            oauth_grants.c.id.in_(ended),
            ~sa.exists().where(oauth_codes.c.grant_id == oauth_grants.c.id),
            ~sa.exists().where(oauth_refresh_tokens.c.grant_id == oauth_grants.c.id),
        ),
        "web_sessions": sa.delete(web_sessions).where(
            sa.or_(web_sessions.c.expires_at < now - keep, web_sessions.c.ended_at < now - keep)
        ),
        "oauth_revoked_tokens": sa.delete(oauth_revoked_tokens).where(
            oauth_revoked_tokens.c.expires_at < now
        ),
    }
    return {table: (await conn.execute(stmt)).rowcount for table, stmt in statements.items()}
