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

import sqlalchemy as sa
from harness import gid, report, scratch_database, service, timed
from sqlalchemy.ext.asyncio import create_async_engine

from partyplan.server.database import async_url

PLAN = """query($u: ID!, $p: ID!) { plan(unitId: $u, periodId: $p) {
  line { received { total } handedDown { total } reserve { total } available { total } }
  children { position unitName received { total students staff highKnowledge }
             forecast { amounts { total } remark } }
  childrenForecast { total } } }"""
UNITS = "{ units(first: 50) { edges { node { id name kind parent { name } school { name } } } } }"


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
            user = await conn.scalar(
                sa.text(
                    "INSERT INTO users (username, display_name, home_unit_id, home_path, school_id) "
                    "SELECT :u, :u, id, path, school_id FROM units WHERE id = :i RETURNING id"
                ),
                {"u": name, "i": ids[unit]},
            )
            role = "commission_admin" if unit == "commission" else "school_admin"
            await conn.execute(
                sa.text(
                    "INSERT INTO role_bindings (user_id, role, unit_id, unit_path, school_id) "
                    "SELECT :user, :role, id, path, school_id FROM units WHERE id = :i"
                ),
                {"user": user, "role": role, "i": ids[unit]},
            )
            ids[name] = user
    await engine.dispose()
    return ids


async def main(children: int, requests: int) -> None:
    async with scratch_database() as (owner, workdir):
        ids = await seed(owner, children)
        async with service(owner, workdir) as (platform, client):
            admin = platform.tokens.mint(str(ids["admin"]), 3600)
            school_admin = platform.tokens.mint(str(ids["school-admin"]), 3600)

            async def call(query: str, variables: dict, token: str) -> dict:  # type: ignore[type-arg]
                r = await client.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {token}"},
                )
                return r.json()

            created = await call(
                'mutation($c: ID!) { createPlanPeriod(input: {commissionId: $c, name: "2023",'
                ' kind: CALENDAR_YEAR, startsOn: "2023-01-01", endsOn: "2023-12-31"}) { period { id } } }',
                {"c": gid("Unit", ids["commission"])},
                admin,
            )
            period = created["data"]["createPlanPeriod"]["period"]["id"]
            await call(
                "mutation($p: ID!) { publishPlanPeriod(input: {periodId: $p}) { errors { code } } }",
                {"p": period},
                admin,
            )
            await call(
                "mutation($p: ID!, $s: ID!) { issuePlan(input: {periodId: $p, schoolId: $s,"
                ' amounts: {total: 100000}, documentNo: "x"}) { errors { code } } }',
                {"p": period, "s": gid("Unit", ids["school"])},
                admin,
            )
            allocate = {
                "query": "mutation($p: ID!, $f: ID!, $t: ID!) { allocateQuota(input: {"
                "periodId: $p, fromUnitId: $f, toUnitId: $t, amounts: {total: 1}}) "
                "{ errors { code } } }",
                "variables": {
                    "p": period,
                    "f": gid("Unit", ids["school"]),
                    "t": gid("Unit", ids["committee"]),
                },
            }
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


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=50)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    asyncio.run(main(args.children, args.requests))
