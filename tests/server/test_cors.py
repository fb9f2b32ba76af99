"""CORS on /graphql and the workbook downloads, for the origins the active clients registered.

Without the middleware a preflight is a 405 (the routes know no OPTIONS): a browser front end
could not call the API at all. Now an allowed origin's preflight is a 200 echoing it; any
other origin gets no CORS header (and never a 500).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from support_clients import DISABLE, SPA_ORIGIN, front_end, registered

from partyplan.server.app import create_app
from partyplan.server.cors import MAX_AGE, OriginCache

OTHER = "https://evil.example"


def _preflight(origin: str, method: str = "POST", headers: str = "authorization,content-type"):  # type: ignore[no-untyped-def]
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


def _cors(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


@contextlib.asynccontextmanager
async def _app(platform, monkeypatch, seconds: float) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(platform.settings, "cors_cache_seconds", seconds)
    app = create_app(platform, manage_platform=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
async def slow_client(platform, monkeypatch) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """The app with a cache far longer than any test: only an invalidation refreshes it."""
    async with _app(platform, monkeypatch, 300) as http:
        yield http


async def test_a_preflight_from_a_registered_origin_is_allowed(client, gql, world) -> None:  # type: ignore[no-untyped-def]
    await registered(gql, world, front_end(world))
    paths = (
        "/graphql",
        "/reports/12.xlsx",
        "/reports/periods/3/province.xlsx",
        "/oauth/token",
        "/oauth/revoke",
    )
    for path in paths:
        response = await client.options(path, headers=_preflight(SPA_ORIGIN, "GET"))
        assert response.status_code == 200, (path, response.text)
        cors = _cors(response)
        assert cors["access-control-allow-origin"] == SPA_ORIGIN
        assert cors["access-control-allow-methods"] == "GET, POST"
        allowed = {h.strip().lower() for h in cors["access-control-allow-headers"].split(",")}
        assert {"authorization", "content-type"} <= allowed
        assert cors["access-control-max-age"] == str(MAX_AGE)
        assert "access-control-allow-credentials" not in cors  # bearer tokens, not cookies
        assert "Origin" in response.headers["vary"]


@pytest.mark.parametrize(
    "origin", [OTHER, "null", "", SPA_ORIGIN + ".evil.example", SPA_ORIGIN.upper()]
)
async def test_a_preflight_from_any_other_origin_gets_no_cors_header(
    origin: str, client, gql, world
) -> None:  # type: ignore[no-untyped-def]
    await registered(gql, world, front_end(world))
    response = await client.options("/graphql", headers=_preflight(origin))
    assert response.status_code == 400
    assert _cors(response) == {}


async def test_an_allowed_origin_asking_for_more_is_refused(client, gql, world) -> None:  # type: ignore[no-untyped-def]
    await registered(gql, world, front_end(world))
    for headers in (_preflight(SPA_ORIGIN, "DELETE"), _preflight(SPA_ORIGIN, "POST", "x-debug")):
        assert (await client.options("/graphql", headers=headers)).status_code == 400


async def test_requests_carry_the_allow_origin_header_for_allowed_origins_only(
    client, gql, world
) -> None:  # type: ignore[no-untyped-def]
    await registered(gql, world, front_end(world))
    body = {"query": "{ me { user { username } } }"}
    auth = {"Authorization": f"Bearer {world.tokens['viewer']}"}
    allowed = await client.post("/graphql", json=body, headers={**auth, "Origin": SPA_ORIGIN})
    assert allowed.status_code == 200 and allowed.json()["data"]["me"]["user"]["username"]
    assert allowed.headers["access-control-allow-origin"] == SPA_ORIGIN
    exposed = {h.strip() for h in allowed.headers["access-control-expose-headers"].split(",")}
    assert {"Content-Disposition", "RateLimit-Remaining", "Retry-After"} <= exposed
    assert "access-control-allow-credentials" not in allowed.headers
    for headers in ({**auth, "Origin": OTHER}, auth):
        other = await client.post("/graphql", json=body, headers=headers)
        assert other.status_code == 200 and _cors(other) == {}
        assert "Origin" in other.headers["vary"]
    # Outside the API and the downloads, nothing changes.
    health = await client.get("/healthz", headers={"Origin": SPA_ORIGIN})
    assert _cors(health) == {} and "vary" not in health.headers
    preflight = await client.options("/healthz", headers=_preflight(SPA_ORIGIN))
    assert preflight.status_code == 405
    # The authorization pages are navigated to, never fetched: a script of another origin
    # must not read them (they carry a CSRF token).
    page = await client.get("/oauth/authorize", headers={"Origin": SPA_ORIGIN})
    assert _cors(page) == {}


async def test_a_workbook_download_from_an_allowed_origin_is_readable(client, gql, world) -> None:  # type: ignore[no-untyped-def]
    await registered(gql, world, front_end(world))
    response = await client.get(
        "/reports/999999.xlsx",
        headers={"Origin": SPA_ORIGIN, "Authorization": f"Bearer {world.tokens['viewer']}"},
    )
    assert response.status_code == 404  # no such report, but the script may read the answer
    assert response.headers["access-control-allow-origin"] == SPA_ORIGIN


async def test_registering_and_disabling_apply_at_once_in_this_process(
    slow_client, world, platform
) -> None:  # type: ignore[no-untyped-def]
    async def gql(query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        response = await slow_client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        return response.json()

    async def status() -> int:
        return (await slow_client.options("/graphql", headers=_preflight(SPA_ORIGIN))).status_code

    assert await status() == 400  # read and cached: no client yet
    client = (await registered(gql, world, front_end(world)))["client"]
    assert await status() == 200
    disabled = await gql(DISABLE, {"id": client["id"]}, world.tokens["commission_admin"])
    assert disabled["data"]["disableClient"]["errors"] == []
    assert await status() == 400


async def test_a_change_made_elsewhere_applies_when_the_cache_expires(
    platform, monkeypatch, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    """Another process's registration (here: the owner's insert) is seen once the cache's
    lifetime is over, not before."""
    async with _app(platform, monkeypatch, 0.5) as http:

        async def status() -> int:
            return (await http.options("/graphql", headers=_preflight(SPA_ORIGIN))).status_code

        assert await status() == 400
        async with owner_engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO oauth_clients (client_id, name, kind, allowed_scopes, unit_id,"
                    " unit_path, cost_budget, requests_per_minute, redirect_uris,"
                    " allowed_origins) SELECT 'elsewhere', 'x', 'front_end', '{read}', id, path,"
                    " 1, 1, '{https://x.example/cb}', ARRAY[:o] FROM units WHERE id = :u"
                ),
                {"o": SPA_ORIGIN, "u": world.units["commission"]},
            )
        assert await status() == 400  # still the cached list
        await asyncio.sleep(0.6)
        assert await status() == 200


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_the_cache_reads_at_most_once_per_lifetime_unless_told() -> None:
    clock, version, reads = _Clock(), [0], []
    answers: list[Any] = [
        frozenset({"https://a.example"}),
        RuntimeError("database down"),
        frozenset({"https://b.example"}),
    ]

    async def load() -> frozenset[str]:
        reads.append(clock.now)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    cache = OriginCache(load, 5, version=lambda: version[0], clock=clock)
    assert await cache.get() == {"https://a.example"}
    clock.now = 4.9
    assert await cache.get() == {"https://a.example"} and reads == [0.0]
    clock.now = 5.0
    assert await cache.get() == {"https://a.example"}  # the read failed: the last list stays
    assert reads == [0.0, 5.0]
    clock.now = 6.0
    assert await cache.get() == {"https://a.example"} and len(reads) == 2  # no retry storm
    version[0] += 1  # a committed change in this process
    assert await cache.get() == {"https://b.example"} and reads == [0.0, 5.0, 6.0]
