"""The token endpoint's speed, and what a client's token adds to a request (not a unit test;
see bench/README.md).

    python bench/token_endpoint.py [--requests 500] [--concurrency 8]

Starts an embedded PostgreSQL in a temporary directory, registers a service client (client
credentials) and a front end with one grant and its refresh token (rows written as the
registry and the consent page write them), then times, in one process over ASGI:
  - client credentials at /oauth/token, sequential and with N concurrent callers;
  - refresh-token rotation at /oauth/token, each refresh spending the previous token;
  - ``{ me }`` with an operator token (no client) against the same with a client's token, whose
    binding also asks app_token_valid and narrows to its scopes, in interleaved rounds, with
    the server's CPU per request (process time; the database runs in its own processes).
Figures from one 2-core machine only compare with figures taken in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import httpx
import sqlalchemy as sa
from harness import report, scratch_database, service
from sqlalchemy.ext.asyncio import create_async_engine

from partyplan.auth import client_secrets
from partyplan.server.database import async_url

SECRET = "bench-service-secret-" + "x" * 22
ME = {"query": "{ me { user { username } } }"}


async def seed(owner_url: str) -> dict[str, Any]:
    engine = create_async_engine(async_url(owner_url))
    refresh = client_secrets.new_secret()
    try:
        async with engine.begin() as conn:

            async def one(sql: str, **params: object) -> int:
                return (await conn.execute(sa.text(sql), params)).scalar_one()

            commission = await one(
                "INSERT INTO units (kind, name, path) VALUES ('commission', '工委', '0') RETURNING id"
            )
            school = await one(
                "INSERT INTO units (kind, name, parent_id, path)"
                " VALUES ('school', '学校', :p, '0') RETURNING id",
                p=commission,
            )
            person = await one(
                "INSERT INTO users (username, display_name, home_unit_id, home_path, school_id)"
                " SELECT 'bench-admin', 'bench', id, path, school_id FROM units WHERE id = :u"
                " RETURNING id",
                u=school,
            )
            robot = await one(
                "INSERT INTO users (username, display_name, home_unit_id, home_path, school_id,"
                " kind) SELECT 'svc.bench', 'svc', id, path, school_id, 'service' FROM units"
                " WHERE id = :u"
                " RETURNING id",
                u=school,
            )
            for user, role in ((person, "school_admin"), (robot, "sync_agent")):
                await conn.execute(
                    sa.text(
                        "INSERT INTO role_bindings (user_id, role, unit_id, unit_path, school_id)"
                        " SELECT :user, :role, id, path, school_id FROM units WHERE id = :u"
                    ),
                    {"user": user, "role": role, "u": school},
                )
            insert_client = (
                "INSERT INTO oauth_clients (client_id, name, kind, secret_hash, redirect_uris,"
                " allowed_scopes, unit_id, unit_path, school_id, service_user_id, cost_budget,"
                " requests_per_minute) SELECT :client, :client, :kind, :secret, :uris,"
                " '{read,record,sync}', id, path, school_id, :robot, 100000, 60000"
                " FROM units WHERE id = :u RETURNING id"
            )
            await one(
                insert_client,
                client="pp-bench-service",
                kind="service",
                secret=client_secrets.digest(SECRET),
                uris=[],
                robot=robot,
                u=school,
            )
            front = await one(
                insert_client,
                client="pp-bench-front",
                kind="front_end",
                secret=None,
                uris=["https://front.example/cb"],
                robot=None,
                u=commission,
            )
            grant = await one(
                "INSERT INTO oauth_grants (client_pk, user_id, scope, created_at, expires_at)"
                " VALUES (:c, :u, 'read', now(), now() + interval '1 day') RETURNING id",
                c=front,
                u=person,
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO oauth_refresh_tokens (token_hash, grant_id, issued_at, expires_at)"
                    " VALUES (:h, :g, now(), now() + interval '1 day')"
                ),
                {"h": client_secrets.digest(refresh), "g": grant},
            )
    finally:
        await engine.dispose()
    return {"person": person, "grant": grant, "refresh": refresh}


async def client_credentials(client: httpx.AsyncClient) -> float:
    start = time.perf_counter()
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "read sync"},
        auth=("pp-bench-service", SECRET),
    )
    elapsed = time.perf_counter() - start
    assert response.status_code == 200 and response.json()["access_token"], response.text
    return elapsed


async def concurrent(client: httpx.AsyncClient, n: int, callers: int) -> float:
    """Requests per second of ``callers`` concurrent loops sharing ``n`` requests."""
    remaining = n

    async def loop() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await client_credentials(client)

    start = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(callers)))
    return n / (time.perf_counter() - start)


async def refresh_chain(client: httpx.AsyncClient, token: str, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = await client.post(
            "/oauth/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": token,
                "client_id": "pp-bench-front",
            },
        )
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, response.text
        token = response.json()["refresh_token"]
    return samples


async def me_rounds(
    client: httpx.AsyncClient, tokens: dict[str, str], n: int, rounds: int = 3
) -> dict[str, list[tuple[float, float]]]:
    """(wall, server CPU) per request for each token, interleaved rounds of n."""
    out: dict[str, list[tuple[float, float]]] = {name: [] for name in tokens}
    for _ in range(rounds):
        for name, token in tokens.items():
            headers = {"Authorization": f"Bearer {token}"}
            for _ in range(n):
                wall, cpu = time.perf_counter(), time.process_time()
                response = await client.post("/graphql", json=ME, headers=headers)
                out[name].append((time.perf_counter() - wall, time.process_time() - cpu))
                assert "errors" not in response.json(), response.text
    return out


async def main(requests: int, callers: int) -> None:
    async with scratch_database() as (owner, workdir):
        ids = await seed(owner)
        async with service(owner, workdir) as (platform, client):
            for _ in range(20):  # warm up: pools, caches, the worker threads
                await client_credentials(client)
            report(
                "client credentials", [await client_credentials(client) for _ in range(requests)]
            )
            rate = await concurrent(client, requests, callers)
            print(f"client credentials, {callers} concurrent callers: {rate:7.0f} req/s")
            report("refresh rotation", await refresh_chain(client, ids["refresh"], requests))

            person = str(ids["person"])
            tokens = {
                "operator token": platform.tokens.mint(person, 3600),
                "client token": platform.tokens.mint(
                    person,
                    900,
                    client_id="pp-bench-front",
                    scope="read",
                    grant_id=int(ids["grant"]),  # type: ignore[call-overload]
                ),
            }
            await me_rounds(client, tokens, 50, rounds=1)
            rounds = await me_rounds(client, tokens, requests)
            for name, samples in rounds.items():
                report(f"{{ me }}, {name}", [wall for wall, _ in samples])
                cpu = sorted(c for _, c in samples)[len(samples) // 2] * 1e6
                print(f"{'':<28} server CPU p50 {cpu:7.0f} µs")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.concurrency))
