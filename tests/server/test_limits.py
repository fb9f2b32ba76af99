"""Rate limits (server/limits.py): token buckets in process and in Redis, the keys a request
takes from (its client, its user, or its address), the 429 and the RateLimit headers, and the
fall back to the process when Redis does not answer.

The Redis tests run against the Redis at 127.0.0.1:6379 (``PARTYPLAN_TEST_REDIS_URL`` to use
another) and are skipped only when it does not answer; each uses a key prefix of its own.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from support import codes
from support_policies import client_token, create_client

from partyplan.server import limits
from partyplan.server.app import create_app
from partyplan.server.limits import Bucket, MemoryBuckets, RedisBuckets
from partyplan.server.platform import Platform
from partyplan.server.settings import Settings

REDIS_URL = os.environ.get("PARTYPLAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
UNREACHABLE = "redis://127.0.0.1:1/0"
ROLES = "{ roles { name } }"
HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the buckets ---------------------------------------------------------------------------------


def test_a_bucket_holds_a_minute_and_refills_continuously() -> None:
    clock = Clock()
    buckets = MemoryBuckets(clock)
    three = [Bucket("address:x", 3)]
    taken = [buckets.take(three) for _ in range(3)]
    assert [(d.allowed, d.remaining) for d in taken] == [(True, 2), (True, 1), (True, 0)]
    assert [d.reset for d in taken] == [20, 40, 60]  # 3 a minute: one token every 20 s
    refused = buckets.take(three)
    assert (refused.allowed, refused.remaining, refused.retry_after, refused.limit) == (
        False,
        0,
        20,
        3,
    )
    clock.now += 19.5
    assert buckets.take(three).retry_after == 1  # half a second short, rounded up
    clock.now += 0.5
    assert buckets.take(three).allowed
    clock.now += 3600
    assert buckets.take(three).remaining == 2  # never above the limit


def test_a_request_takes_from_every_bucket_or_none() -> None:
    buckets = MemoryBuckets(Clock())
    small, large = Bucket("client:c", 2), Bucket("user:1", 10)
    decisions = [buckets.take([small, large]) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    # The answer names the bucket nearest its limit (then the one that refused).
    assert [(d.limit, d.remaining) for d in decisions] == [(2, 1), (2, 0), (2, 0)]
    assert buckets.take([large]).remaining == 7  # the refused request took nothing from it


def test_a_forgotten_bucket_is_a_full_one() -> None:
    buckets = MemoryBuckets(Clock(), maxsize=2)
    for key in ("a", "b", "c"):
        buckets.take([Bucket(key, 5)])
    assert buckets.take([Bucket("a", 5)]).remaining == 4  # "a" was evicted, then refilled


# --- the endpoint --------------------------------------------------------------------------------


@pytest.fixture
async def limited(settings: Settings) -> AsyncIterator[Callable[..., Any]]:
    """Apps on platforms with changed settings (the test database and signing key shared); each
    call gives a client, from ``address``."""
    platforms: list[Platform] = []
    clients: list[httpx.AsyncClient] = []

    async def make(address: str = "192.0.2.1", **changes: Any) -> httpx.AsyncClient:
        values = {
            "database_url": settings.database_url,
            "data_dir": settings.data_dir,
            "key_dir": settings.key_dir,
            **changes,
        }
        platform = Platform(Settings(**values), migrate=False)
        platforms.append(platform)
        await platform.start()
        app = create_app(platform, manage_platform=False)
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        http = httpx.AsyncClient(transport=transport, base_url="http://test")
        clients.append(http)
        return http

    yield make
    for http in clients:
        await http.aclose()
    for platform in platforms:
        await platform.stop()


async def _post(http: httpx.AsyncClient, token: str | None = None, **body: Any) -> httpx.Response:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return await http.post("/graphql", json=body or {"query": ROLES}, headers=headers)


def _limits(response: httpx.Response) -> tuple[str | None, ...]:
    return tuple(response.headers.get(name) for name in HEADERS)


async def test_anonymous_requests_are_limited_per_address(limited, world) -> None:  # type: ignore[no-untyped-def]
    http = await limited(rate_anonymous_per_minute=3)
    answers = [await _post(http) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [_limits(a) for a in answers] == [
        ("3", "2", "20", "3;w=60"),
        ("3", "1", "40", "3;w=60"),
        ("3", "0", "60", "3;w=60"),
    ]
    refused = await _post(http)
    assert refused.status_code == 429
    assert codes(refused.json()) == ["RATE_LIMITED"]
    retry = int(refused.headers["Retry-After"])
    assert 1 <= retry <= 20
    assert refused.json()["errors"][0]["extensions"]["retryAfter"] == retry
    assert _limits(refused)[:2] == ("3", "0")
    # Refused before the body is read: what it holds no longer matters.
    garbage = await http.post(
        "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert garbage.status_code == 429
    # An invalid token is no token: the address's bucket.
    assert (await _post(http, token="not-a-token")).status_code == 429
    # Another address has a bucket of its own (a second client of the same app).
    other = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=http._transport.app, client=("192.0.2.2", 1)),  # type: ignore[attr-defined]
        base_url="http://test",
    )
    async with other:
        assert (await _post(other)).status_code == 200


async def test_users_are_limited_one_by_one(limited, world) -> None:  # type: ignore[no-untyped-def]
    http = await limited(rate_user_per_minute=2, rate_anonymous_per_minute=1)
    viewer, admin = world.tokens["viewer"], world.tokens["school_admin"]
    assert [(await _post(http, viewer)).status_code for _ in range(3)] == [200, 200, 429]
    ok = await _post(http, admin)
    assert ok.status_code == 200 and _limits(ok)[:2] == ("2", "1")
    # Authenticated requests do not touch the address's bucket.
    assert (await _post(http)).status_code == 200


async def test_a_clients_bucket_is_shared_by_its_users(
    limited, platform, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    http = await limited(rate_user_per_minute=100)
    _, client_id = await create_client(owner_engine, world, requests_per_minute=2)
    viewer = client_token(platform, world, "viewer", client_id)
    admin = client_token(platform, world, "school_admin", client_id)
    first = await _post(http, viewer)
    assert first.status_code == 200 and _limits(first)[:2] == ("2", "1")
    assert (await _post(http, admin)).status_code == 200
    refused = await _post(http, viewer)
    assert refused.status_code == 429 and refused.headers["RateLimit-Limit"] == "2"
    # The same user without the client: only its own bucket, which the refused request left
    # alone (all or none): one taken before, one now.
    alone = await _post(http, world.tokens["viewer"])
    assert alone.status_code == 200 and _limits(alone)[:2] == ("100", "98")


async def test_no_limit_no_headers(limited, world) -> None:  # type: ignore[no-untyped-def]
    http = await limited(rate_user_per_minute=0, rate_anonymous_per_minute=0)
    for token in (world.tokens["viewer"], None):
        response = await _post(http, token)
        assert response.status_code == 200 and _limits(response) == (None,) * 4


async def test_the_token_is_verified_once_per_request(client, platform, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    verify = platform.tokens.verify

    def counting(token: str) -> Any:
        calls.append(token)
        return verify(token)

    monkeypatch.setattr(platform.tokens, "verify", counting)
    response = await _post(client, world.tokens["viewer"], query="{ me { user { username } } }")
    assert response.json()["data"]["me"]["user"]["username"] == "viewer"
    assert calls == [world.tokens["viewer"]]


# --- Redis ---------------------------------------------------------------------------------------


@pytest.fixture
async def redis() -> AsyncIterator[tuple[Redis, str]]:
    """A client of the test Redis and a key prefix of this test's own (its keys are deleted)."""
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        await client.aclose()
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    prefix = f"partyplan-test:{uuid.uuid4().hex}:"
    yield client, prefix
    async for key in client.scan_iter(match=prefix + "*"):
        await client.delete(key)
    await client.aclose()


def _replica(client: Redis, prefix: str, clock: Callable[[], float] | None = None) -> RedisBuckets:
    return RedisBuckets(client, prefix, MemoryBuckets(), **({"clock": clock} if clock else {}))


async def test_redis_buckets_are_shared_by_replicas(redis) -> None:  # type: ignore[no-untyped-def]
    client, prefix = redis
    one, two = _replica(client, prefix), _replica(client, prefix)
    three = [Bucket("address:x", 3)]
    decisions = [await replica.take(three) for replica in (one, two, one, two)]
    assert [(d.allowed, d.remaining) for d in decisions] == [
        (True, 2),
        (True, 1),
        (True, 0),
        (False, 0),
    ]
    assert 1 <= decisions[-1].retry_after <= 20
    ttl = await client.pttl(prefix + "address:x")
    assert 1000 < ttl <= 61_000  # gone once it would be full again
    assert not one.down and not two.down


async def test_redis_takes_from_every_bucket_or_none(redis) -> None:  # type: ignore[no-untyped-def]
    client, prefix = redis
    replica = _replica(client, prefix)
    small, large = Bucket("client:c", 2), Bucket("user:1", 10)
    assert [(await replica.take([small, large])).allowed for _ in range(3)] == [True, True, False]
    assert (await replica.take([large])).remaining == 7
    assert [k.decode() async for k in client.scan_iter(match=prefix + "*")] != []


async def test_the_endpoint_counts_in_redis(limited, redis) -> None:  # type: ignore[no-untyped-def]
    _, prefix = redis
    one = await limited(rate_anonymous_per_minute=2, redis_url=REDIS_URL, redis_prefix=prefix)
    two = await limited(rate_anonymous_per_minute=2, redis_url=REDIS_URL, redis_prefix=prefix)
    assert [(await _post(http)).status_code for http in (one, two, one)] == [200, 200, 429]
    refused = await _post(two)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


async def test_an_unreachable_redis_falls_back_to_the_process(caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, "partyplan.limits")
    replica = RedisBuckets.from_url(UNREACHABLE, "x:", MemoryBuckets(), timeout=0.2)
    try:
        three = [Bucket("address:x", 3)]
        decisions = [await replica.take(three) for _ in range(4)]
    finally:
        await replica.close()
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert replica.down
    warnings = [r for r in caplog.records if r.name == "partyplan.limits"]
    assert len(warnings) == 1 and "Redis does not answer" in warnings[0].getMessage()


async def test_redis_is_asked_again_after_a_pause(redis, caplog, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, "partyplan.limits")
    client, prefix = redis
    clock = Clock()
    replica = _replica(client, prefix, clock)
    script = replica._script
    calls: list[str] = []

    async def failing(**kwargs: Any) -> Any:
        calls.append("redis")
        raise RedisConnectionError("connection refused")

    monkeypatch.setattr(replica, "_script", failing)
    bucket = [Bucket("user:1", 60)]
    assert (await replica.take(bucket)).allowed and replica.down
    clock.now += 1
    await replica.take(bucket)
    assert calls == ["redis"]  # within the pause: not asked
    monkeypatch.setattr(replica, "_script", script)
    clock.now += limits._PAUSE
    decision = await replica.take(bucket)
    assert decision.allowed and not replica.down
    assert decision.remaining == 59  # counted in Redis, which had seen nothing
    messages = [r.getMessage() for r in caplog.records if r.name == "partyplan.limits"]
    assert len(messages) == 2 and "answers again" in messages[1]


async def test_the_endpoint_serves_when_redis_is_down(limited, world) -> None:  # type: ignore[no-untyped-def]
    http = await limited(rate_user_per_minute=2, redis_url=UNREACHABLE, redis_timeout_seconds=0.2)
    viewer = world.tokens["viewer"]
    answers = [await _post(http, viewer) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert _limits(answers[0])[:2] == ("2", "1")
