"""``partyplan bench run``: the scenarios over HTTP against our service, the floor and the peers.

Only argparse is imported here: ``partyplan --help`` must not pay for uvicorn, asyncpg or the
schema. The run itself lives in :mod:`.run`; see bench/README.md, "Runner".
"""

from __future__ import annotations

import argparse

SCENARIOS = ("Q1", "Q2", "Q3", "Q4", "M1", "M2")
READS = ("Q1", "Q2", "Q3", "Q4")
PEERS = ("postgraphile5", "postgraphile4")


def _csv(choices: tuple[str, ...]):  # type: ignore[no-untyped-def]
    def parse(text: str) -> list[str]:
        items = [t.strip() for t in text.split(",") if t.strip()]
        unknown = [t for t in items if t not in choices]
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown {', '.join(unknown)}; choose from {choices}")
        return items

    return parse


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    run = sub.add_parser(
        "run",
        help="drive the scenarios with wrk against our service, the floor and the peers",
        description="Drive Q1–Q4, M1, M2 with wrk at fixed concurrency against our service, "
        "the floor app (starlette + asyncpg), pgbench and the PostGraphile peers, one server "
        "at a time, in interleaved rounds; print a table per scenario and write BENCHMARKS.md.",
    )
    where = run.add_argument_group("data")
    where.add_argument(
        "--scale",
        default="province",
        help="data set name (default province): its embedded data dir is .partyplan/bench-<scale>",
    )
    where.add_argument(
        "--data-dir", help="embedded data directory (default .partyplan/bench-<scale>)"
    )
    where.add_argument(
        "--database-url",
        help="owner URL of an external, generated database (keys still come from --data-dir/keys)",
    )
    load = run.add_argument_group("load")
    load.add_argument("--workers", type=int, default=2, help="server worker processes (2)")
    load.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    load.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    load.add_argument("--duration", type=int, default=10, help="seconds per timed run (10)")
    load.add_argument("--warmup", type=int, default=3, help="seconds of warm-up (3)")
    load.add_argument("--rounds", type=int, default=3, help="interleaved rounds (3)")
    load.add_argument(
        "--scenarios",
        type=_csv(SCENARIOS),
        default=list(SCENARIOS),
        help="comma-separated subset of " + ",".join(SCENARIOS),
    )
    load.add_argument(
        "--peers",
        type=_csv(PEERS),
        default=list(PEERS),
        help="comma-separated peers (default: " + ",".join(PEERS) + ")",
    )
    load.add_argument("--no-peers", action="store_true", help="skip the PostGraphile peers")
    load.add_argument("--no-pgbench", action="store_true", help="skip the pgbench ceiling")
    load.add_argument("--port", type=int, default=18080, help="first TCP port to serve on")
    load.add_argument(
        "--shared-socket",
        action="store_true",
        help="serve ours and the floor with uvicorn --workers (one shared socket; "
        "a burst of connections lands on one worker) instead of a socket per "
        "worker (SO_REUSEPORT)",
    )
    load.add_argument(
        "--floor-reset",
        choices=["none", "default"],
        default="none",
        help="the floor's asyncpg pool reset on release: none (default; every "
        "setting is transaction-local) or asyncpg's default reset query",
    )
    out = run.add_argument_group("output")
    out.add_argument("--no-write", action="store_true", help="do not update BENCHMARKS.md")
    out.add_argument("--benchmarks", help="file to write (default: BENCHMARKS.md at the repo root)")
    out.add_argument(
        "--keep",
        action="store_true",
        help="keep the per-run work directory (wrk bodies, pgbench scripts, logs)",
    )
    run.set_defaults(func=_run)

    profile = sub.add_parser(
        "profile",
        help="where a read scenario's server time goes (in process, cProfile)",
        description="Run Q1–Q4 through the service's ASGI app in this process on the generated "
        "database, one request at a time: CPU per request without a profiler, then the share "
        "of self time per layer (graphql-core, strawberry, our executor, SQLAlchemy, asyncpg, "
        "HTTP, ...) and the top functions under cProfile.",
    )
    profile.add_argument("--scale", default="province", help="data set name (default province)")
    profile.add_argument("--data-dir", help="embedded data directory")
    profile.add_argument("--database-url", help="owner URL of an external, generated database")
    profile.add_argument(
        "--scenarios",
        type=_csv(READS),
        default=list(READS),
        help="comma-separated subset of " + ",".join(READS),
    )
    profile.add_argument("--requests", type=int, default=300, help="requests measured (300)")
    profile.add_argument("--warmup", type=int, default=30, help="requests first (30)")
    profile.add_argument("--top", type=int, default=12, help="functions listed (12)")
    profile.add_argument(
        "--dump",
        metavar="DIR",
        help="write each scenario's cProfile statistics to DIR/<scenario>.pstats (for pstats)",
    )
    profile.set_defaults(func=_profile)


def _profile(args: argparse.Namespace) -> int:
    from .profile import main

    return main(args)


def _run(args: argparse.Namespace) -> int:
    from .run import main

    return main(args)
