"""Hostile input on the way through the province's provider: the callback's query string (NUL,
lone surrogates, invalid UTF-8, raw bytes, huge, repeated), the start form, a pending cookie
that is not ours, and a provider (or someone in its place) that answers garbage or vouches with
a hostile claim. Every answer is a 4xx or the sign-in page's message, never a 500, and no
session is made."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
import support_upstream
from support import scalar
from support_oauth import FrontEnd, create_front_end, hidden
from support_upstream import Flow, configured_app, upstream_settings

provider = support_upstream.provider  # fixtures
upstream = support_upstream.upstream

# Each as it travels in a query (bytes, already encoded).
HOSTILE = {
    "nul": b"%00",
    "nul-inside": b"ab%00cd",
    "surrogate-escaped": b"%ED%A0%80",
    "surrogate-raw": b"\xed\xa0\x80",
    "invalid-utf8": b"%FF%FE",
    "raw-high-bytes": b"\xff\xfe",
    "crlf": b"a%0D%0ALocation:%20https://evil.example",
    "chinese": b"%E4%B8%AD%E6%96%87",
    "huge": b"x" * 200_000,
}


@pytest.fixture
async def front_end(owner_engine, world) -> FrontEnd:  # type: ignore[no-untyped-def]
    return await create_front_end(owner_engine, world.units["A"])


async def _sessions(owner_engine) -> int:  # type: ignore[no-untyped-def]
    return await scalar(owner_engine, "SELECT count(*) FROM web_sessions")


async def _raw_get(app, path: bytes, query: bytes, cookie: str) -> int:  # type: ignore[no-untyped-def]
    """A GET straight through ASGI with the query's bytes as they are (httpx would re-encode
    them); the status."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path.decode("ascii"),
        "raw_path": path,
        "query_string": query,
        "headers": [(b"host", b"test"), (b"cookie", cookie.encode("ascii"))],
        "client": ("127.0.0.1", 1234),
        "server": ("test", 80),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"]


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
async def test_the_callbacks_query(  # type: ignore[no-untyped-def]
    platform, upstream, provider, front_end, owner_engine, value
) -> None:
    provider.person = {"sub": "p-1", "preferred_username": "viewer"}
    app = configured_app(platform, upstream_settings(platform, provider.issuer))
    flow = Flow(upstream, front_end)
    callback = await flow.to_provider()
    cookie = "pp_upstream=" + next(c.value for c in upstream.cookies.jar if c.name == "pp_upstream")
    pairs = callback.split("?", 1)[1].split("&") + ["iss=" + provider.issuer, "error=x"]
    for replaced in pairs:
        name = replaced.split("=")[0].encode("ascii")
        kept = [p.encode("ascii") for p in pairs if p != replaced and not p.startswith("error")]
        for query in (b"&".join([*kept, name + b"=" + value]), b"&".join([*kept, *kept])):
            status = await _raw_get(app, b"/oauth/upstream/callback", query, cookie)
            assert 400 <= status < 500 or status == 200, (replaced, status)
    assert await _sessions(owner_engine) == 0
    # The control: the untouched answer, with the same cookie, signs in.
    assert (
        await _raw_get(app, b"/oauth/upstream/callback", callback.split("?")[1].encode(), cookie)
        == 303
    )


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
async def test_the_start_form(upstream, provider, front_end, value):  # type: ignore[no-untyped-def]
    page = await Flow(upstream, front_end).sign_in_page()
    fields = {"csrf": hidden(page.text, "csrf"), "query": hidden(page.text, "query")}
    for name in fields:
        body = b"&".join(
            key.encode() + b"=" + (value if key == name else quote(current, safe="").encode())
            for key, current in fields.items()
        )
        started = await upstream.post(
            "/oauth/upstream/start",
            content=body,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert 400 <= started.status_code < 500, (name, started.status_code)
    assert provider.jwks_requests == 0


async def test_a_start_without_the_forms_token(upstream, provider, front_end):  # type: ignore[no-untyped-def]
    page = await Flow(upstream, front_end).sign_in_page()
    started = await upstream.post(
        "/oauth/upstream/start", data={"csrf": "forged", "query": hidden(page.text, "query")}
    )
    assert started.status_code == 403


async def test_a_request_too_long_to_carry_through_the_provider(upstream, provider, front_end):  # type: ignore[no-untyped-def]
    page = await Flow(upstream, front_end).sign_in_page()
    form = {
        "csrf": hidden(page.text, "csrf"),
        "query": hidden(page.text, "query") + "&x=" + "y" * 3000,
    }
    assert (await upstream.post("/oauth/upstream/start", data=form)).status_code == 400


@pytest.mark.parametrize(
    "cookie",
    ["garbage", "a.b.c.d.e", "x" * 5000, "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAA.AAAA.AAAA"],
)
async def test_a_pending_cookie_that_is_not_ours(
    upstream, provider, front_end, owner_engine, cookie
):  # type: ignore[no-untyped-def]
    provider.person = {"sub": "p-1", "preferred_username": "viewer"}
    flow = Flow(upstream, front_end)
    callback = await flow.to_provider()
    upstream.cookies.clear()
    page = await upstream.get(callback, headers={"cookie": f"pp_upstream={cookie}"})
    assert page.status_code == 400 and "登录请求已失效" in page.text
    assert provider.token_requests == 0 and await _sessions(owner_engine) == 0


@pytest.mark.parametrize(
    "answer",
    [
        (200, "not json"),
        (200, "[]"),
        (200, json.dumps({"access_token": "a", "token_type": "Bearer"})),  # no id_token
        (200, json.dumps({"access_token": "a", "token_type": "Bearer", "id_token": 42})),
        (200, json.dumps({"access_token": "a", "token_type": "Bearer", "id_token": "x" * 70000})),
        (400, json.dumps({"error": "invalid_grant"})),
        (401, "who are you"),
        (500, "<html>oops</html>"),
        (302, ""),
    ],
    ids=["text", "list", "no-id-token", "number", "huge", "invalid-grant", "401", "500", "302"],
)
async def test_a_token_endpoint_that_answers_garbage(
    upstream, provider, front_end, owner_engine, answer
):  # type: ignore[no-untyped-def]
    provider.token_answer = answer
    page = await Flow(upstream, front_end).come_back()
    assert page.status_code == 502 and 'action="/oauth/sign-in"' in page.text
    assert await _sessions(owner_engine) == 0


@pytest.mark.parametrize(
    "claim",
    [
        "vie\x00wer",
        "\ud800viewer",
        "viewer\n",
        "x" * 5000,
        ["viewer"],
        {"u": "viewer"},
        True,
        12345,
        "",
    ],
    ids=["nul", "surrogate", "newline", "long", "list", "object", "bool", "number", "empty"],
)
async def test_a_hostile_claim_names_nobody(upstream, provider, front_end, owner_engine, claim):  # type: ignore[no-untyped-def]
    provider.person = {"sub": "p-1", "preferred_username": claim}
    page = await Flow(upstream, front_end).come_back()
    assert page.status_code == 200 and "没有与之对应的可用账号" in page.text
    assert await _sessions(owner_engine) == 0
