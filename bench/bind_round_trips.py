"""What one round trip to PostgreSQL costs the service per request, on asyncio's loop and on
uvloop: the request's transaction as the service opens it (SQLAlchemy over asyncpg, a pooled
connection: ``BEGIN``, the bind, a data statement, ``COMMIT``), against the same with one more
statement — the price of the ``BEGIN`` that asyncpg cannot send with the bind
(tests/server/test_round_trips.py).

    python bench/bind_round_trips.py [--requests 3000] [--rounds 3]

Starts an embedded PostgreSQL in a temporary directory (bench/harness.py). Figures: this
process's CPU per request (``time.process_time``: the service's side of each round trip) and
wall time per request, the best of ``--rounds`` rounds of ``--requests`` sequential requests.
The bound user does not exist, so the bind returns no row; its statements run all the same.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import sqlalchemy as sa
import uvloop
from harness import scratch_database

from partyplan.server.database import app_url_from_owner, create_app_engine

BIND = sa.text("SELECT * FROM app_bind_principal(:user_id)")
DATA = sa.text("SELECT 1")


async def measure(owner: str, requests: int, rounds: int, extra: int) -> tuple[float, float]:
    engine = create_app_engine(app_url_from_owner(owner, "partyplan_app", None))

    async def one() -> None:
        async with engine.connect() as conn, conn.begin():
            await conn.execute(BIND, {"user_id": 1})
            for _ in range(1 + extra):
                await conn.execute(DATA)

    try:
        for _ in range(200):  # warm: connection open, statements prepared
            await one()
        best_cpu = best_wall = float("inf")
        for _ in range(rounds):
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(requests):
                await one()
            best_cpu = min(best_cpu, time.process_time() - cpu)
            best_wall = min(best_wall, time.perf_counter() - wall)
    finally:
        await engine.dispose()
    return best_cpu / requests * 1e6, best_wall / requests * 1e6


def run_on(
    loop_factory: Callable[[], asyncio.AbstractEventLoop], job: Coroutine[Any, Any, Any]
) -> Any:
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        return runner.run(job)


async def owner_url_then(fn: Callable[[str], None]) -> None:
    async with scratch_database() as (owner, _):
        await asyncio.to_thread(fn, owner)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    def measured(owner: str) -> None:
        print(f"{'loop':<8} {'statements a request':<42} {'CPU µs':>8} {'wall µs':>8}")
        for name, factory in (
            ("asyncio", asyncio.new_event_loop),
            ("uvloop", uvloop.new_event_loop),
        ):
            for extra, shape in (
                (0, "BEGIN, bind, 1 data, COMMIT"),
                (1, "BEGIN, bind, 2 data, COMMIT"),
            ):
                cpu, wall = run_on(factory, measure(owner, args.requests, args.rounds, extra))
                print(f"{name:<8} {shape:<42} {cpu:>8.1f} {wall:>8.1f}")

    asyncio.run(owner_url_then(measured))


if __name__ == "__main__":
    main()
