"""The authorization code flow with PKCE, end to end over HTTP: the pages, the token endpoint,
and the token at /graphql."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from support import codes, scalar
from support_oauth import (
    ME,
    authorize_url,
    code_for,
    consent,
    create_front_end,
    exchange,
    graphql,
    pkce,
    redirect_params,
    set_password,
    sign_in,
    tokens_for,
)

from partyplan.auth.scopes import SCOPES

UPDATE = """mutation($id: ID!) { updateUser(input: {userId: $id, displayName: "改名"})
  { user { displayName } errors { code } } }"""


async def test_code_and_pkce_give_a_token_that_works_at_graphql(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    await set_password(owner_engine, world.users["viewer"])
    token = await tokens_for(client, front_end, "viewer")
    assert token["token_type"] == "Bearer"
    assert token["scope"] == "read record"
    assert 0 < token["expires_in"] <= 900
    assert token["refresh_token"]
    result = await graphql(client, ME, token["access_token"])
    assert result == {"data": {"me": {"user": {"username": "viewer"}}}}


@pytest.mark.parametrize(("scope", "allowed"), [("read", False), ("read manage", True)])
async def test_a_read_token_cannot_run_a_mutation(client, world, owner_engine, scope, allowed):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(
        owner_engine, world.units["A"], allowed_scopes=("read", "record", "manage")
    )
    await set_password(owner_engine, world.users["school_admin"])
    token = await tokens_for(client, front_end, "school-admin", scope=scope)
    document = UPDATE.replace("($id: ID!)", "").replace("$id", f'"{world.uid("viewer")}"')
    result = await graphql(client, document, token["access_token"])
    if allowed:  # the positive control: the same account with "manage" may
        assert result["data"]["updateUser"] == {"user": {"displayName": "改名"}, "errors": []}
    else:
        assert codes(result) == ["FORBIDDEN"]


async def test_consent_names_the_client_and_each_scope_and_echoes_state(
    client, world, owner_engine
):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"], name="党建<前端>")
    await set_password(owner_engine, world.users["viewer"])
    _, challenge = pkce()
    state = "a b/c?d&e=f%20~"
    page = await client.get(authorize_url(front_end, challenge, state=state))
    signed_in = await sign_in(client, page, "viewer")
    page = await client.get(signed_in.headers["location"])
    assert "党建&lt;前端&gt;" in page.text  # named, and escaped
    for name in ("read", "record"):
        assert SCOPES[name].title in page.text
    assert SCOPES["manage"].title not in page.text
    approved = await consent(client, page)
    params = redirect_params(approved)
    assert approved.headers["location"].startswith(front_end.redirect_uri + "?")
    assert params["state"] == state
    # RFC 9207: the answer names its issuer.
    assert params["iss"] == "http://localhost:8000"
    assert set(params) == {"code", "state", "iss"}


async def test_deny_answers_access_denied_with_state(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    await set_password(owner_engine, world.users["viewer"])
    _, challenge = pkce()
    page = await client.get(authorize_url(front_end, challenge))
    page = await client.get((await sign_in(client, page, "viewer")).headers["location"])
    denied = await consent(client, page, "deny")
    assert denied.status_code == 303
    assert redirect_params(denied) == {
        "error": "access_denied",
        "error_description": "The resource owner or authorization server denied the request",
        "state": "xyz-state-42",
        "iss": "http://localhost:8000",
    }
    assert await scalar(owner_engine, "SELECT count(*) FROM oauth_grants") == 0


async def test_plain_pkce_is_refused(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    verifier, _ = pkce()
    for method in ("plain", None):  # a missing method would mean plain (RFC 7636 4.3)
        refused = await client.get(authorize_url(front_end, verifier, code_challenge_method=method))
        assert refused.status_code == 302
        params = redirect_params(refused)
        assert params["error"] == "invalid_request" and params["state"] == "xyz-state-42"


async def test_a_missing_challenge_is_refused(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    refused = await client.get(
        authorize_url(front_end, "", code_challenge=None, code_challenge_method=None)
    )
    assert redirect_params(refused)["error"] == "invalid_request"


@pytest.mark.parametrize("verifier", [None, "wrong", "w" * 64])
async def test_a_missing_or_wrong_verifier_is_refused(client, world, owner_engine, verifier):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    await set_password(owner_engine, world.users["viewer"])
    right, challenge = pkce()
    code = await code_for(client, front_end, "viewer", challenge)
    refused = await exchange(client, front_end, code, verifier)
    assert refused.status_code == 400
    assert refused.json()["error"] in ("invalid_request", "invalid_grant")
    # Refusing did not spend the code: the right verifier still works.
    assert (await exchange(client, front_end, code, right)).status_code == 200


async def test_a_reused_code_is_refused_and_revokes_its_grant(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    await set_password(owner_engine, world.users["viewer"])
    verifier, challenge = pkce()
    code = await code_for(client, front_end, "viewer", challenge)
    first = await exchange(client, front_end, code, verifier)
    assert first.status_code == 200
    access = first.json()["access_token"]
    assert (await graphql(client, ME, access))["data"]["me"]["user"]["username"] == "viewer"
    again = await exchange(client, front_end, code, verifier)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    assert codes(await graphql(client, ME, access)) == ["UNAUTHENTICATED"]
    reason = await scalar(owner_engine, "SELECT revoked_reason FROM oauth_grants")
    assert reason == "code reused"
    refreshed = await client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": first.json()["refresh_token"],
            "client_id": front_end.client_id,
        },
    )
    assert refreshed.json()["error"] == "invalid_grant"


async def test_a_code_of_another_client_is_refused(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    other = await create_front_end(
        owner_engine,
        world.units["A"],
        client_id="other-front-end",
        redirect_uris=(front_end.redirect_uri,),
    )
    await set_password(owner_engine, world.users["viewer"])
    verifier, challenge = pkce()
    code = await code_for(client, front_end, "viewer", challenge)
    stolen = await exchange(client, other, code, verifier)
    assert (stolen.status_code, stolen.json()["error"]) == (400, "invalid_grant")
    # Nothing was revoked or spent: the rightful client still gets its token.
    assert (await exchange(client, front_end, code, verifier)).status_code == 200
    assert (
        await scalar(owner_engine, "SELECT count(*) FROM oauth_grants WHERE revoked_at IS NOT NULL")
        == 0
    )


async def test_the_redirect_uri_must_be_the_same_at_the_token_endpoint(client, world, owner_engine):  # type: ignore[no-untyped-def]
    second = "https://app.example.edu/other"
    front_end = await create_front_end(
        owner_engine, world.units["A"], redirect_uris=("https://app.example.edu/callback", second)
    )
    await set_password(owner_engine, world.users["viewer"])
    verifier, challenge = pkce()
    code = await code_for(client, front_end, "viewer", challenge)
    for uri in (second, None):
        refused = await exchange(client, front_end, code, verifier, redirect_uri=uri)
        assert refused.json()["error"] == "invalid_grant"


async def test_an_expired_code_is_refused(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    await set_password(owner_engine, world.users["viewer"])
    verifier, challenge = pkce()
    code = await code_for(client, front_end, "viewer", challenge)
    lifetime = await scalar(
        owner_engine,
        "SELECT extract(epoch FROM c.expires_at - g.created_at)::int"
        " FROM oauth_codes c JOIN oauth_grants g ON g.id = c.grant_id",
    )
    assert lifetime == 60
    async with owner_engine.begin() as conn:
        await conn.execute(sa.text("UPDATE oauth_codes SET expires_at = now() - interval '1 s'"))
    refused = await exchange(client, front_end, code, verifier)
    assert refused.json()["error"] == "invalid_grant"


async def test_codes_and_refresh_tokens_are_stored_as_digests(
    client, world, owner_engine, platform
):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    await set_password(owner_engine, world.users["viewer"])
    verifier, challenge = pkce()
    code = await code_for(client, front_end, "viewer", challenge)
    token = (await exchange(client, front_end, code, verifier)).json()
    dumped = await scalar(
        owner_engine,
        "SELECT string_agg(t::text, '') FROM (SELECT row_to_json(c)::text AS t FROM oauth_codes c"
        " UNION ALL SELECT row_to_json(r)::text FROM oauth_refresh_tokens r"
        " UNION ALL SELECT row_to_json(s)::text FROM web_sessions s) x",
    )
    assert code not in dumped and token["refresh_token"] not in dumped
    claims = platform.tokens.verify(token["access_token"])
    grant_id = await scalar(owner_engine, "SELECT id FROM oauth_grants")
    assert (claims.subject, claims.client_id, claims.scope, claims.grant_id) == (
        str(world.users["viewer"]),
        front_end.client_id,
        "read record",
        grant_id,
    )
    assert claims.expires_at - claims.issued_at == 900
