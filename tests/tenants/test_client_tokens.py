"""A token issued through a client stands only while its client, its grant and its own id do,
and acts only within its scopes: checked on every bound request (tenants/binding.py,
``app_token_valid``)."""

from __future__ import annotations

import time

import sqlalchemy as sa
from support import codes

ME = "{ me { user { username } } }"
RENAME = (
    'mutation($id: ID!) { renameUnit(input: {unitId: $id, name: "新名"})'
    " { unit { name } errors { code } } }"
)


async def _client(owner_engine, world, client_id: str = "console") -> int:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        return await conn.scalar(
            sa.text(
                "INSERT INTO oauth_clients (client_id, name, kind, allowed_scopes, unit_id,"
                " unit_path, cost_budget, requests_per_minute, redirect_uris)"
                " SELECT :client, 'console', 'front_end', '{read,record,manage}', id, path,"
                " 1000, 600, '{https://console.example/cb}' FROM units WHERE id = :c"
                " RETURNING id"
            ),
            {"client": client_id, "c": world.units["commission"]},
        )


async def _grant(owner_engine, client_pk: int, user_id: int) -> int:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        return await conn.scalar(
            sa.text(
                "INSERT INTO oauth_grants (client_pk, user_id, scope, created_at, expires_at)"
                " VALUES (:c, :u, 'read', now(), now() + interval '1 day') RETURNING id"
            ),
            {"c": client_pk, "u": user_id},
        )


async def test_token_of_an_unregistered_client_is_refused(gql, world, platform) -> None:  # type: ignore[no-untyped-def]
    token = platform.tokens.mint(str(world.users["viewer"]), 300, client_id="nobody-knows")
    assert codes(await gql(ME, {}, token)) == ["UNAUTHENTICATED"]


async def test_disabling_the_client_ends_its_tokens_at_the_next_request(  # type: ignore[no-untyped-def]
    gql, world, platform, owner_engine
) -> None:
    await _client(owner_engine, world)
    token = platform.tokens.mint(str(world.users["viewer"]), 300, client_id="console", scope="read")
    assert (await gql(ME, {}, token))["data"]["me"]["user"]["username"] == "viewer"
    async with owner_engine.begin() as conn:
        await conn.execute(sa.text("UPDATE oauth_clients SET active = false"))
    assert codes(await gql(ME, {}, token)) == ["UNAUTHENTICATED"]


async def test_a_revoked_grant_ends_every_token_issued_from_it(  # type: ignore[no-untyped-def]
    gql, world, platform, owner_engine
) -> None:
    client_pk = await _client(owner_engine, world)
    user = world.users["viewer"]
    grant, other = (
        await _grant(owner_engine, client_pk, user),
        await _grant(owner_engine, client_pk, user),
    )
    first = platform.tokens.mint(str(user), 300, client_id="console", scope="read", grant_id=grant)
    second = platform.tokens.mint(str(user), 300, client_id="console", scope="read", grant_id=other)
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE oauth_grants SET revoked_at = now() WHERE id = :g"), {"g": grant}
        )
    assert codes(await gql(ME, {}, first)) == ["UNAUTHENTICATED"]
    assert "errors" not in await gql(ME, {}, second)


async def test_a_grant_of_another_client_does_not_vouch_for_a_token(  # type: ignore[no-untyped-def]
    gql, world, platform, owner_engine
) -> None:
    await _client(owner_engine, world, "console")
    other_pk = await _client(owner_engine, world, "other")
    grant = await _grant(owner_engine, other_pk, world.users["viewer"])
    token = platform.tokens.mint(
        str(world.users["viewer"]), 300, client_id="console", scope="read", grant_id=grant
    )
    assert codes(await gql(ME, {}, token)) == ["UNAUTHENTICATED"]


async def test_a_revoked_token_id_is_refused(gql, world, platform, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await _client(owner_engine, world)
    token = platform.tokens.mint(str(world.users["viewer"]), 300, client_id="console", scope="read")
    jti = platform.tokens.verify(token).token_id
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("INSERT INTO oauth_revoked_tokens VALUES (:j, to_timestamp(:e))"),
            {"j": jti, "e": time.time() + 300},
        )
    assert codes(await gql(ME, {}, token)) == ["UNAUTHENTICATED"]


async def test_scopes_narrow_what_the_roles_grant(gql, world, platform, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await _client(owner_engine, world)
    admin = str(world.users["school_admin"])
    read_only = platform.tokens.mint(admin, 300, client_id="console", scope="read")
    managing = platform.tokens.mint(admin, 300, client_id="console", scope="read manage")
    variables = {"id": world.gid("A1a")}
    assert codes(await gql(RENAME, variables, read_only)) == ["FORBIDDEN"]
    renamed = await gql(RENAME, variables, managing)
    assert renamed["data"]["renameUnit"]["unit"]["name"] == "新名"
    # Scopes never add: a viewer's token with every scope still cannot rename.
    viewer = platform.tokens.mint(
        str(world.users["viewer"]), 300, client_id="console", scope="read record manage"
    )
    assert codes(await gql(RENAME, variables, viewer)) == ["FORBIDDEN"]


async def test_operator_tokens_without_a_client_are_not_narrowed(gql, world) -> None:  # type: ignore[no-untyped-def]
    renamed = await gql(RENAME, {"id": world.gid("A1a")}, world.tokens["school_admin"])
    assert renamed["data"]["renameUnit"]["unit"]["name"] == "新名"
