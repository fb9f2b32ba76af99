"""Refresh tokens: rotation, reuse revoking the whole grant (RFC 9700), binding to the client,
and the end of a client's or a user's tokens at the next request."""

from __future__ import annotations

import sqlalchemy as sa
from support import codes, scalar
from support_oauth import ME, create_front_end, graphql, refresh, set_password, tokens_for


async def _signed_in(client, world, owner_engine, **front_end):  # type: ignore[no-untyped-def]
    front = await create_front_end(owner_engine, world.units["A"], **front_end)
    await set_password(owner_engine, world.users["viewer"])
    return front, await tokens_for(client, front, "viewer")


async def test_each_refresh_rotates_the_refresh_token(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end, first = await _signed_in(client, world, owner_engine)
    second = await refresh(client, front_end, first["refresh_token"])
    assert second.status_code == 200, second.text
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert rotated["access_token"] != first["access_token"]
    assert rotated["scope"] == "read record"
    third = await refresh(client, front_end, rotated["refresh_token"])
    assert third.status_code == 200
    assert (await graphql(client, ME, third.json()["access_token"]))["data"]["me"]
    spent = await scalar(
        owner_engine, "SELECT count(*) FROM oauth_refresh_tokens WHERE spent_at IS NOT NULL"
    )
    assert spent == 2
    # The family keeps its grant's expiry: rotation does not extend it.
    expiries = await scalar(
        owner_engine, "SELECT count(DISTINCT r.expires_at) FROM oauth_refresh_tokens r"
    )
    assert expiries == 1


async def test_reusing_a_spent_refresh_token_revokes_the_family(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end, first = await _signed_in(client, world, owner_engine)
    rotated = (await refresh(client, front_end, first["refresh_token"])).json()
    assert (await graphql(client, ME, rotated["access_token"]))["data"]["me"]
    reused = await refresh(client, front_end, first["refresh_token"])
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")
    # The newest access token and the newest refresh token die with the grant.
    assert codes(await graphql(client, ME, rotated["access_token"])) == ["UNAUTHENTICATED"]
    assert codes(await graphql(client, ME, first["access_token"])) == ["UNAUTHENTICATED"]
    newest = await refresh(client, front_end, rotated["refresh_token"])
    assert newest.json()["error"] == "invalid_grant"
    reason = await scalar(owner_engine, "SELECT revoked_reason FROM oauth_grants")
    assert reason == "refresh token reused"


async def test_a_refresh_token_of_another_client_is_refused_and_changes_nothing(
    client, world, owner_engine
):  # type: ignore[no-untyped-def]
    front_end, first = await _signed_in(client, world, owner_engine)
    other = await create_front_end(owner_engine, world.units["A"], client_id="other-front-end")
    stolen = await refresh(client, other, first["refresh_token"])
    unknown = await refresh(client, other, "no-such-token")
    assert stolen.status_code == unknown.status_code == 400
    assert stolen.json() == unknown.json()  # tells nothing about the token
    assert (await refresh(client, front_end, first["refresh_token"])).status_code == 200
    revoked = await scalar(
        owner_engine, "SELECT count(*) FROM oauth_grants WHERE revoked_at IS NOT NULL"
    )
    assert revoked == 0


async def test_a_refresh_may_narrow_the_scope_never_widen_it(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end, first = await _signed_in(
        client, world, owner_engine, allowed_scopes=("read", "record", "manage")
    )
    wider = await refresh(client, front_end, first["refresh_token"], scope="read manage")
    assert wider.json()["error"] == "invalid_scope"
    narrower = await refresh(client, front_end, first["refresh_token"], scope="read")
    assert narrower.status_code == 200 and narrower.json()["scope"] == "read"


async def test_an_expired_grant_refreshes_nothing(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end, first = await _signed_in(client, world, owner_engine)
    lifetime = await scalar(
        owner_engine, "SELECT extract(epoch FROM expires_at - created_at)::int FROM oauth_grants"
    )
    assert lifetime == 30 * 24 * 3600
    async with owner_engine.begin() as conn:
        await conn.execute(sa.text("UPDATE oauth_grants SET expires_at = now()"))
    assert (await refresh(client, front_end, first["refresh_token"])).json()["error"] == (
        "invalid_grant"
    )


async def test_a_disabled_clients_tokens_are_refused_at_the_next_request(
    client, world, owner_engine
):  # type: ignore[no-untyped-def]
    front_end, first = await _signed_in(client, world, owner_engine)
    assert (await graphql(client, ME, first["access_token"]))["data"]["me"]
    async with owner_engine.begin() as conn:
        await conn.execute(sa.text("UPDATE oauth_clients SET active = false"))
    assert codes(await graphql(client, ME, first["access_token"])) == ["UNAUTHENTICATED"]
    refused = await refresh(client, front_end, first["refresh_token"])
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_client")


async def test_a_deactivated_users_tokens_are_refused(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end, first = await _signed_in(client, world, owner_engine)
    assert (await graphql(client, ME, first["access_token"]))["data"]["me"]
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE users SET active = false WHERE id = :id"), {"id": world.users["viewer"]}
        )
    assert codes(await graphql(client, ME, first["access_token"])) == ["UNAUTHENTICATED"]
    refused = await refresh(client, front_end, first["refresh_token"])
    assert refused.json()["error"] == "invalid_grant"
    # Refusing spent nothing: were the account reactivated, its grant would go on.
    spent = await scalar(
        owner_engine, "SELECT count(*) FROM oauth_refresh_tokens WHERE spent_at IS NOT NULL"
    )
    assert spent == 0
