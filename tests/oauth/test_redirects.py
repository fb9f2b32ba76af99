"""Where the authorization endpoint may send a browser: only to a redirect URI the client
registered, byte for byte. Anything else is an error page of ours, never a redirect."""

from __future__ import annotations

import pytest
from support import scalar
from support_oauth import (
    REDIRECT,
    authorize_url,
    create_front_end,
    create_service,
    pkce,
    redirect_params,
)

VARIANTS = [
    pytest.param(REDIRECT + "/", id="trailing-slash"),
    pytest.param(REDIRECT.upper(), id="case"),
    pytest.param("https://APP.example.edu/callback", id="host-case"),
    pytest.param(REDIRECT + "?next=https://evil.example", id="extra-query"),
    pytest.param("https://evil.example@app.example.edu/callback", id="userinfo"),
    pytest.param("https://app.example.edu@evil.example/callback", id="userinfo-host"),
    pytest.param(REDIRECT + "#frag", id="fragment"),
    pytest.param("https://app.example.edu:443/callback", id="explicit-port"),
    pytest.param("http://app.example.edu/callback", id="scheme"),
    pytest.param("https://app.example.edu/callback/../evil", id="dot-segments"),
    pytest.param("https://evil.example/callback", id="other-host"),
    pytest.param("", id="empty"),
]


def _refused_with_a_page(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")
    assert "无法完成授权" in response.text or "请求无效" in response.text


@pytest.mark.parametrize("uri", VARIANTS)
async def test_an_unregistered_redirect_uri_gets_the_error_page(client, world, owner_engine, uri):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    _, challenge = pkce()
    _refused_with_a_page(await client.get(authorize_url(front_end, challenge, redirect_uri=uri)))


async def test_a_missing_redirect_uri_gets_the_error_page(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    _, challenge = pkce()
    _refused_with_a_page(await client.get(authorize_url(front_end, challenge, redirect_uri=None)))


async def test_the_registered_uri_itself_is_accepted(client, world, owner_engine):  # type: ignore[no-untyped-def]
    """The positive control of the variants above."""
    front_end = await create_front_end(owner_engine, world.units["A"])
    _, challenge = pkce()
    page = await client.get(authorize_url(front_end, challenge))
    assert page.status_code == 200 and 'action="/oauth/sign-in"' in page.text


@pytest.mark.parametrize("client_id", ["no-such-client", "", None, "x" * 5000])
async def test_an_unknown_client_gets_the_error_page(client, world, owner_engine, client_id):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    _, challenge = pkce()
    _refused_with_a_page(await client.get(authorize_url(front_end, challenge, client_id=client_id)))


async def test_a_disabled_client_gets_the_error_page(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"], active=False)
    _, challenge = pkce()
    _refused_with_a_page(await client.get(authorize_url(front_end, challenge)))


async def test_a_service_client_cannot_start_the_code_flow(client, world, owner_engine):  # type: ignore[no-untyped-def]
    service = await create_service(owner_engine, world.units["A"])
    front_end = await create_front_end(owner_engine, world.units["A"])
    _, challenge = pkce()
    url = authorize_url(front_end, challenge, client_id=service.client_id)
    _refused_with_a_page(await client.get(url))


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"scope": "read manage"}, "invalid_scope"),  # beyond what the client may ask
        ({"scope": "read nonsense"}, "invalid_scope"),
        ({"scope": None}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": "码"}, "unsupported_response_type"),
    ],
)
async def test_other_errors_go_back_to_the_client_with_state(
    client, world, owner_engine, overrides, error
):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    _, challenge = pkce()
    response = await client.get(authorize_url(front_end, challenge, **overrides))
    if overrides.get("response_type") == "码":
        # Not RFC 6749's printable ASCII: refused before anything else, with a page.
        assert response.status_code == 400 and "location" not in response.headers
        return
    assert response.status_code == 302, response.text
    assert response.headers["location"].startswith(REDIRECT + "?")
    params = redirect_params(response)
    assert (params["error"], params["state"]) == (error, "xyz-state-42")
    assert params["iss"] == "http://localhost:8000"  # RFC 9207, errors included
    assert await scalar(owner_engine, "SELECT count(*) FROM oauth_grants") == 0


async def test_a_repeated_parameter_gets_the_error_page(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    _, challenge = pkce()
    url = authorize_url(front_end, challenge) + "&redirect_uri=https%3A%2F%2Fevil.example%2F"
    _refused_with_a_page(await client.get(url))
