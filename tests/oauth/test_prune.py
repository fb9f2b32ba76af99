"""``partyplan doors prune`` forgets what can no longer matter and keeps what still guards:
a standing grant keeps its spent refresh tokens (their reuse revokes it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from support_oauth import create_front_end

from partyplan.resolvers.oauth.service.prune import prune

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
DAY = timedelta(days=1)


async def _grant(conn, client: int, user: int, *, expires: datetime, revoked=None) -> int:  # type: ignore[no-untyped-def]
    grant = await conn.scalar(
        sa.text(
            "INSERT INTO oauth_grants (client_pk, user_id, scope, created_at, expires_at,"
            " revoked_at) VALUES (:c, :u, 'read', :at, :e, :r) RETURNING id"
        ),
        {"c": client, "u": user, "at": NOW - 30 * DAY, "e": expires, "r": revoked},
    )
    await conn.execute(
        sa.text(
            "INSERT INTO oauth_codes (code_hash, grant_id, redirect_uri, code_challenge,"
            " code_challenge_method, expires_at, used_at)"
            " VALUES (:h, :g, 'https://x/cb', 'c', 'S256', :e, :e)"
        ),
        {"h": f"code-{grant}".encode(), "g": grant, "e": NOW - 29 * DAY},
    )
    await conn.execute(
        sa.text(
            "INSERT INTO oauth_refresh_tokens (token_hash, grant_id, issued_at, expires_at,"
            " spent_at) VALUES (:h, :g, :at, :e, :at)"
        ),
        {"h": f"refresh-{grant}".encode(), "g": grant, "at": NOW - 2 * DAY, "e": expires},
    )
    return grant


async def _left(conn, table: str, column: str) -> set:  # type: ignore[no-untyped-def,type-arg]
    return set((await conn.execute(sa.text(f"SELECT {column} FROM {table}"))).scalars())


async def test_prune_deletes_what_ended_and_keeps_what_still_guards(world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    client = (await create_front_end(owner_engine, world.units["commission"])).pk
    user = world.users["viewer"]
    async with owner_engine.begin() as conn:
        standing = await _grant(conn, client, user, expires=NOW + DAY)
        expired = await _grant(conn, client, user, expires=NOW - 2 * DAY)
        revoked_long_ago = await _grant(
            conn, client, user, expires=NOW + DAY, revoked=NOW - 2 * DAY
        )
        revoked_just_now = await _grant(conn, client, user, expires=NOW + DAY, revoked=NOW)
        for name, expires, ended in (
            ("live", NOW + DAY, None),
            ("expired", NOW - 2 * DAY, None),
            ("ended", NOW + DAY, NOW - 2 * DAY),
        ):
            await conn.execute(
                sa.text(
                    "INSERT INTO web_sessions (id_hash, user_id, created_at, last_seen_at,"
                    " expires_at, ended_at) VALUES (:h, :u, :at, :at, :e, :ended)"
                ),
                {"h": name.encode(), "u": user, "at": NOW - 3 * DAY, "e": expires, "ended": ended},
            )
        await conn.execute(
            sa.text("INSERT INTO oauth_revoked_tokens VALUES ('old', :past), ('recent', :future)"),
            {"past": NOW - timedelta(minutes=1), "future": NOW + timedelta(minutes=10)},
        )

    async with owner_engine.begin() as conn:
        deleted = await prune(conn, NOW)
    assert deleted == {
        "oauth_codes": 4,  # every code had expired 29 days ago; a used code guards no more
        "oauth_refresh_tokens": 2,
        "oauth_grants": 2,
        "web_sessions": 2,
        "oauth_revoked_tokens": 1,
    }
    async with owner_engine.connect() as conn:
        assert await _left(conn, "oauth_grants", "id") == {standing, revoked_just_now}
        assert expired not in await _left(conn, "oauth_grants", "id")
        assert revoked_long_ago not in await _left(conn, "oauth_grants", "id")
        # The standing grant's spent refresh token stays: presenting it again revokes the grant.
        assert await _left(conn, "oauth_refresh_tokens", "grant_id") == {
            standing,
            revoked_just_now,
        }
        assert await _left(conn, "web_sessions", "id_hash") == {b"live"}
        assert await _left(conn, "oauth_revoked_tokens", "jti") == {"recent"}
    async with owner_engine.begin() as conn:
        assert set((await prune(conn, NOW)).values()) == {0}  # idempotent
