"""Revocation (RFC 7009) and introspection (RFC 7662)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from support import codes, scalar
from support_oauth import (
    ME,
    create_front_end,
    create_service,
    graphql,
    refresh,
    service_token,
    set_password,
    tokens_for,
)


async def _signed_in(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    await set_password(owner_engine, world.users["viewer"])
    return front_end, await tokens_for(client, front_end, "viewer")


async def _revoke(client, front_end, token: str, hint: str | None = None):  # type: ignore[no-untyped-def]
    form = {"token": token, "client_id": front_end.client_id}
    if hint:
        form["token_type_hint"] = hint
    return await client.post("/oauth/revoke", data=form)


# --- revocation --------------------------------------------------------------------------------


async def test_revoking_a_refresh_token_ends_its_grant(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end, token = await _signed_in(client, world, owner_engine)
    response = await _revoke(client, front_end, token["refresh_token"], "refresh_token")
    assert (response.status_code, response.json()) == (200, {})
    assert (await refresh(client, front_end, token["refresh_token"])).json()["error"] == (
        "invalid_grant"
    )
    assert codes(await graphql(client, ME, token["access_token"])) == ["UNAUTHENTICATED"]


async def test_revoking_an_access_token_denies_its_id_until_expiry_and_ends_the_grant(
    client, world, owner_engine, platform
):  # type: ignore[no-untyped-def]
    front_end, token = await _signed_in(client, world, owner_engine)
    claims = platform.tokens.verify(token["access_token"])
    response = await _revoke(client, front_end, token["access_token"])  # no hint
    assert response.status_code == 200
    assert codes(await graphql(client, ME, token["access_token"])) == ["UNAUTHENTICATED"]
    kept_until = await scalar(
        owner_engine,
        "SELECT extract(epoch FROM expires_at)::bigint FROM oauth_revoked_tokens WHERE jti = :j",
        j=claims.token_id,
    )
    assert kept_until == claims.expires_at
    assert await scalar(owner_engine, "SELECT revoked_reason FROM oauth_grants") == (
        "access token revoked"
    )
    assert (await refresh(client, front_end, token["refresh_token"])).json()["error"] == (
        "invalid_grant"
    )


async def test_revoking_a_grantless_access_token_denies_only_that_token(
    client, world, owner_engine
):  # type: ignore[no-untyped-def]
    service = await create_service(owner_engine, world.units["A"])
    first = (await service_token(client, service)).json()["access_token"]
    second = (await service_token(client, service)).json()["access_token"]
    response = await client.post("/oauth/revoke", data={"token": first}, auth=service.basic)
    assert response.status_code == 200
    assert codes(await graphql(client, ME, first)) == ["UNAUTHENTICATED"]
    assert (await graphql(client, ME, second))["data"]["me"]


@pytest.mark.parametrize(
    "token",
    ["unknown", "a" * 2048, "eyJhbGciOiJub25lIn0.e30.", ""],
    ids=["short", "long", "jwt", "empty"],
)
async def test_an_unknown_token_is_answered_200(client, world, owner_engine, token):  # type: ignore[no-untyped-def]
    front_end, tokens = await _signed_in(client, world, owner_engine)
    response = await _revoke(client, front_end, token)
    assert response.status_code == 200
    assert (await graphql(client, ME, tokens["access_token"]))["data"]["me"]


async def test_another_clients_token_is_not_revoked(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end, token = await _signed_in(client, world, owner_engine)
    other = await create_front_end(owner_engine, world.units["A"], client_id="other-front-end")
    response = await _revoke(client, other, token["refresh_token"])
    assert response.status_code == 400
    assert (await graphql(client, ME, token["access_token"]))["data"]["me"]
    assert (await refresh(client, front_end, token["refresh_token"])).status_code == 200


async def test_an_unknown_client_cannot_revoke(client, world, owner_engine):  # type: ignore[no-untyped-def]
    _, token = await _signed_in(client, world, owner_engine)
    response = await client.post(
        "/oauth/revoke", data={"token": token["refresh_token"], "client_id": "nobody"}
    )
    assert response.json()["error"] == "invalid_client"
    assert (await graphql(client, ME, token["access_token"]))["data"]["me"]


# --- introspection -------------------------------------------------------------------------------


async def _introspect(client, service, token: str, hint: str | None = None):  # type: ignore[no-untyped-def]
    form = {"token": token}
    if hint:
        form["token_type_hint"] = hint
    return await client.post("/oauth/introspect", data=form, auth=service.basic)


async def test_a_live_token_is_described(client, world, owner_engine, platform):  # type: ignore[no-untyped-def]
    front_end, token = await _signed_in(client, world, owner_engine)
    resource = await create_service(owner_engine, world.units["A"], client_id="resource")
    claims = platform.tokens.verify(token["access_token"])
    described = (await _introspect(client, resource, token["access_token"])).json()
    assert described == {
        "active": True,
        "client_id": front_end.client_id,
        "scope": "read record",
        "sub": str(world.users["viewer"]),
        "username": "viewer",
        "token_type": "Bearer",
        "exp": claims.expires_at,
        "iat": claims.issued_at,
        "nbf": claims.issued_at,
        "iss": platform.settings.token_issuer,
        "aud": platform.settings.token_audience,
        "jti": claims.token_id,
    }
    refresh_described = (await _introspect(client, resource, token["refresh_token"])).json()
    assert refresh_described["active"] is True
    assert refresh_described["token_type"] == "refresh_token"
    # A refresh token expires with its grant, which began when the code was issued: a second
    # may have passed before the token was, so its own lifetime may be a second short of 30 days.
    grant_expires = await scalar(
        owner_engine,
        "SELECT floor(extract(epoch FROM g.expires_at))::bigint FROM oauth_grants g"
        " JOIN oauth_clients c ON c.id = g.client_pk WHERE c.client_id = :client_id",
        client_id=front_end.client_id,
    )
    assert refresh_described["exp"] == grant_expires
    assert 0 <= 30 * 24 * 3600 - (refresh_described["exp"] - refresh_described["iat"]) <= 5


async def test_revoked_expired_and_garbage_tokens_are_inactive(
    client, world, owner_engine, platform
):  # type: ignore[no-untyped-def]
    front_end, token = await _signed_in(client, world, owner_engine)
    resource = await create_service(owner_engine, world.units["A"], client_id="resource")
    past = int(time.time()) - 3600
    expired = platform.tokens.mint(
        str(world.users["viewer"]), 60, client_id=front_end.client_id, scope="read", now=past
    )
    for garbage in (expired, "garbage", "x" * 3000, token["access_token"][:-4] + "AAAA"):
        assert (await _introspect(client, resource, garbage)).json() == {"active": False}
    await _revoke(client, front_end, token["access_token"])
    for revoked in (token["access_token"], token["refresh_token"]):
        assert (await _introspect(client, resource, revoked)).json() == {"active": False}


async def test_a_deactivated_users_token_is_inactive(client, world, owner_engine):  # type: ignore[no-untyped-def]
    _, token = await _signed_in(client, world, owner_engine)
    resource = await create_service(owner_engine, world.units["A"], client_id="resource")
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE users SET active = false WHERE id = :id"), {"id": world.users["viewer"]}
        )
    for live in (token["access_token"], token["refresh_token"]):
        assert (await _introspect(client, resource, live)).json() == {"active": False}


async def test_only_an_authenticated_confidential_client_may_introspect(
    client, world, owner_engine
):  # type: ignore[no-untyped-def]
    front_end, token = await _signed_in(client, world, owner_engine)
    public = await client.post(
        "/oauth/introspect", data={"token": token["access_token"], "client_id": front_end.client_id}
    )
    anonymous = await client.post("/oauth/introspect", data={"token": token["access_token"]})
    for refused in (public, anonymous):
        assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
        assert "active" not in refused.json()
    resource = await create_service(owner_engine, world.units["A"], client_id="resource")
    resource_wrong = type(resource)(resource.pk, resource.client_id, "wrong", resource.user_id)
    refused = await _introspect(client, resource_wrong, token["access_token"])
    assert refused.status_code == 401


async def test_a_service_of_another_school_learns_nothing(client, world, owner_engine):  # type: ignore[no-untyped-def]
    _, token = await _signed_in(client, world, owner_engine)
    elsewhere = await create_service(owner_engine, world.units["B"], client_id="resource-b")
    assert (await _introspect(client, elsewhere, token["access_token"])).json() == {"active": False}
    above = await create_service(owner_engine, world.units["commission"], client_id="resource-c")
    assert (await _introspect(client, above, token["access_token"])).json()["active"] is True
