"""Server CPU a Q3-like request pays for its limits: the bearer token's verification, the
caller's policy and document (cached), the static cost analysis (cached and uncached) and the
rate limiter (in process, and in Redis).

    python bench/limits.py [--iterations 20000] [--redis-url redis://127.0.0.1:6379/0]

Each figure is the process's CPU time (``time.process_time``) over ``--iterations`` calls,
divided by them (the best of ``--rounds`` rounds), beside the wall time for Redis (a network
round trip, which costs this process little CPU). No database is needed: the client's policy
and document are served from the in-process caches, as on every request but the first of a
few seconds. Q3 is bench/runner/scenarios.py's (a page of 50 recruits).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from graphql import parse
from redis.asyncio import Redis
from redis.exceptions import RedisError
from runner.scenarios import PAGE, Q3
from sqlalchemy.ext.asyncio import create_async_engine
from strawberry.http import GraphQLRequestData

from partyplan.auth.keys import KeyStore
from partyplan.auth.tokens import TokenService
from partyplan.resolvers.policies.rules import ClientPolicy, document_id
from partyplan.schema.cost import CostLimit, DocumentCosts, compile_document
from partyplan.schema.policies.admission import Admission, DocumentRequest
from partyplan.schema.schema import build_schema
from partyplan.server.app import create_app
from partyplan.server.limits import (
    MemoryBuckets,
    RateLimiter,
    RedisBuckets,
    buckets_for,
)
from partyplan.server.platform import Platform
from partyplan.server.settings import Settings

Q3_VARIABLE = Q3.replace("($under: ID!)", "($under: ID!, $first: Int)").replace(
    f"first: {PAGE}", "first: $first"
)


def cpu_us(fn: Callable[[], Any], iterations: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(iterations):
            fn()
        best = min(best, time.process_time() - start)
    return best / iterations * 1e6


async def acpu_us(
    fn: Callable[[], Awaitable[Any]], iterations: int, rounds: int
) -> tuple[float, float]:
    """CPU and wall µs a call of an async ``fn``."""
    best_cpu, best_wall = float("inf"), float("inf")
    for _ in range(rounds):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        for _ in range(iterations):
            await fn()
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
        best_wall = min(best_wall, time.perf_counter() - start_wall)
    return best_cpu / iterations * 1e6, best_wall / iterations * 1e6


class _Execution:
    """What CostLimit reads of strawberry's execution context."""

    def __init__(self, schema: Any, text: str, variables: dict[str, Any] | None) -> None:
        self.schema, self.query = schema, text  # strawberry's schema
        self.graphql_document = parse(text)
        self.operation_name = "RecruitPage"
        self.variables = variables
        self.result = None

        class _Context:
            cost_budget = 100_000

        self.context = _Context()


def _hook(costs: DocumentCosts, execution: _Execution) -> Callable[[], None]:
    def run() -> None:
        extension = CostLimit(costs)
        extension.execution_context = execution  # type: ignore[assignment]
        for _ in extension.on_execute():
            pass

    return run


async def main(args: argparse.Namespace) -> None:
    n, rounds = args.iterations, args.rounds
    workdir = Path(tempfile.mkdtemp(prefix="pp-bench-limits-"))
    settings = Settings(data_dir=workdir, key_dir=workdir / "keys")
    strawberry_schema = build_schema(settings)
    schema = strawberry_schema._schema
    rows: list[tuple[str, float, float | None]] = []

    # The sign-in check: the bearer token's signature and claims (joserfc, Ed25519).
    tokens = TokenService(
        KeyStore.load_or_create(workdir / "keys"),
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        leeway_seconds=30,
        max_ttl_seconds=3600,
    )
    token = tokens.mint("4", 600, client_id="console", scope="read record")
    rows.append(("bearer token verified", cpu_us(lambda: tokens.verify(token), n, rounds), None))

    # The caller and its document, both from the in-process caches.
    admission = Admission(schema, settings, workdir / "no-documents")
    policy = ClientPolicy("console", True, True, 100_000, 600)
    admission.policies._entries["console"] = (float("inf"), policy)
    admission.documents.platform[document_id(Q3)] = Q3
    claims = tokens.verify(token)
    caller = await admission.caller(None, claims)  # type: ignore[arg-type]
    by_id = DocumentRequest(None, {"under": "x"}, None, None, document_id=document_id(Q3))
    free = GraphQLRequestData(Q3, {"under": "x"}, None, None)
    rows.append(
        (
            "caller's policy (cached)",
            (await acpu_us(lambda: admission.caller(None, claims), n, rounds))[0],
            None,
        )  # type: ignore[arg-type]
    )
    rows.append(
        (
            "documentId resolved (cached)",
            (await acpu_us(lambda: admission.admit(None, caller, by_id), n, rounds))[0],
            None,
        )  # type: ignore[arg-type]
    )
    operator = await admission.caller(None, tokens.verify(tokens.mint("4", 600)))  # type: ignore[arg-type]
    rows.append(
        (
            "free text admitted",
            (await acpu_us(lambda: admission.admit(None, operator, free), n, rounds))[0],
            None,
        )  # type: ignore[arg-type]
    )

    # Static cost analysis.
    document = parse(Q3)
    page = settings.max_page_size
    rows.append(
        ("Q3 parsed (strawberry's, reference)", cpu_us(lambda: parse(Q3), n // 10, rounds), None)
    )
    rows.append(
        (
            "cost compiled (uncached)",
            cpu_us(lambda: compile_document(schema, document, page), n // 10, rounds),
            None,
        )
    )
    costs = DocumentCosts(page)
    rows.append(
        (
            "cost check, cached, literal first",
            cpu_us(_hook(costs, _Execution(strawberry_schema, Q3, {"under": "x"})), n, rounds),
            None,
        )
    )
    rows.append(
        (
            "cost check, cached, first: $first",
            cpu_us(
                _hook(
                    costs, _Execution(strawberry_schema, Q3_VARIABLE, {"under": "x", "first": 50})
                ),
                n,
                rounds,
            ),
            None,
        )
    )

    # Rate limits: a client's token takes from its client's and its user's buckets.
    buckets = buckets_for(caller, "192.0.2.1", settings)
    memory = MemoryBuckets()
    big = [type(b)(b.key, 10**9) for b in buckets]  # never refused while measuring
    rows.append(
        (
            "buckets chosen",
            cpu_us(lambda: buckets_for(caller, "192.0.2.1", settings), n, rounds),
            None,
        )
    )
    rows.append(
        ("in-process limiter (2 buckets)", cpu_us(lambda: memory.take(big), n, rounds), None)
    )
    limiter = RateLimiter(settings)
    rows.append(
        (
            "RateLimiter.take, in process",
            (await acpu_us(lambda: limiter.take(big), n, rounds))[0],
            None,
        )
    )

    client = Redis.from_url(args.redis_url, socket_timeout=1, socket_connect_timeout=1)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        print(f"(no Redis at {args.redis_url}: {error}; its row is skipped)")
    else:
        prefix = f"partyplan-bench:{time.time_ns()}:"
        replica = RedisBuckets(client, prefix, MemoryBuckets())
        await replica.take(big)  # loads the script
        cpu, wall = await acpu_us(lambda: replica.take(big), n // 4, rounds)
        rows.append(("Redis limiter (2 buckets, 1 round trip)", cpu, wall))
        async for key in client.scan_iter(match=prefix + "*"):
            await client.delete(key)
    finally:
        await client.aclose()

    print(f"{'what':<44} {'CPU µs':>8} {'wall µs':>8}")
    for name, cpu, wall in rows:
        print(f"{name:<44} {cpu:8.1f} {'' if wall is None else f'{wall:8.1f}':>8}")
    print()
    await endpoint(workdir, args)


async def endpoint(workdir: Path, args: argparse.Namespace) -> None:
    """Whole requests through the ASGI app (no HTTP, no database: ``{ __typename }`` needs
    none), so the differences between variants are what each part adds to a request."""
    documents = workdir / "documents"
    documents.mkdir()
    (documents / "typename.graphql").write_text(TYPENAME)
    variants = [
        ("no rate limit, free text", {"rate_user_per_minute": 0}, False),
        ("in-process limit, free text", {"rate_user_per_minute": 10**9}, False),
        ("in-process limit, documentId", {"rate_user_per_minute": 10**9}, True),
        (
            "Redis limit, free text",
            {"rate_user_per_minute": 10**9, "redis_url": args.redis_url},
            False,
        ),
    ]
    print(f"{'a whole request (operator token)':<44} {'CPU µs':>8} {'wall µs':>8}")
    for name, changes, by_id in variants:
        settings = Settings(data_dir=workdir, key_dir=workdir / "keys", **changes)
        platform = Platform(settings, migrate=False)
        # Never connected: nothing of { __typename } reaches the database.
        platform.engine = create_async_engine("postgresql+asyncpg://bench@127.0.0.1:1/none")
        app = create_app(platform, manage_platform=False, documents_dir=documents)
        token = platform.tokens.mint("4", 3600)
        body = json.dumps(
            {"documentId": document_id(TYPENAME)} if by_id else {"query": TYPENAME}
        ).encode()
        request = _asgi_request(app, body, token)
        await request()
        cpu, wall = await acpu_us(request, args.iterations // 4, args.rounds)
        print(f"{name:<44} {cpu:8.1f} {wall:8.1f}")
        await platform.engine.dispose()
        limiter = app.routes[0].app.limiter  # type: ignore[attr-defined]
        await limiter.close()


TYPENAME = "{ __typename }"


def _asgi_request(app: Any, body: bytes, token: str) -> Callable[[], Awaitable[None]]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"authorization", f"Bearer {token}".encode()),
        ],
        "client": ("192.0.2.1", 40000),
        "server": ("bench", 80),
    }

    async def request() -> None:
        sent = False
        statuses: list[int] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        await app(dict(scope), receive, send)
        assert statuses == [200], statuses

    return request


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    asyncio.run(main(parser.parse_args()))
