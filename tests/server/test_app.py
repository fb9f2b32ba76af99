"""The ASGI application over HTTP (httpx on the app itself, no network): health, readiness, the
signing keys, the body limit, development vs production, the GraphQL limits and their validation
cache, error masking, one transaction per request, authentication, and connection hygiene."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.extensions.validation_cache import DEFAULT_MAXSIZE, _get_validate_cache

from partyplan.schema.errors import UNEXPECTED_MESSAGE
from partyplan.server.database import create_app_engine
from partyplan.server.platform import Platform

ME = "{ me { user { username } } }"
UNITS = "{ units(first: 50) { edges { node { id name } } } }"
CREATE_UNIT = """
mutation ($input: CreateUnitInput!) {
  createUnit(input: $input) { unit { id name } errors { code field message } }
}"""


def codes(result: dict[str, Any]) -> list[str | None]:
    return [e.get("extensions", {}).get("code") for e in result.get("errors") or []]


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def post(
    client: httpx.AsyncClient,
    query: str,
    token: str | None = None,
    variables: dict[str, Any] | None = None,
) -> httpx.Response:
    headers = bearer(token) if token else {}
    body = {"query": query, "variables": variables or {}}
    return await client.post("/graphql", json=body, headers=headers)


@pytest.fixture
async def production(open_app: Callable[..., Any]) -> httpx.AsyncClient:
    _, http = await open_app(environment="production")
    return http


# --- health, readiness, keys -----------------------------------------------------------------


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    ready = await client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


async def test_readyz_is_503_when_the_database_is_unreachable(
    open_app: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    # The platform starts (its start checks the schema revision); then the database goes away:
    # nothing listens on port 1, and the engine connects lazily.
    app, http = await open_app()
    platform = app.state.platform
    assert platform.engine is not None
    await platform.engine.dispose()
    platform.engine = create_app_engine("postgresql://partyplan_app@127.0.0.1:1/partyplan")
    ready = await http.get("/readyz")
    assert (ready.status_code, ready.json()) == (503, {"status": "unavailable"})
    assert (await http.get("/healthz")).status_code == 200  # liveness does not need the db
    assert "readiness check failed" in caplog.text


async def test_jwks_publishes_the_public_key_that_verifies_our_tokens(
    client: httpx.AsyncClient, platform: Platform
) -> None:
    response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    jwks = response.json()
    [key] = jwks["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["alg"] == "EdDSA"
    assert key["kid"] == platform.keys.kid
    assert "d" not in key and set(key) <= {"kty", "crv", "x", "kid", "alg", "use"}

    # A token minted by the platform verifies with nothing but the published key (checked
    # with the bare Ed25519 primitive, not with the code that signed it).
    token = platform.tokens.mint("42", 60)
    header, payload, signature = token.split(".")
    assert json.loads(b64url(header))["kid"] == key["kid"]
    public = Ed25519PublicKey.from_public_bytes(b64url(key["x"]))
    public.verify(b64url(signature), f"{header}.{payload}".encode())
    assert json.loads(b64url(payload))["sub"] == "42"
    with pytest.raises(InvalidSignature):
        public.verify(b64url(signature), f"{header}.{payload}x".encode())


# --- request body limit ----------------------------------------------------------------------


async def test_body_above_the_limit_is_413(client: httpx.AsyncClient, platform: Platform) -> None:
    limit = platform.settings.max_body_bytes
    headers = {"content-type": "application/json"}

    # Declared by Content-Length: refused before anything is read.
    big = await client.post("/graphql", content=b" " * (limit + 1), headers=headers)
    assert big.status_code == 413, big.text
    assert big.json() == {"error": "request body too large"}

    # Streamed without a length (chunked): refused once the limit is crossed.
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    streamed = await client.post("/graphql", content=chunks(), headers=headers)
    assert "content-length" not in streamed.request.headers
    assert streamed.status_code == 413, streamed.text

    # Exactly at the limit is fine.
    body = b'{"query": "{ __typename }"}'
    exact = await client.post(
        "/graphql", content=body + b" " * (limit - len(body)), headers=headers
    )
    assert exact.status_code == 200, exact.text
    assert exact.json() == {"data": {"__typename": "Query"}}


# --- development vs production -------------------------------------------------------------


async def test_graphiql_only_in_development(
    client: httpx.AsyncClient, production: httpx.AsyncClient
) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "graphiql" in page.text.lower()

    refused = await production.get("/graphql", headers={"Accept": "text/html"})
    assert refused.status_code == 404
    assert "graphiql" not in refused.text.lower()


async def test_introspection_only_in_development(
    client: httpx.AsyncClient, production: httpx.AsyncClient
) -> None:
    introspection = "{ __schema { types { name } } }"
    dev = (await post(client, introspection)).json()
    assert "errors" not in dev
    assert "Unit" in {t["name"] for t in dev["data"]["__schema"]["types"]}

    prod = await post(production, introspection)
    assert prod.status_code == 200
    body = prod.json()
    assert body.get("data") is None
    assert "introspection" in body["errors"][0]["message"].lower()


async def test_get_queries_only_in_development(
    client: httpx.AsyncClient, production: httpx.AsyncClient
) -> None:
    dev = await client.get("/graphql", params={"query": "{ __typename }"})
    assert dev.status_code == 200 and dev.json() == {"data": {"__typename": "Query"}}

    prod = await production.get("/graphql", params={"query": "{ __typename }"})
    assert prod.status_code == 400
    assert "not allowed" in prod.text and "Query" not in prod.text
    # POST still works in production.
    assert (await post(production, "{ __typename }")).json() == {"data": {"__typename": "Query"}}


# --- limits ----------------------------------------------------------------------------------


@pytest.fixture
def units_page_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Records every call of the units service (which still runs)."""
    from partyplan.resolvers.units import service

    calls: list[dict[str, Any]] = []
    real = service.units_page

    async def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return await real(*args, **kwargs)

    monkeypatch.setattr(service, "units_page", spy)
    return calls


def _refused(response: httpx.Response) -> list[str]:
    assert response.status_code in (200, 400), response.text
    body = response.json()
    assert body.get("data") is None, body
    assert body["errors"], body
    return [e["message"] for e in body["errors"]]


async def test_query_deeper_than_the_limit_is_refused(
    client: httpx.AsyncClient, world: Any, platform: Platform, units_page_calls: list[Any]
) -> None:
    token = world.tokens["commission_admin"]
    limit = platform.settings.max_query_depth

    def nested(parents: int) -> str:
        # units > edges > node is depth 3; each parent adds one.
        inner = "name"
        for _ in range(parents):
            inner = f"parent {{ {inner} }}"
        return f"{{ units(first: 1) {{ edges {{ node {{ {inner} }} }} }} }}"

    ok = (await post(client, nested(limit - 3), token)).json()
    assert "errors" not in ok, ok
    assert len(units_page_calls) == 1

    messages = _refused(await post(client, nested(limit), token))
    assert any("depth" in m for m in messages), messages
    assert len(units_page_calls) == 1  # the deep one never reached a resolver


async def test_more_aliases_than_the_limit_are_refused(
    client: httpx.AsyncClient, world: Any, platform: Platform, owner_engine: AsyncEngine
) -> None:
    limit = platform.settings.max_aliases
    name = f"alias-{uuid.uuid4().hex[:8]}"
    parent = world.gid("A")
    fields = " ".join(
        f'm{i}: createUnit(input: {{parentId: "{parent}", kind: BRANCH, name: "{name}-{i}"}}) '
        "{ unit { id } }"
        for i in range(limit + 1)
    )
    messages = _refused(
        await post(client, f"mutation {{ {fields} }}", world.tokens["school_admin"])
    )
    assert any("aliases" in m for m in messages), messages
    async with owner_engine.connect() as conn:
        written = await conn.scalar(
            sa.text("SELECT count(*) FROM units WHERE name LIKE :n"), {"n": f"{name}%"}
        )
    assert written == 0

    within = " ".join(f"a{i}: __typename" for i in range(limit))
    assert "errors" not in (await post(client, f"{{ {within} }}")).json()


async def test_more_tokens_than_the_limit_are_refused(
    client: httpx.AsyncClient, world: Any, platform: Platform, units_page_calls: list[Any]
) -> None:
    limit = platform.settings.max_tokens
    # "{ units { edges { node {" + names + "} } } }": 9 tokens around the names.
    names = " ".join(["name"] * limit)
    query = f"{{ units {{ edges {{ node {{ {names} }} }} }} }}"
    messages = _refused(await post(client, query, world.tokens["commission_admin"]))
    assert any("tokens" in m for m in messages), messages
    assert units_page_calls == []


async def test_validation_cache_hits_across_requests_with_the_limits_on(
    client: httpx.AsyncClient, world: Any
) -> None:
    """strawberry #4635: limiters that build a rule class per request make every request a
    cache miss. Our rules are built once, so the second and third requests hit."""
    cached = _get_validate_cache(DEFAULT_MAXSIZE)
    # A document no other test sends, so its first validation is a miss.
    query = (
        f"query Cache_{uuid.uuid4().hex} {{ units(first: 1) {{ edges {{ node {{ name }} }} }} }}"
    )
    before = cached.cache_info()
    for _ in range(3):
        result = (await post(client, query, world.tokens["school_admin"])).json()
        assert "errors" not in result, result
    after = cached.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)


# --- errors and transactions -----------------------------------------------------------------


async def test_unexpected_errors_are_masked(
    client: httpx.AsyncClient,
    world: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from partyplan.resolvers.units import service

    async def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("SELECT secret FROM x")

    monkeypatch.setattr(service, "units_page", boom)
    response = await post(client, UNITS, world.tokens["school_admin"])
    assert response.status_code == 200
    assert "secret" not in response.text
    body = response.json()
    assert codes(body) == ["INTERNAL_SERVER_ERROR"]
    assert body["errors"][0]["message"] == UNEXPECTED_MESSAGE
    assert body["errors"][0]["path"] == ["units"]
    # The operator still sees what happened.
    assert "SELECT secret FROM x" in caplog.text


async def test_an_unexpected_error_rolls_back_the_whole_request(
    client: httpx.AsyncClient,
    world: Any,
    monkeypatch: pytest.MonkeyPatch,
    owner_engine: AsyncEngine,
) -> None:
    """The second createUnit writes its unit and audit entry, then fails: nothing of the request
    stays, not even the first mutation of the document, which had completed (and released its
    savepoint)."""
    from partyplan.resolvers.audit import repository as audit

    real = audit.append
    tag = uuid.uuid4().hex[:8]

    async def append(session: Any, **kwargs: Any) -> Any:
        await real(session, **kwargs)
        if kwargs["after"]["name"] == f"boom-{tag}":
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(audit, "append", append)
    parent = world.gid("A")
    document = f"""mutation {{
      first: createUnit(input: {{parentId: "{parent}", kind: BRANCH, name: "fine-{tag}"}}) {{
        unit {{ name }} errors {{ code }} }}
      second: createUnit(input: {{parentId: "{parent}", kind: BRANCH, name: "boom-{tag}"}}) {{
        unit {{ name }} errors {{ code }} }}
    }}"""
    body = (await post(client, document, world.tokens["school_admin"])).json()
    # createUnit's payload is non-null, so the failure nulls the whole result.
    assert body["data"] is None
    assert codes(body) == ["INTERNAL_SERVER_ERROR"]
    assert "disk on fire" not in str(body)
    assert body["errors"][0]["path"] == ["second"]

    async with owner_engine.connect() as conn:
        units = await conn.scalar(
            sa.text("SELECT count(*) FROM units WHERE name LIKE :n"), {"n": f"%-{tag}"}
        )
        audits = await conn.scalar(sa.text("SELECT count(*) FROM audit_log"))
    assert (units, audits) == (0, 0)

    # The same mutation without the failure is written (the check above is not vacuous).
    variables = {"input": {"parentId": parent, "kind": "BRANCH", "name": f"ok-{tag}"}}
    ok = (await post(client, CREATE_UNIT, world.tokens["school_admin"], variables)).json()
    assert ok["data"]["createUnit"]["errors"] == [], ok
    async with owner_engine.connect() as conn:
        assert (
            await conn.scalar(
                sa.text("SELECT count(*) FROM units WHERE name = :n"), {"n": f"ok-{tag}"}
            )
            == 1
        )


# --- authentication --------------------------------------------------------------------------


async def test_requests_without_a_valid_token_are_unauthenticated(
    client: httpx.AsyncClient, world: Any, platform: Platform, owner_engine: AsyncEngine
) -> None:
    valid = (await post(client, ME, world.tokens["school_admin"])).json()
    assert valid == {"data": {"me": {"user": {"username": "school-admin"}}}}

    anonymous = (await post(client, ME)).json()
    assert anonymous["data"] is None and codes(anonymous) == ["UNAUTHENTICATED"]

    for header in (
        "Basic x",
        "Bearer",
        "Bearer   ",
        "Bearer not.a.token",
        "Bearer " + "x" * 9000,
        f"Basic {world.tokens['school_admin']}",
    ):
        response = await client.post(
            "/graphql", json={"query": ME}, headers={"Authorization": header}
        )
        body = response.json()
        assert codes(body) == ["UNAUTHENTICATED"], (header[:20], body)

    # A token for a user that does not exist, and one for a deactivated user.
    ghost = platform.tokens.mint("999999", 60)
    assert codes((await post(client, ME, ghost)).json()) == ["UNAUTHENTICATED"]
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE users SET active = false WHERE id = :id"),
            {"id": world.users["school_admin"]},
        )
    body = (await post(client, ME, world.tokens["school_admin"])).json()
    assert body["data"] is None and codes(body) == ["UNAUTHENTICATED"]


# --- connection hygiene ----------------------------------------------------------------------


async def test_pooled_connections_carry_no_scope(
    client: httpx.AsyncClient, world: Any, platform: Platform
) -> None:
    seen = (await post(client, UNITS, world.tokens["school_admin"])).json()
    assert len(seen["data"]["units"]["edges"]) == 5  # school A's subtree

    engine = platform.engine
    assert engine is not None
    # Check out every pooled connection at once, so the one the request used is among them.
    pooled = engine.pool.checkedin()  # type: ignore[attr-defined]
    assert pooled >= 1
    conns = [await engine.connect() for _ in range(pooled)]
    try:
        for conn in conns:
            async with conn.begin():
                scope = await conn.scalar(sa.text("SELECT current_setting('app.scope', true)"))
                user = await conn.scalar(sa.text("SELECT current_setting('app.user_id', true)"))
                units = await conn.scalar(sa.text("SELECT count(*) FROM units"))
            assert scope in (None, "")
            assert user in (None, "")
            assert units == 0
    finally:
        for conn in conns:
            await conn.close()
