"""Hostile input on every form and endpoint of the doors: NUL, lone surrogates (as the bytes
a WTF-8 encoder would send, escaped and raw), invalid UTF-8, control characters, huge strings,
the wrong content type. Every answer is a 4xx (or the ordinary refusal), never a 500, and
nothing is written."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from support import scalar
from support_oauth import (
    PASSWORD,
    authorize_url,
    create_front_end,
    create_service,
    hidden,
    pkce,
    set_password,
    sign_in,
)

# Each as it travels in an urlencoded body or query (bytes, already encoded).
HOSTILE = {
    "nul": b"%00",
    "nul-inside": b"ab%00cd",
    "surrogate-escaped": b"%ED%A0%80",
    "surrogate-raw": b"\xed\xa0\x80",
    "invalid-utf8": b"%FF%FE",
    "raw-high-bytes": b"\xff\xfe",
    "crlf": b"a%0D%0ALocation:%20https://evil.example",
    "huge": b"x" * 200_000,
    "huge-chinese": b"%E4%B8%AD" * 20_000,
}


def _body(fields: dict[str, bytes | str], name: str, value: bytes) -> bytes:
    parts = []
    for key, current in fields.items():
        encoded = value if key == name else quote(current, safe="").encode("ascii")
        parts.append(key.encode("ascii") + b"=" + encoded)
    return b"&".join(parts)


async def _post(client, url: str, body: bytes, **kwargs):  # type: ignore[no-untyped-def]
    headers = {"content-type": "application/x-www-form-urlencoded"}
    return await client.post(url, content=body, headers=headers, **kwargs)


def _refused(response) -> None:  # type: ignore[no-untyped-def]
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])


async def _ready(client, world, owner_engine):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    await set_password(owner_engine, world.users["viewer"])
    _, challenge = pkce()
    page = await client.get(authorize_url(front_end, challenge))
    return front_end, page


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
async def test_the_sign_in_form(client, world, owner_engine, value):  # type: ignore[no-untyped-def]
    _, page = await _ready(client, world, owner_engine)
    fields = {
        "csrf": hidden(page.text, "csrf"),
        "query": hidden(page.text, "query"),
        "username": "viewer",
        "password": PASSWORD,
    }
    for name in fields:
        _refused(await _post(client, "/oauth/sign-in", _body(fields, name, value)))
    assert await scalar(owner_engine, "SELECT count(*) FROM web_sessions") == 0


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
async def test_the_consent_form(client, world, owner_engine, value):  # type: ignore[no-untyped-def]
    _, page = await _ready(client, world, owner_engine)
    page = await client.get((await sign_in(client, page, "viewer")).headers["location"])
    fields = {
        "csrf": hidden(page.text, "csrf"),
        "query": hidden(page.text, "query"),
        "decision": "approve",
    }
    for name in fields:
        _refused(await _post(client, "/oauth/authorize", _body(fields, name, value)))
    assert await scalar(owner_engine, "SELECT count(*) FROM oauth_grants") == 0


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
async def test_the_password_form(client, world, owner_engine, value):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    await set_password(owner_engine, world.users["viewer"], must_change=True)
    _, challenge = pkce()
    page = await client.get(authorize_url(front_end, challenge))
    page = await client.get((await sign_in(client, page, "viewer")).headers["location"])
    fields = {
        "csrf": hidden(page.text, "csrf"),
        "query": hidden(page.text, "query"),
        "current": PASSWORD,
        "new": "a brand new password",
        "repeat": "a brand new password",
    }
    before = await scalar(owner_engine, "SELECT password_hash FROM user_credentials")
    for name in fields:
        _refused(await _post(client, "/oauth/password", _body(fields, name, value)))
    assert await scalar(owner_engine, "SELECT password_hash FROM user_credentials") == before


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
async def test_the_sign_out_form(client, world, owner_engine, value):  # type: ignore[no-untyped-def]
    _, page = await _ready(client, world, owner_engine)
    page = await client.get((await sign_in(client, page, "viewer")).headers["location"])
    fields = {"csrf": hidden(page.text, "csrf"), "query": ""}
    for name in fields:
        response = await _post(client, "/oauth/sign-out", _body(fields, name, value))
        if name == "query":
            assert response.status_code < 500  # the query is optional here
            continue
        _refused(response)


async def _raw_get(app, path: bytes, query: bytes) -> tuple[int, dict[bytes, bytes]]:  # type: ignore[no-untyped-def]
    """A GET straight through ASGI, the query's bytes as they are (httpx would re-encode them
    and refuses URLs past 64 KiB)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path.decode("ascii"),
        "raw_path": path,
        "query_string": query,
        "headers": [(b"host", b"test")],
        "client": ("127.0.0.1", 1234),
        "server": ("test", 80),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = sent[0]
    return start["status"], dict(start["headers"])


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
async def test_the_authorization_request(world, owner_engine, platform, value):  # type: ignore[no-untyped-def]
    from partyplan.server.app import create_app

    app = create_app(platform, manage_platform=False)
    front_end = await create_front_end(owner_engine, world.units["A"])
    _, challenge = pkce()
    pairs = authorize_url(front_end, challenge).split("?", 1)[1].split("&")
    for replaced in pairs:
        name = replaced.split("=")[0].encode("ascii")
        kept = [p.encode("ascii") for p in pairs if p != replaced]
        query = b"&".join([*kept, name + b"=" + value])
        status, headers = await _raw_get(app, b"/oauth/authorize", query)
        assert status < 500
        if status == 302:  # only ever to the registered URI
            assert headers[b"location"].startswith(front_end.redirect_uri.encode() + b"?")
        else:
            assert status == 400 and b"location" not in headers


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("endpoint", ["/oauth/token", "/oauth/revoke", "/oauth/introspect"])
async def test_the_token_endpoints(client, world, owner_engine, endpoint, value):  # type: ignore[no-untyped-def]
    front_end = await create_front_end(owner_engine, world.units["A"])
    service = await create_service(owner_engine, world.units["A"])
    fields = {
        "grant_type": "authorization_code",
        "code": "some-code",
        "redirect_uri": front_end.redirect_uri,
        "client_id": front_end.client_id,
        "code_verifier": "v" * 50,
        "refresh_token": "r",
        "token": "t",
        "token_type_hint": "access_token",
        "scope": "read",
        "client_secret": service.secret,
    }
    for name in fields:
        response = await _post(client, endpoint, _body(fields, name, value))
        _refused(response)
        assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "header",
    [
        "Basic !!!notbase64",
        "Basic " + "//79/w==",  # base64 of bytes that are not UTF-8
        "Basic " + "AA==",  # a NUL
        "Basic " + "x" * 10_000,
        "Basic",
        "Bearer abc",
    ],
)
async def test_malformed_client_credentials(client, world, owner_engine, header):  # type: ignore[no-untyped-def]
    await create_service(owner_engine, world.units["A"])
    for endpoint in ("/oauth/token", "/oauth/revoke", "/oauth/introspect"):
        response = await client.post(
            endpoint,
            data={"grant_type": "client_credentials", "token": "t"},
            headers={"Authorization": header},
        )
        _refused(response)


@pytest.mark.parametrize(
    "endpoint",
    ["/oauth/token", "/oauth/revoke", "/oauth/introspect", "/oauth/sign-in", "/oauth/authorize"],
)
async def test_bodies_that_are_not_urlencoded(client, endpoint):  # type: ignore[no-untyped-def]
    for kwargs in (
        {"json": {"grant_type": "client_credentials"}},
        {"files": {"f": ("a.txt", b"x" * 1000)}, "data": {"grant_type": "client_credentials"}},
        {"content": b"grant_type=client_credentials"},  # no content type
        {
            "content": b"a=1&" * 100,
            "headers": {"content-type": "application/x-www-form-urlencoded"},
        },
    ):
        _refused(await client.post(endpoint, **kwargs))
    too_large = await _post(client, endpoint, b"x=" + b"y" * 300_000)
    assert too_large.status_code == 413
