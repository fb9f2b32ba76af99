"""Refresh tokens (opaque, rotated, stored as digests) and the lookups of revocation (RFC 7009)
and introspection (RFC 7662).

Rotation: every exchange spends the presented refresh token and issues a new one for the same
grant, which keeps its original expiry (the family never outlives its grant). A spent token
presented again is reuse (RFC 9700 section 4.14.2): the whole grant is revoked, the newest
access and refresh tokens with it.

Access tokens are our signed JWTs and are not stored: revoking one records its ``jti`` in
``oauth_revoked_tokens`` until its ``exp``, and revokes its grant when it has one (RFC 7009
section 2.1: revoking may end the whole grant; here it always does, so revoking what a front
end holds signs it out).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.auth import client_secrets
from partyplan.auth.tokens import TokenError, TokenService

from .. import repository, rules
from .accounts import account

TokenKind = Literal["access_token", "refresh_token"]


async def store_refresh_token(
    conn: AsyncConnection, *, grant_id: int, token: str, now: datetime, expires_at: datetime
) -> None:
    await repository.insert_refresh_token(
        conn,
        token_hash=client_secrets.digest(token),
        grant_id=grant_id,
        issued_at=now,
        expires_at=expires_at,
    )


@dataclass(frozen=True, slots=True)
class RefreshRedemption:
    outcome: rules.Outcome
    grant_id: int | None = None
    user_id: int | None = None
    scope: str | None = None
    grant_expires_at: datetime | None = None


async def redeem_refresh_token(
    conn: AsyncConnection, *, token: str, client: rules.Client, now: datetime
) -> RefreshRedemption:
    """Spend ``token`` for ``client`` (GOOD), or revoke its grant on reuse (REUSED: the caller
    commits that although it refuses the request), or write nothing (WORTHLESS: unknown,
    expired, revoked, or another client's)."""
    token_hash = client_secrets.digest(token)
    row = await repository.refresh_token_for_update(conn, token_hash)
    outcome = rules.judge_row(
        row,
        spent=row is not None and row.spent_at is not None,
        presenting_client_pk=client.pk,
        now=now,
    )
    if outcome is rules.Outcome.REUSED:
        assert row is not None
        await repository.revoke_grant(conn, row.grant_id, now, "refresh token reused")
    if outcome is not rules.Outcome.GOOD:
        return RefreshRedemption(outcome)
    assert row is not None
    await repository.spend_refresh_token(conn, token_hash, now)
    return RefreshRedemption(
        outcome,
        grant_id=row.grant_id,
        user_id=row.user_id,
        scope=row.scope,
        grant_expires_at=row.grant_expires_at,
    )


@dataclass(frozen=True, slots=True)
class TokenView:
    """A presented token as revocation and introspection see it. ``stands`` is whether the API
    would accept it now (None: not asked); ``username`` is known only when it stands."""

    kind: TokenKind
    client_id: str
    client_unit_path: str
    subject: int
    scope: str
    issued_at: int
    expires_at: int
    grant_id: int | None
    token_id: str | None = None
    token_hash: bytes | None = None
    stands: bool | None = None
    username: str | None = None


def _timestamp(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp())


async def find_token(
    conn: AsyncConnection,
    tokens: TokenService,
    token: str,
    hint: str | None,
    now: datetime,
    *,
    with_standing: bool,
) -> TokenView | None:
    """The access token (a JWT that verifies, issued to a client) or refresh token ``token``
    is; the hint only decides which is tried first. With ``with_standing`` the view says
    whether the token stands — which binds its user to this transaction, so only the last
    step of a request may ask it."""
    order: tuple[TokenKind, ...] = (
        ("refresh_token", "access_token")
        if hint == "refresh_token"
        else ("access_token", "refresh_token")
    )
    for kind in order:
        if kind == "access_token":
            view = await _access_token(conn, tokens, token, now, with_standing)
        else:
            view = await _refresh_token(conn, token, now, with_standing)
        if view is not None:
            return view
    return None


async def _access_token(
    conn: AsyncConnection, tokens: TokenService, token: str, now: datetime, with_standing: bool
) -> TokenView | None:
    try:
        claims = tokens.verify(token, now=int(now.timestamp()))
    except TokenError:
        return None
    if claims.client_id is None or not claims.subject.isdigit():
        return None  # an operator's token: not the doors' to revoke or describe
    client = await repository.client_by_client_id(conn, claims.client_id)
    if client is None:
        return None
    view = TokenView(
        kind="access_token",
        client_id=claims.client_id,
        client_unit_path=client.unit_path,
        subject=int(claims.subject),
        scope=claims.scope or "",
        issued_at=claims.issued_at,
        expires_at=claims.expires_at,
        grant_id=claims.grant_id,
        token_id=claims.token_id,
    )
    if not with_standing:
        return view
    principal = await account(
        conn,
        view.subject,
        claims.client_id,
        grant_id=claims.grant_id,
        token_id=claims.token_id,
        scope=claims.scope,
    )
    return _standing(view, principal is not None, principal and principal.username)


async def _refresh_token(
    conn: AsyncConnection, token: str, now: datetime, with_standing: bool
) -> TokenView | None:
    row = await repository.refresh_token(conn, client_secrets.digest(token))
    if row is None:
        return None
    view = TokenView(
        kind="refresh_token",
        client_id=row.client_id,
        client_unit_path=row.client_unit_path,
        subject=row.user_id,
        scope=row.scope,
        issued_at=_timestamp(row.issued_at),
        expires_at=_timestamp(min(row.expires_at, row.grant_expires_at)),
        grant_id=row.grant_id,
        token_hash=client_secrets.digest(token),
    )
    if not with_standing:
        return view
    alive = (
        row.spent_at is None
        and row.grant_revoked_at is None
        and row.client_active
        and view.expires_at > now.timestamp()
    )
    principal = await account(conn, row.user_id) if alive else None
    return _standing(view, principal is not None, principal and principal.username)


def _standing(view: TokenView, stands: bool, username: str | None) -> TokenView:
    return dataclasses.replace(view, stands=stands, username=username or None)


async def revoke(conn: AsyncConnection, view: TokenView, now: datetime) -> None:
    """RFC 7009: end ``view`` and its grant. An access token's id is kept until its expiry
    (and the ids already past theirs are forgotten on the way)."""
    if view.kind == "access_token":
        assert view.token_id is not None
        expires_at = datetime.fromtimestamp(view.expires_at, UTC)
        await repository.forget_expired_token_ids(conn, now)
        await repository.revoke_token_id(conn, view.token_id, expires_at)
    else:
        assert view.token_hash is not None
        await repository.spend_refresh_token(conn, view.token_hash, now)
    if view.grant_id is not None:
        reason = f"{view.kind.replace('_', ' ')} revoked"
        await repository.revoke_grant(conn, view.grant_id, now, reason)
