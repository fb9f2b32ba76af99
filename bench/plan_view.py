"""Quick in-process measurement of the plan screens (not a unit test; see bench/README.md).

    python bench/plan_view.py [--children 50] [--requests 300]

Starts an embedded PostgreSQL in a temporary directory, builds one school whose committee has
N branches with quota and forecasts (through the real services), then times, in one process
over ASGI (no network, no GraphQL-over-HTTP server), sequential requests of:
  - the branch table: plan(unitId:, periodId:) with every child's line;
  - a page of 50 units with parent and school;
  - allocateQuota (a write: balances locked, ledger row, audit entry).
Prints median and p95 latency and requests/s per scenario. Figures from one 2-core machine
only compare with figures taken in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from partyplan.server import database_admin
from partyplan.server.app import create_app
from partyplan.server.database import async_url, with_database
from partyplan.server.embedded import EmbeddedPostgres
from partyplan.server.platform import Platform
from partyplan.server.settings import Settings

PLAN = """query($u: ID!, $p: ID!) { plan(unitId: $u, periodId: $p) {
  line { received { total } handedDown { total } reserve { total } available { total } }
  children { position unitName received { total students staff highKnowledge }
             forecast { amounts { total } remark } }
  childrenForecast { total } } }"""
UNITS = "{ units(first: 50) { edges { node { id name kind parent { name } school { name } } } } }"


def gid(kind: str, row_id: int) -> str:
    import base64

    return base64.b64encode(f"{kind}:{row_id}".encode()).decode()


async def seed(owner_url: str, children: int) -> dict[str, int]:
    engine = create_async_engine(async_url(owner_url))
    ids: dict[str, int] = {}
    async with engine.begin() as conn:
        q = sa.text(
            "INSERT INTO units (kind, name, parent_id, path) VALUES (:k, :n, :p, '0') RETURNING id"
        )
        ids["commission"] = await conn.scalar(q, {"k": "commission", "n": "工委", "p": None})
        ids["school"] = await conn.scalar(q, {"k": "school", "n": "学校", "p": ids["commission"]})
        ids["committee"] = await conn.scalar(
            q, {"k": "committee", "n": "学院党委", "p": ids["school"]}
        )
        for i in range(children):
            await conn.scalar(q, {"k": "branch", "n": f"第{i + 1}党支部", "p": ids["committee"]})
        for name, unit in (("admin", "commission"), ("school-admin", "school")):
            user = await conn.scalar(sa.text(
                "INSERT INTO users (username, display_name, home_unit_id, home_path, school_id) "
                "SELECT :u, :u, id, path, school_id FROM units WHERE id = :i RETURNING id"),
                {"u": name, "i": ids[unit]})  # fmt: skip
            role = "commission_admin" if unit == "commission" else "school_admin"
            await conn.execute(sa.text(
                "INSERT INTO role_bindings (user_id, role, unit_id, unit_path, school_id) "
                "SELECT :user, :role, id, path, school_id FROM units WHERE id = :i"),
                {"user": user, "role": role, "i": ids[unit]})  # fmt: skip
            ids[name] = user
    await engine.dispose()
    return ids


async def timed(client: httpx.AsyncClient, n: int, body, token: str) -> list[float]:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"}
    samples = []
    for i in range(n):
        payload = body(i)
        start = time.perf_counter()
        response = await client.post("/graphql", json=payload, headers=headers)
        samples.append(time.perf_counter() - start)
        data = response.json()
        assert "errors" not in data, data
    return samples


def report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p95 = ordered[int(len(ordered) * 0.95) - 1] * 1000
    print(f"{name:<28} n={len(samples):<5} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   "
          f"{len(samples) / sum(samples):7.0f} req/s")  # fmt: skip


async def main(children: int, requests: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="pp-bench-", dir="/tmp"))
    workdir.chmod(0o755)  # noqa: ASYNC240 - setup, before anything is timed
    embedded = EmbeddedPostgres(workdir / "db")
    try:
        owner = with_database(embedded.start(), "partyplan")
        await database_admin.upgrade(owner, "partyplan_app")
        ids = await seed(owner, children)
        settings = Settings(database_url=owner, data_dir=workdir, key_dir=workdir / "keys")
        platform = Platform(settings, migrate=False)
        await platform.start()
        admin = platform.tokens.mint(str(ids["admin"]), 3600)
        school_admin = platform.tokens.mint(str(ids["school-admin"]), 3600)
        app = create_app(platform, manage_platform=False)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://b"
        ) as client:

            async def call(query: str, variables: dict, token: str) -> dict:  # type: ignore[type-arg]
                r = await client.post("/graphql", json={"query": query, "variables": variables},
                                      headers={"Authorization": f"Bearer {token}"})  # fmt: skip
                return r.json()

            created = await call(
                "mutation($c: ID!) { createPlanPeriod(input: {commissionId: $c, name: \"2023\","
                " kind: CALENDAR_YEAR, startsOn: \"2023-01-01\", endsOn: \"2023-12-31\"}) { period { id } } }",
                {"c": gid("Unit", ids["commission"])}, admin)  # fmt: skip
            period = created["data"]["createPlanPeriod"]["period"]["id"]
            await call("mutation($p: ID!) { publishPlanPeriod(input: {periodId: $p}) { errors { code } } }",
                       {"p": period}, admin)  # fmt: skip
            await call("mutation($p: ID!, $s: ID!) { issuePlan(input: {periodId: $p, schoolId: $s,"
                       " amounts: {total: 100000}, documentNo: \"x\"}) { errors { code } } }",
                       {"p": period, "s": gid("Unit", ids["school"])}, admin)  # fmt: skip
            allocate = {"query": "mutation($p: ID!, $f: ID!, $t: ID!) { allocateQuota(input: {"
                        "periodId: $p, fromUnitId: $f, toUnitId: $t, amounts: {total: 1}}) "
                        "{ errors { code } } }",
                        "variables": {"p": period, "f": gid("Unit", ids["school"]),
                                      "t": gid("Unit", ids["committee"])}}  # fmt: skip
            plan = {"query": PLAN, "variables": {"u": gid("Unit", ids["committee"]), "p": period}}
            for _ in range(20):  # warm-up: caches, pool, prepared statements
                await timed(client, 1, lambda i: plan, school_admin)
            print(f"children per plan: {children}")
            me = {"query": "{ me { user { username } } }"}
            report("me (baseline)", await timed(client, requests, lambda i: me, school_admin))
            report(
                "plan (branch table)", await timed(client, requests, lambda i: plan, school_admin)
            )
            report(
                "units page of 50",
                await timed(client, requests, lambda i: {"query": UNITS}, school_admin),
            )
            report("allocateQuota", await timed(client, requests, lambda i: allocate, school_admin))
        await platform.stop()
    finally:
        embedded.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=50)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    asyncio.run(main(args.children, args.requests))
