"""The change feed's pull rate, and what its outbox costs a write (not a unit test; see
bench/README.md).

    python bench/feed_pull.py [--schools 20] [--rows 100000] [--page 500] [--writes 1000]

Starts an embedded PostgreSQL in a temporary directory with a commission of ``--schools``
schools, and fills the outbox with ``--rows`` changes by inserting members (the capture
trigger writes them, one statement per school). Then, in one process over ASGI:
  - the commission's administrator pulls the whole feed from the start in pages of ``--page``
    (``changes(first:)`` with every edge's cursor and node);
  - one school's sync account pulls its own school's share the same way;
  - another school's account, with nothing of its own, polls from the end (a quiet poll);
  - the same pages through the service with no GraphQL (the statement and the cursor rules);
and, as the owner, ``--writes`` single-member insert transactions with the capture triggers
and as many without them (what the outbox adds to a write).
Figures from one machine only compare with figures taken in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import time
from typing import Any

import httpx
import sqlalchemy as sa
from harness import scratch_database, service
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from partyplan.resolvers.feed import service as feed
from partyplan.server.database import async_url
from partyplan.tenants.session import Session

_codes = itertools.count()
PULL = """query($since: String, $first: Int!) { changes(since: $since, first: $first) {
  edges { cursor node { kind objectId operation at } } pageInfo { endCursor hasNextPage } } }"""


async def seed(engine: AsyncEngine, schools: int, rows: int) -> dict[str, Any]:
    """A commission, its schools with one branch each, an administrator at the commission and
    a sync account at each of the first two schools; ``rows`` members, spread evenly."""
    ids: dict[str, Any] = {}
    async with engine.begin() as conn:

        async def one(sql: str, **params: object) -> int:
            return (await conn.execute(sa.text(sql), params)).scalar_one()

        commission = await one(
            "INSERT INTO units (kind, name, path) VALUES ('commission', '工委', '0') RETURNING id"
        )
        branches = []
        for n in range(schools):
            school = await one(
                "INSERT INTO units (kind, name, parent_id, path)"
                " VALUES ('school', :n, :p, '0') RETURNING id",
                n=f"学校{n}",
                p=commission,
            )
            branches.append(
                await one(
                    "INSERT INTO units (kind, name, parent_id, path)"
                    " VALUES ('branch', '支部', :p, '0') RETURNING id",
                    p=school,
                )
            )
            ids.setdefault("schools", []).append(school)
        for key, role, unit in (
            ("admin", "commission_admin", commission),
            ("sync", "sync_agent", ids["schools"][0]),
            ("quiet", "sync_agent", ids["schools"][1]),
        ):
            user = await one(
                "INSERT INTO users (username, display_name, home_unit_id, home_path, school_id)"
                " SELECT :u, :u, id, path, school_id FROM units WHERE id = :unit RETURNING id",
                u=f"bench-{key}",
                unit=unit,
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO role_bindings (user_id, role, unit_id, unit_path, school_id)"
                    " SELECT :user, :role, id, path, school_id FROM units WHERE id = :unit"
                ),
                {"user": user, "role": role, "unit": unit},
            )
            ids[key] = user
        ids["branches"] = branches
    writing = [b for n, b in enumerate(branches) if n != 1]  # school 1 stays quiet
    start = time.perf_counter()
    for n, branch in enumerate(writing):
        share = rows // len(writing) + (1 if n < rows % len(writing) else 0)
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO members (school_id, branch_id, unit_path, code, name, joined_on)"
                    " SELECT school_id, id, path, 'b-' || g, '王芳', '2010-07-01'"
                    " FROM units, generate_series(1, :n) g WHERE id = :b"
                ),
                {"n": share, "b": branch},
            )
    ids["bulk_seconds"] = time.perf_counter() - start
    return ids


async def pull_api(client: httpx.AsyncClient, token: str, page: int) -> tuple[int, list[float]]:
    """The whole feed from the start: changes read, seconds per page."""
    headers = {"Authorization": f"Bearer {token}"}
    cursor, total, samples = None, 0, []
    while True:
        start = time.perf_counter()
        response = await client.post(
            "/graphql",
            json={"query": PULL, "variables": {"since": cursor, "first": page}},
            headers=headers,
        )
        samples.append(time.perf_counter() - start)
        body = response.json()
        assert "errors" not in body, body
        changes = body["data"]["changes"]
        total += len(changes["edges"])
        cursor = changes["pageInfo"]["endCursor"]
        if not changes["pageInfo"]["hasNextPage"]:
            return total, samples


async def pull_service(platform: Any, user: int, page: int) -> tuple[int, list[float]]:
    cursor, total, samples = None, 0, []
    while True:
        start = time.perf_counter()
        async with platform.engine.connect() as conn, conn.begin():
            session = await Session.bound(conn, user)
            result = await feed.changes(session, since=cursor, limit=page)
        samples.append(time.perf_counter() - start)
        total += len(result.changes)
        cursor = result.end_cursor
        if not result.has_next:
            return total, samples


def line(name: str, total: int, samples: list[float]) -> None:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)] * 1000
    seconds = sum(samples)
    print(
        f"{name:<34} {total:>7} changes {len(samples):>4} pages  p50 {p50:7.2f} ms"
        f"  p95 {p95:7.2f} ms  {total / seconds:9.0f} changes/s"
    )


async def capture(engine: AsyncEngine, on: bool) -> None:
    action = "ENABLE" if on else "DISABLE"
    async with engine.begin() as conn:
        for event in ("insert", "update", "delete"):
            await conn.execute(
                sa.text(f"ALTER TABLE members {action} TRIGGER members_outbox_{event}")
            )


async def bulk(engine: AsyncEngine, branch: int, n: int, triggers: bool) -> float:
    """Seconds to insert ``n`` members in one statement (an import), with or without capture."""
    await capture(engine, triggers)
    start = time.perf_counter()
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO members (school_id, branch_id, unit_path, code, name, joined_on)"
                " SELECT school_id, id, path, 'k-' || :t || g, '王芳', '2010-07-01'"
                " FROM units, generate_series(1, :n) g WHERE id = :b"
            ),
            {"n": n, "b": branch, "t": f"{next(_codes)}-"},
        )
    return time.perf_counter() - start


async def writes(engine: AsyncEngine, branch: int, n: int, triggers: bool) -> list[float]:
    """Single-member insert transactions, with or without the capture triggers."""
    await capture(engine, triggers)
    samples = []
    async with engine.connect() as conn:
        for _ in range(n):
            start = time.perf_counter()
            async with conn.begin():
                await conn.execute(
                    sa.text(
                        "INSERT INTO members (school_id, branch_id, unit_path, code, name,"
                        " joined_on) SELECT school_id, id, path, :c, '王芳', '2010-07-01'"
                        " FROM units WHERE id = :b"
                    ),
                    {"c": f"w-{next(_codes)}", "b": branch},
                )
            samples.append(time.perf_counter() - start)
    return samples


async def main(schools: int, rows: int, page: int, n_writes: int) -> None:
    async with scratch_database() as (owner, workdir):
        engine = create_async_engine(async_url(owner))
        try:
            ids = await seed(engine, schools, rows)
            async with engine.begin() as conn:
                await conn.execute(sa.text("ANALYZE"))
            print(
                f"outbox: {rows} changes written by {schools - 1} bulk inserts in"
                f" {ids['bulk_seconds']:.2f} s ({rows / ids['bulk_seconds']:.0f} members/s,"
                " capture included)"
            )
            async with service(owner, workdir) as (platform, client):
                tokens = {
                    k: platform.tokens.mint(str(ids[k]), 3600) for k in ("admin", "sync", "quiet")
                }
                await pull_api(client, tokens["sync"], page)  # warm up
                line(
                    f"API, commission, first: {page}",
                    *await pull_api(client, tokens["admin"], page),
                )
                line(
                    f"API, one school, first: {page}", *await pull_api(client, tokens["sync"], page)
                )
                line(
                    f"API, quiet school, first: {page}",
                    *await pull_api(client, tokens["quiet"], page),
                )
                line(
                    f"service, commission, first: {page}",
                    *await pull_service(platform, ids["admin"], page),
                )
                line(
                    f"service, one school, first: {page}",
                    *await pull_service(platform, ids["sync"], page),
                )
            branch = ids["branches"][2]
            for _ in range(2):  # warm up both ways, then interleave
                await writes(engine, branch, 50, True)
                await writes(engine, branch, 50, False)
            with_t = await writes(engine, branch, n_writes, True)
            without = await writes(engine, branch, n_writes, False)
            with_t += await writes(engine, branch, n_writes, True)
            without += await writes(engine, branch, n_writes, False)
            a, b = statistics.median(with_t) * 1e6, statistics.median(without) * 1e6
            print(
                f"single-member insert transaction: p50 {a:.0f} µs with the capture triggers,"
                f" {b:.0f} µs without ({a - b:+.0f} µs)"
            )
            n = 20_000
            timings = {True: [], False: []}
            for _ in range(3):
                for on in (True, False):
                    timings[on].append(await bulk(engine, branch, n, on))
            a, b = min(timings[True]), min(timings[False])
            print(
                f"one statement inserting {n} members: {a * 1000:.0f} ms with the capture"
                f" triggers, {b * 1000:.0f} ms without ({(a - b) / n * 1e6:+.1f} µs a row)"
            )
        finally:
            await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=500)
    parser.add_argument("--writes", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(main(args.schools, args.rows, args.page, args.writes))
