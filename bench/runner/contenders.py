"""The servers a scenario is measured on, and one measurement of one of them.

A measurement starts the server alone (nothing else is serving), warms it up with wrk reading
every response, then runs wrk for the timed duration while PostgreSQL's counters and /proc are
read at both edges, and stops the server. Transactions are read before the start and after
the stop, when no backend holds unpublished counters (see stats.py).
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import pgbench, stats, wrk
from .report import Sample

MUTATIONS = ("M1", "M2")


class MeasurementFailed(RuntimeError):
    """A server answered errors (or not at all) where it must not: the figure is void."""


@dataclass
class Contender:
    """An HTTP server under test: how to start and stop it, and what to send it."""

    label: str
    start: Callable[[], subprocess.Popen[bytes]]
    stop: Callable[[subprocess.Popen[bytes]], None]
    urls: dict[str, str]  # scenario → URL
    bodies: dict[str, Path]  # scenario → file of request bodies
    tokens: dict[str, str]  # scenario → bearer token
    before: dict[str, Callable[[], Awaitable[None]]] = field(default_factory=dict)

    def serves(self, scenario: str) -> bool:
        return scenario in self.urls


@dataclass
class Ceiling:
    """pgbench replaying a scenario's statements (no HTTP server)."""

    label: str
    dsn: str
    database: str
    scripts: dict[str, str]  # scenario → floor_sql statement set ("Q1", "Q1-live", …)
    variables: dict[str, dict[str, Any]]
    workdir: Path

    def serves(self, scenario: str) -> bool:
        return scenario in self.scripts


@dataclass
class Load:
    connections: int
    threads: int
    duration: int
    warmup: int


@dataclass
class Probe:
    """Where the counters are read; ``dump`` (a directory) keeps each run's statements."""

    counters: stats.PgCounters | None
    postmaster: int | None
    dump: Path | None = None


async def _top(probe: Probe) -> dict[str, int] | None:
    if probe.counters is None or probe.dump is None:
        return None
    try:
        return await probe.counters.top()
    except Exception:  # noqa: BLE001 - a breakdown is a convenience
        return None


async def _dump(probe: Probe, before: dict[str, int] | None, name: str, requests: int) -> None:
    """Calls per statement text over the timed run, per request, most frequent first."""
    if before is None or probe.counters is None or probe.dump is None:
        return
    delta = await probe.counters.top(before)
    lines = [
        f"{calls / max(requests, 1):8.3f}  {query}"
        for query, calls in sorted(delta.items(), key=lambda kv: -kv[1])
    ]
    (probe.dump / f"statements-{name}.txt").write_text("\n".join(lines) + "\n")


async def _statements(probe: Probe) -> stats.Statements | None:
    if probe.counters is None:
        return None
    try:
        return await probe.counters.statements()
    except Exception:  # noqa: BLE001 - pg_stat_statements unavailable: the column stays empty
        return None


async def _settle(probe: Probe) -> int | None:
    return None if probe.counters is None else await probe.counters.settle()


async def _quiet(probe: Probe) -> None:
    if probe.counters is not None:
        await probe.counters.quiet()


def _pg_cpu(probe: Probe) -> float | None:
    return None if probe.postmaster is None else stats.cluster_cpu(probe.postmaster)


def _sample(
    rate: float,
    p50: float,
    p95: float,
    p99: float,
    requests: int,
    *,
    total: int,
    statements: tuple[stats.Statements | None, stats.Statements | None],
    xacts: tuple[int | None, int | None],
    server_cpu: float | None,
    pg_cpu: tuple[float | None, float | None],
    rss: list[float],
    errors: int = 0,
    failures: int = 0,
) -> Sample:
    """Per-request figures from the counters read at the edges."""
    per = stats.per_request
    s0, s1 = statements
    stmt = None if s0 is None or s1 is None else s1 - s0
    x = None if xacts[0] is None or xacts[1] is None else xacts[1] - xacts[0]
    pg = None if pg_cpu[0] is None or pg_cpu[1] is None else pg_cpu[1] - pg_cpu[0]
    return Sample(
        rate=rate,
        p50=p50,
        p95=p95,
        p99=p99,
        requests=requests,
        errors=errors,
        failures=failures,
        statements=None if stmt is None else per(stmt.statements, requests),
        tx_control=None if stmt is None else per(stmt.tx_control, requests),
        ends=None if stmt is None else per(stmt.ends, requests),
        xacts=None if x is None else per(x, total),
        server_cpu_ms=None if server_cpu is None else per(server_cpu * 1000, requests),
        pg_cpu_ms=None if pg is None else per(pg * 1000, requests),
        rss_mb=tuple(rss),
    )


async def measure_http(contender: Contender, scenario: str, load: Load, probe: Probe) -> Sample:
    """One timed run of ``contender`` on ``scenario`` (see the module docstring)."""
    if scenario in contender.before:
        await contender.before[scenario]()
    x0 = await _settle(probe)
    proc = await asyncio.to_thread(contender.start)
    try:

        def drive(seconds: int, check: bool) -> wrk.WrkResult:
            return wrk.run(
                contender.urls[scenario],
                contender.bodies[scenario],
                contender.tokens[scenario],
                connections=load.connections,
                threads=load.threads,
                seconds=seconds,
                check=check,
            )

        warm = await asyncio.to_thread(drive, load.warmup, True)
        if warm.failures or warm.errors:
            raise MeasurementFailed(
                f"{contender.label} {scenario} warm-up: {warm.failures} "
                f"failed, {warm.errors} errors; {warm.sample}"
            )
        await _quiet(probe)  # the warm-up's last requests finish outside the window
        pids = stats.tree(proc.pid)
        top0 = await _top(probe)
        s0, c0, p0 = await _statements(probe), stats.cpu_of(pids), _pg_cpu(probe)
        # Reads are checked in the warm-up (and agree beforehand); reading every body in the
        # timed run would cost wrk's CPU, shared with the servers. Writes are checked always.
        run = await asyncio.to_thread(drive, load.duration, scenario in MUTATIONS)
        await _quiet(probe)  # and the run's, inside it: they count in ``run.sent``
        s1, p1 = await _statements(probe), _pg_cpu(probe)
        c1 = stats.cpu_of(stats.tree(proc.pid))
        rss = stats.worker_rss_mb(proc.pid)
        await _dump(probe, top0, f"{scenario}-{contender.label.replace(' ', '-')}", run.sent)
    finally:
        await asyncio.to_thread(contender.stop, proc)
    x1 = await _settle(probe)
    return _sample(
        run.rate,
        run.p50_ms,
        run.p95_ms,
        run.p99_ms,
        run.sent,
        total=warm.sent + run.sent,
        statements=(s0, s1),
        xacts=(x0, x1),
        server_cpu=stats.cpu_delta(c0, c1),
        pg_cpu=(p0, p1),
        rss=rss,
        errors=run.errors,
        failures=run.failures,
    )


async def measure_pgbench(ceiling: Ceiling, scenario: str, load: Load, probe: Probe) -> Sample:
    """pgbench's warm-up, then its timed run; every backend it opens exits with it."""
    script = ceiling.scripts[scenario]

    def bench(seconds: int, log: bool) -> pgbench.PgbenchResult:
        return pgbench.run(
            ceiling.dsn,
            ceiling.database,
            script,
            ceiling.variables[script],
            ceiling.workdir,
            clients=load.connections,
            threads=load.threads,
            seconds=seconds,
            log=log,
        )

    x0 = await _settle(probe)
    warm = await asyncio.to_thread(bench, load.warmup, False)
    await _settle(probe)
    top0 = await _top(probe)
    s0, p0 = await _statements(probe), _pg_cpu(probe)
    run = await asyncio.to_thread(bench, load.duration, True)
    x1 = await _settle(probe)
    s1, p1 = await _statements(probe), _pg_cpu(probe)
    await _dump(probe, top0, f"{scenario}-{ceiling.label.replace(' ', '-')}", run.transactions)
    if warm.failed or run.failed:
        raise MeasurementFailed(f"pgbench {scenario}: {warm.failed + run.failed} failed")
    return _sample(
        run.tps,
        run.p50_ms,
        run.p95_ms,
        run.p99_ms,
        run.transactions,
        total=warm.transactions + run.transactions,
        statements=(s0, s1),
        xacts=(x0, x1),
        server_cpu=None,
        pg_cpu=(p0, p1),
        rss=[],
    )
