"""Client credentials: a confidential service acts as its own account, within that account's
role bindings and the client's scopes."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa
from support import codes
from support_oauth import create_front_end, create_service, graphql, service_token

UNIT = "query($id: ID!) { unit(id: $id) { name } }"


def _unit(world, key: str) -> str:  # type: ignore[no-untyped-def]
    return UNIT.replace("query($id: ID!)", "query").replace("$id", f'"{world.gid(key)}"')


async def test_a_service_bound_at_school_a_reaches_a_and_not_b(client, world, owner_engine):  # type: ignore[no-untyped-def]
    service = await create_service(owner_engine, world.units["A"])
    response = await service_token(client, service)
    assert response.status_code == 200, response.text
    token = response.json()
    assert token["scope"] == "read sync"  # no scope asked: all it was registered for
    assert "refresh_token" not in token
    assert token["expires_in"] <= 900
    for key, name in (("A", "学校甲党委"), ("A1a", "甲院第一党支部")):
        assert (await graphql(client, _unit(world, key), token["access_token"]))["data"] == {
            "unit": {"name": name}
        }
    assert codes(await graphql(client, _unit(world, "B"), token["access_token"])) == ["NOT_FOUND"]


async def test_the_secret_may_come_in_the_body(client, world, owner_engine):  # type: ignore[no-untyped-def]
    service = await create_service(owner_engine, world.units["A"])
    response = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": service.client_id,
            "client_secret": service.secret,
            "scope": "read",
        },
    )
    assert response.status_code == 200 and response.json()["scope"] == "read"


@pytest.mark.parametrize(
    "auth",
    [
        pytest.param(lambda s: httpx.BasicAuth(s.client_id, s.secret + "x"), id="wrong-secret"),
        pytest.param(lambda s: httpx.BasicAuth(s.client_id, ""), id="empty-secret"),
        pytest.param(lambda s: httpx.BasicAuth("nobody", s.secret), id="unknown-client"),
        pytest.param(lambda s: None, id="no-credentials"),
    ],
)
async def test_a_wrong_secret_is_refused(client, world, owner_engine, auth):  # type: ignore[no-untyped-def]
    service = await create_service(owner_engine, world.units["A"])
    response = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=auth(service)
    )
    assert response.status_code in (400, 401)
    assert response.json()["error"] == "invalid_client"
    assert "access_token" not in response.json()


async def test_a_scope_beyond_the_registered_ones_is_refused(client, world, owner_engine):  # type: ignore[no-untyped-def]
    service = await create_service(owner_engine, world.units["A"])
    for scope in ("read manage", "pii", "bogus"):
        response = await service_token(client, service, scope)
        assert response.json()["error"] == "invalid_scope", scope


async def test_a_service_token_acts_within_its_scope(client, world, owner_engine):  # type: ignore[no-untyped-def]
    """The account may do more than "sync" allows; the token may not."""
    service = await create_service(
        owner_engine, world.units["A"], role="school_admin", allowed_scopes=("sync",)
    )
    token = (await service_token(client, service)).json()["access_token"]
    assert codes(await graphql(client, _unit(world, "A"), token)) == ["FORBIDDEN"]


async def test_a_disabled_service_gets_no_token_and_its_tokens_stop(client, world, owner_engine):  # type: ignore[no-untyped-def]
    service = await create_service(owner_engine, world.units["A"])
    token = (await service_token(client, service)).json()["access_token"]
    async with owner_engine.begin() as conn:
        await conn.execute(sa.text("UPDATE oauth_clients SET active = false"))
    assert (await service_token(client, service)).json()["error"] == "invalid_client"
    assert codes(await graphql(client, _unit(world, "A"), token)) == ["UNAUTHENTICATED"]


async def test_a_deactivated_service_account_gets_no_token(client, world, owner_engine):  # type: ignore[no-untyped-def]
    service = await create_service(owner_engine, world.units["A"])
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE users SET active = false WHERE id = :id"), {"id": service.user_id}
        )
    assert (await service_token(client, service)).json()["error"] == "invalid_client"


async def test_grants_are_kept_apart_by_client_kind(client, world, owner_engine):  # type: ignore[no-untyped-def]
    """A front end cannot use client credentials; a service cannot refresh or exchange codes."""
    front_end = await create_front_end(owner_engine, world.units["A"])
    service = await create_service(owner_engine, world.units["A"])
    public = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": front_end.client_id}
    )
    assert public.json()["error"] in ("invalid_client", "unauthorized_client")
    for grant in (
        {"grant_type": "refresh_token", "refresh_token": "x"},
        {"grant_type": "authorization_code", "code": "x", "redirect_uri": "x"},
    ):
        confidential = await client.post("/oauth/token", data=grant, auth=service.basic)
        assert confidential.json()["error"] in ("invalid_client", "unauthorized_client")
    unknown = await client.post("/oauth/token", data={"grant_type": "password"})
    assert unknown.json()["error"] == "unsupported_grant_type"
