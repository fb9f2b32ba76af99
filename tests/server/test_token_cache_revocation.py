"""A token whose verification the process remembers (auth/token_cache.py) is still refused the
moment it no longer stands: a revoked token id, a revoked grant, a disabled client, a
deactivated user — each asked of the database at every bind (tenants/binding.py). Each test
checks that the refused request's token did come from the cache."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from support import codes

ME = "{ me { user { username } } }"


async def _client(owner_engine: Any, world: Any) -> int:
    async with owner_engine.begin() as conn:
        return await conn.scalar(
            sa.text(
                "INSERT INTO oauth_clients (client_id, name, kind, allowed_scopes, unit_id,"
                " unit_path, cost_budget, requests_per_minute, redirect_uris)"
                " SELECT 'console', 'console', 'front_end', '{read,record,manage}', id, path,"
                " 1000, 600, '{https://console.example/cb}' FROM units WHERE id = :c"
                " RETURNING id"
            ),
            {"c": world.units["commission"]},
        )


async def _grant(owner_engine: Any, client_pk: int, user_id: int) -> int:
    async with owner_engine.begin() as conn:
        return await conn.scalar(
            sa.text(
                "INSERT INTO oauth_grants (client_pk, user_id, scope, created_at, expires_at)"
                " VALUES (:c, :u, 'read', now(), now() + interval '1 day') RETURNING id"
            ),
            {"c": client_pk, "u": user_id},
        )


async def _owner(owner_engine: Any, statement: str, **params: Any) -> None:
    async with owner_engine.begin() as conn:
        await conn.execute(sa.text(statement), params)


async def _served_twice(gql: Any, platform: Any, token: str) -> int:
    """Two accepted requests, the second's token from the cache; the cache's hits so far."""
    cache = platform.tokens.cache
    assert cache is not None, "the platform's settings keep a token cache by default"
    for _ in range(2):
        assert (await gql(ME, {}, token))["data"]["me"]["user"]["username"]
    return cache.hits


async def _refused_from_the_cache(gql: Any, platform: Any, token: str, hits: int) -> None:
    assert codes(await gql(ME, {}, token)) == ["UNAUTHENTICATED"]
    assert platform.tokens.cache.hits > hits  # verified from the cache, refused at the bind


async def test_a_revoked_token_id_is_refused_while_its_verification_is_cached(  # type: ignore[no-untyped-def]
    gql, world, platform, owner_engine
) -> None:
    await _client(owner_engine, world)
    token = platform.tokens.mint(str(world.users["viewer"]), 300, client_id="console", scope="read")
    hits = await _served_twice(gql, platform, token)
    await _owner(
        owner_engine,
        "INSERT INTO oauth_revoked_tokens VALUES (:j, to_timestamp(:e))",
        j=platform.tokens.verify(token).token_id,
        e=time.time() + 300,
    )
    await _refused_from_the_cache(gql, platform, token, hits)


async def test_a_revoked_grant_ends_a_cached_token(gql, world, platform, owner_engine) -> None:  # type: ignore[no-untyped-def]
    client_pk = await _client(owner_engine, world)
    user = world.users["viewer"]
    grant = await _grant(owner_engine, client_pk, user)
    token = platform.tokens.mint(str(user), 300, client_id="console", scope="read", grant_id=grant)
    hits = await _served_twice(gql, platform, token)
    await _owner(owner_engine, "UPDATE oauth_grants SET revoked_at = now() WHERE id = :g", g=grant)
    await _refused_from_the_cache(gql, platform, token, hits)


async def test_a_disabled_client_ends_a_cached_token(gql, world, platform, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await _client(owner_engine, world)
    token = platform.tokens.mint(str(world.users["viewer"]), 300, client_id="console", scope="read")
    hits = await _served_twice(gql, platform, token)
    await _owner(owner_engine, "UPDATE oauth_clients SET active = false")
    await _refused_from_the_cache(gql, platform, token, hits)


async def test_a_deactivated_user_ends_a_cached_token(gql, world, platform, owner_engine) -> None:  # type: ignore[no-untyped-def]
    token = platform.tokens.mint(str(world.users["viewer"]), 300)
    hits = await _served_twice(gql, platform, token)
    await _owner(
        owner_engine, "UPDATE users SET active = false WHERE id = :u", u=world.users["viewer"]
    )
    await _refused_from_the_cache(gql, platform, token, hits)
