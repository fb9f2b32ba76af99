"""``partyplan bench profile``: where a read scenario's server time goes, in process.

The service's ASGI app runs in this process on the generated database (no HTTP server, no
wrk), one request at a time. Per scenario it prints the process CPU per request without a
profiler (the embedded PostgreSQL runs in its own processes and is not counted; the in-process
HTTP client is), then a cProfile of the same requests: the share of self time per layer of the
stack, and the functions with the most self time. cProfile slows Python down unevenly (calls
cost more than loops), so read the shares as a ranking, and the CPU figure as the measurement.
The function calls per request are counted, not timed: the same for the same code and data
whatever else the machine is doing, they compare two versions where CPU time is too noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import json
import pstats
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import asyncpg
import httpx

from partyplan.auth.tokens import TokenService
from partyplan.server.app import create_app
from partyplan.server.platform import Platform

from . import scenarios as sc
from .environment import Database, find_data_dir

TOKEN_TTL = 3600

# (path fragment, layer): the first fragment found in a function's file names its layer.
LAYERS = (
    ("/schema/execution.py", "our executor (plain fields)"),
    ("/graphql/", "graphql-core"),
    ("/strawberry/", "strawberry"),
    ("/schema/", "our schema types and resolvers"),
    ("/resolvers/", "our services and repositories"),
    ("/tenants/", "our services and repositories"),
    ("/sqlalchemy/", "SQLAlchemy"),
    ("/asyncpg/", "asyncpg"),
    ("/joserfc/", "token check"),
    ("/auth/", "token check"),
    ("/starlette/", "HTTP (starlette, httpx)"),
    ("/httpx/", "HTTP (starlette, httpx)"),
    ("/httpcore/", "HTTP (starlette, httpx)"),
    ("/server/", "HTTP (starlette, httpx)"),
    ("/json/", "JSON"),
    ("/asyncio/", "asyncio"),
    ("/enum.py", "enum"),
)


def _layer(filename: str) -> str:
    for fragment, layer in LAYERS:
        if fragment in filename:
            return layer
    return "builtins (isinstance, getattr, socket, ...)" if filename == "~" else "other"


def breakdown(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Self time per layer, largest first, as shares of the total."""
    per_layer: dict[str, float] = defaultdict(float)
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        per_layer[_layer(filename)] += tottime
    total = sum(per_layer.values()) or 1.0
    return sorted(((k, v / total) for k, v in per_layer.items()), key=lambda kv: -kv[1])


async def _profile(args: argparse.Namespace) -> int:
    database = Database.open(find_data_dir(args.scale, args.data_dir), args.database_url)
    owner = await asyncpg.connect(database.owner_dsn)
    try:
        fx = await sc.discover(owner)
    finally:
        await owner.close()
    tokens = TokenService.from_settings(database.settings)
    platform = Platform(database.settings, migrate=False)
    await platform.start()
    try:
        documents = sc.write_documents(Path(tempfile.mkdtemp(prefix="partyplan-documents-")))
        app = create_app(platform, manage_platform=False, documents_dir=documents)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name in args.scenarios:
                account, bodies = sc.graphql_bodies(name, fx, dt.date.today())
                token = tokens.mint(str(fx.users[account]), TOKEN_TTL)
                await _one(client, name, account, json.loads(bodies[0]), token, args)
    finally:
        await platform.stop()
        database.close()
    return 0


async def _one(
    client: httpx.AsyncClient,
    name: str,
    account: str,
    body: dict,  # type: ignore[type-arg]
    token: str,
    args: argparse.Namespace,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}

    async def requests(n: int) -> None:
        for _ in range(n):
            answer = (await client.post("/graphql", json=body, headers=headers)).json()
            if answer.get("errors"):
                raise SystemExit(f"{name} answered errors: {answer['errors']}")

    await requests(args.warmup)
    cpu, wall = time.process_time(), time.perf_counter()
    await requests(args.requests)
    cpu_ms = (time.process_time() - cpu) / args.requests * 1000
    wall_ms = (time.perf_counter() - wall) / args.requests * 1000
    # CPU time, not wall time: waiting for PostgreSQL is not the server's work.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    await requests(args.requests)
    profiler.disable()
    stats = pstats.Stats(profiler)
    if args.dump:
        _dump(stats, Path(args.dump), name)
    print(f"\n{name}: {sc.SCENARIO_TITLES[name]} (as {account}, {args.requests} requests)")
    print(
        f"  in-process CPU {cpu_ms:.2f} ms/request, wall {wall_ms:.2f} ms/request "
        "(no profiler; PostgreSQL's CPU not included)"
    )
    # The count does not depend on what else runs on the cores: on a shared machine it shows
    # a change in Python work that the CPU figure's noise hides.
    calls = stats.total_calls / args.requests  # type: ignore[attr-defined]
    print(f"  Python function calls {calls:,.0f}/request (cProfile; repeatable)")
    print("  self time by layer (cProfile):")
    for layer, share in breakdown(stats):
        if share >= 0.005:
            print(f"    {share:6.1%}  {layer}")
    print(f"  top {args.top} functions by self time:")
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[: args.top]  # type: ignore[attr-defined]
    total = sum(v[2] for v in stats.stats.values()) or 1.0  # type: ignore[attr-defined]
    for (filename, line, function), (_, calls, tottime, _, _) in rows:
        where = "/".join(Path(filename).parts[-2:]) if filename != "~" else "builtin"
        per_request = calls / args.requests
        print(f"    {tottime / total:6.1%}  {per_request:8.1f}/req  {function} ({where}:{line})")


def _dump(stats: pstats.Stats, directory: Path, name: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    stats.dump_stats(directory / f"{name}.pstats")


def main(args: argparse.Namespace) -> int:
    return asyncio.run(_profile(args))
