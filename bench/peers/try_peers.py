"""Try the peers on a synthetic province (not a unit test; see bench/README.md, "Peers").

    python bench/peers/try_peers.py [--schools 150] [--recruits 300000] [--seconds 10]
                                    [--owner-dsn URL] [--no-wrk] [--scenarios Q3,Q1]

Without ``--owner-dsn`` it starts a scratch embedded PostgreSQL and loads the province of
``bench/rollup_scale.py`` (plus a quota per school, some exempt admissions and cancellations,
so that every figure is exercised), makes a 2024 plan period, and applies ``setup.sql``.
Then, for each peer with 2 workers: checks that Q1 gives our own commission roll-up line for
line (``resolvers/rollups/repository.lines`` as the commission admin, under RLS) and that Q3
gives the recruits the SQL gives; times each scenario with wrk (2 threads, 16 connections)
with per-request settings and, for PostGraphile 5's Q3, session settings too, printing req/s,
p50/p99 and the CPU per request of the server and of PostgreSQL (bench/peers/measure.py); and
checks that under a school's scope a peer sees that school alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
import urllib.request
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from partyplan.bench import peers
from partyplan.bench.peers import measure
from partyplan.resolvers.rollups import repository
from partyplan.server.database import async_url
from partyplan.tenants.binding import bind_principal
from partyplan.tenants.session import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the bench scripts' own imports
from harness import scratch_database  # noqa: E402
from rollup_scale import accounts, load  # noqa: E402

PORT = 5650
# As the runner sends them: the peers ignore the bearer token (neither is given a JWT secret).
HEADERS = {"Content-Type": "application/json", "Authorization": "Bearer not-for-the-peers"}
# Beyond rollup_scale's load: quotas, exempt admissions (the tally trigger runs for these).
EXTRAS = [
    """INSERT INTO unit_quotas (period_id, unit_id, unit_path, unit_kind, school_id, received_total)
       SELECT :period, id, path, kind, school_id, 150 + id % 90 FROM units WHERE kind = 'school'""",
    "UPDATE recruits SET exempt = true WHERE id % 211 = 0 AND approved_on IS NOT NULL",
    "UPDATE recruits SET cancelled_on = applied_on + 400 WHERE id % 307 = 0",
]
Q3_SQL = """SELECT r.id, u.name, r.stage, r.open_findings FROM recruits r
             JOIN units u ON u.id = r.branch_id WHERE r.school_id = :school ORDER BY r.id LIMIT 50"""


@contextlib.asynccontextmanager
async def province(args: argparse.Namespace) -> AsyncIterator[str]:
    if args.owner_dsn:
        yield args.owner_dsn
        return
    async with scratch_database() as (owner, _workdir):
        engine = create_async_engine(async_url(owner))
        began = time.perf_counter()
        async with engine.begin() as conn:
            await load(conn, args.schools, args.recruits)
            await accounts(conn)
            period = await conn.scalar(
                sa.text(
                    "INSERT INTO plan_periods (commission_id, commission_path, name, kind, starts_on,"
                    " ends_on, report_due_on, state) VALUES (1, '1', '2024 年度', 'calendar_year',"
                    " :s, :e, :d, 'issued') RETURNING id"
                ),
                {"s": date(2024, 1, 1), "e": date(2024, 12, 31), "d": date(2024, 12, 15)},
            )
            for statement in EXTRAS:
                await conn.execute(sa.text(statement), {"period": period})
            await conn.execute(sa.text("ANALYZE"))
        await engine.dispose()
        print(
            f"loaded {args.schools} schools, {args.recruits} recruits, period {period}"
            f" in {time.perf_counter() - began:.0f} s"
        )
        yield owner


async def our_rollup(owner: str, admin: int, period: int) -> list[tuple[int, ...]]:
    """The commission's roll-up lines from our repository, as the commission admin."""
    engine = create_async_engine(async_url(peers.app_dsn(owner)))
    try:
        async with engine.begin() as conn:
            session = Session(conn, await bind_principal(conn, admin))
            return peers.rollup_rows(await repository.lines(session, period, 1))
    finally:
        await engine.dispose()


async def facts(owner: str) -> tuple[int, int, int, str, list[tuple], int]:  # type: ignore[type-arg]
    """The commission admin, the newest period, the first school, its path, its first page
    of recruits (Q3) and the postmaster's pid (the parent of our backend)."""
    engine = create_async_engine(async_url(owner))
    try:
        async with engine.connect() as conn:
            admin = await conn.scalar(sa.text("SELECT id FROM users WHERE username = 'admin'"))
            period = await conn.scalar(sa.text("SELECT max(id) FROM plan_periods"))
            school = await conn.scalar(sa.text("SELECT min(id) FROM units WHERE kind = 'school'"))
            path = await conn.scalar(
                sa.text("SELECT path::text FROM units WHERE id = :s"), {"s": school}
            )
            page = [tuple(r) for r in await conn.execute(sa.text(Q3_SQL), {"school": school})]
            backend = await conn.scalar(sa.text("SELECT pg_backend_pid()"))
        return admin, period, school, path, page, _parent(backend)
    finally:
        await engine.dispose()


def _parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def post(port: int, body: dict) -> dict:  # type: ignore[type-arg]
    request = urllib.request.Request(
        peers.url(port), data=json.dumps(body).encode(), headers=HEADERS
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


async def main(args: argparse.Namespace) -> None:
    installed = peers.install()
    async with province(args) as owner:
        await peers.aprepare(owner)
        admin, period, school, path, page, postmaster = await facts(owner)
        ours = await our_rollup(owner, admin, period)
        totals = {f: sum(r[i] for r in ours) for i, f in enumerate(peers.Q1_FIELDS) if i}
        print(f"ours: {len(ours)} school lines; province totals {totals}")
        dsn = peers.app_dsn(owner)
        scope = {"app.scope": "{1}", "app.user_id": str(admin)}  # the commission admin's
        engine = create_async_engine(async_url(owner))
        try:
            async with engine.connect() as conn:
                commission = await conn.scalar(
                    sa.text("SELECT commission_id FROM plan_periods WHERE id = :p"), {"p": period}
                )
        finally:
            await engine.dispose()
        variables = {
            "Q1": {"periodId": period, "unitId": commission},  # the tallies (the fair peer)
            "Q1-live": {"periodId": period},  # the live baseline
            "Q3": {"schoolId": school, "first": 50},
        }
        runs = [(k, "transaction") for k in peers.KINDS] + [("postgraphile5", "session")]
        for kind, mode in runs:
            proc = peers.start(kind, dsn, PORT, 2, scope, settings_mode=mode, peers=installed)
            try:
                docs = peers.documents(kind)
                bodies = {s: {"query": docs[s], "variables": variables[s]} for s in docs}
                q1 = peers.normalize(kind, "Q1", post(PORT, bodies["Q1"]))
                live = peers.normalize(kind, "Q1-live", post(PORT, bodies["Q1-live"]))
                print(f"{kind}: the live baseline equals ours: {live == ours}")
                q3 = peers.normalize(kind, "Q3", post(PORT, bodies["Q3"]))
                print(
                    f"{kind} ({mode} settings): Q1 equals ours: {q1 == ours}"
                    f" ({len(q1)} lines); Q3 equals the SQL: {q3 == page} ({len(q3)} rows)"
                )
                if q1 != ours:
                    diff = [(a, b) for a, b in zip(q1, ours, strict=False) if a != b][:3]
                    print(f"  first differences (peer, ours): {diff}")
                if args.wrk:
                    timed = args.scenarios if mode == "transaction" else ["Q3"]
                    for scenario in (s for s in timed if s in args.scenarios):
                        result = measure.wrk(
                            peers.url(PORT),
                            bodies[scenario],
                            HEADERS,
                            args.seconds,
                            proc.pid,
                            postmaster,
                        )
                        print(f"  {scenario}: {result}")
            finally:
                peers.stop(proc)
        await rls_check(dsn, installed, variables, school, path, ours)


async def rls_check(
    dsn: str,
    installed: peers.PeerInstall,
    variables: dict,
    school: int,
    path: str,
    ours: list[tuple],
) -> None:  # type: ignore[type-arg]
    """Under a school's scope a peer sees that school's line alone, and no other's recruits."""
    scope = {"app.scope": "{" + path + "}", "app.user_id": "0"}
    for kind in peers.KINDS:
        proc = peers.start(kind, dsn, PORT, 1, scope, peers=installed)
        try:
            docs = peers.documents(kind)
            q1 = peers.normalize(
                kind, "Q1", post(PORT, {"query": docs["Q1"], "variables": variables["Q1"]})
            )
            other = {"schoolId": school + 1, "first": 50}
            q3 = peers.normalize(kind, "Q3", post(PORT, {"query": docs["Q3"], "variables": other}))
            own = [r for r in ours if r[0] == school]
            print(
                f"{kind} under {scope['app.scope']}: Q1 is the school's line alone:"
                f" {q1 == own}; Q3 of another school is empty: {q3 == []}"
            )
        finally:
            peers.stop(proc)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=150)
    parser.add_argument("--recruits", type=int, default=300_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--owner-dsn", help="an already loaded database (skips the load)")
    parser.add_argument("--no-wrk", dest="wrk", action="store_false")
    parser.add_argument(
        "--scenarios",
        type=lambda v: v.split(","),
        default=["Q3", "Q1"],
        help="which to time (default Q3,Q1)",
    )
    asyncio.run(main(parser.parse_args()))
