"""Sign-in sessions of the authorization pages: a random id in an HttpOnly cookie, stored as a
digest, ending at a fixed time (no sliding: a stolen cookie is worth at most one lifetime) or
when signed out. A session opened with an initial password is marked: it authorizes nothing
until the password has been changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.auth import client_secrets

from .. import repository, rules

#: A session id is client_secrets.new_secret(): 43 characters; longer input is not one.
_MAX_ID = 64


@dataclass(frozen=True, slots=True)
class WebSession:
    id_hash: bytes
    user_id: int
    must_change_password: bool
    expires_at: datetime


async def start_session(
    conn: AsyncConnection,
    *,
    user_id: int,
    must_change_password: bool,
    now: datetime,
    ttl: timedelta,
    session_id: str | None = None,
) -> str:
    """A new session for a user who has just signed in; returns the cookie value. A password
    sign-in gets a new id (so no id chosen before signing in survives it); a sign-in through the
    province's provider passes the id chosen, secretly, when it started: its digest is the row's
    primary key, so a second callback under it fails, which makes the callback single use."""
    session_id = session_id or client_secrets.new_secret()
    await repository.insert_web_session(
        conn,
        id_hash=client_secrets.digest(session_id),
        user_id=user_id,
        now=now,
        expires_at=now + ttl,
        must_change_password=must_change_password,
    )
    return session_id


async def current_session(
    conn: AsyncConnection, cookie: str | None, now: datetime, *, touch: bool = True
) -> WebSession | None:
    """The live session the cookie names, or None. With ``touch`` it is recorded as seen now
    (a write: a transaction that must not have written yet, such as one changing a password,
    asks without)."""
    if not cookie or len(cookie) > _MAX_ID or not rules.is_vschar(cookie):
        return None
    id_hash = client_secrets.digest(cookie)
    row = await repository.web_session(conn, id_hash)
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    if touch:
        await repository.update_web_session(conn, id_hash, {"last_seen_at": now})
    return WebSession(id_hash, row.user_id, row.must_change_password, row.expires_at)


async def end_session(conn: AsyncConnection, cookie: str | None, now: datetime) -> None:
    session = await current_session(conn, cookie, now)
    if session is not None:
        await repository.update_web_session(conn, session.id_hash, {"ended_at": now})


async def password_changed(conn: AsyncConnection, session: WebSession) -> None:
    await repository.update_web_session(conn, session.id_hash, {"must_change_password": False})
