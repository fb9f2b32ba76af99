"""``partyplan bench generate``: build a scale's data set and load it, then bring the
database's derived state in line (tallies, statistics, warnings).

Phases, each timed (:class:`GenerateResult`):

1. ``setup`` — the database made empty and migrated; the tree, calendars and accounts loaded;
2. ``stream`` — schools generated and loaded by worker processes, each with its own COPY
   streams (stream.py); ``generate_cpu`` sums their CPU time (generating, sealing PII,
   encoding rows), the rest of the stream's cores went to PostgreSQL;
3. ``plans`` — periods' quotas from the admissions (plans.py);
4. ``vacuum``, ``tallies``, ``reports``, ``scan`` — what the database derives or keeps from
   the rows (see :func:`_derived_state`).

The embedded server (default) lives in ``data_dir`` with the keys in ``data_dir/keys``: the
layout ``partyplan serve`` uses with ``PARTYPLAN_DATA_DIR=data_dir``, so the service decrypts
what was loaded. It is stopped at the end; the runner starts it again from the same directory.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.resolvers.warnings.service.scan import scan as warning_scan
from partyplan.server.database import async_url, with_database
from partyplan.server.embedded import EmbeddedPostgres
from partyplan.server.platform import EMBEDDED_DATABASE
from partyplan.server.settings import Settings

from . import load
from .accounts import load_static
from .plans import build_plans, period_rows
from .reports import load_reports
from .scale import Scale
from .stream import load_all
from .tree import build_tree


@dataclass
class GenerateResult:
    scale: str
    seed: int
    database: str  # the owner URL, password hidden
    data_dir: str | None  # the embedded server's directory, if one was used
    counts: dict[str, int]
    phases: dict[str, float]  # seconds, in order
    total_seconds: float
    database_bytes: int
    accounts: dict[str, int]  # username → user id
    generate_cpu: float = 0.0  # CPU seconds of the loading processes (generate, seal, encode)

    def lines(self) -> list[str]:
        size = self.database_bytes / 2**20
        out = [f"generated {self.scale} (seed {self.seed}) into {self.database}"]
        out += [f"  {table:<22} {n:>12,}" for table, n in self.counts.items()]
        out += [f"  {phase:<22} {seconds:>10.1f} s" for phase, seconds in self.phases.items()]
        out.append(f"  {'(generators, CPU)':<22} {self.generate_cpu:>10.1f} s")
        out.append(f"  {'total':<22} {self.total_seconds:>10.1f} s")
        out.append(f"  {'database size':<22} {size:>10.1f} MB")
        return out


def default_data_dir(scale: str) -> Path:
    return Path.cwd() / ".partyplan" / f"bench-{scale}"


async def generate_into(
    owner: str,
    scale: Scale,
    seed: int,
    *,
    key_dir: Path,
    replace: bool = False,
    workers: int | None = None,
    validate: bool = False,
    scan: bool | None = None,
    echo: Callable[[str], None] = print,
) -> GenerateResult:
    """Generate ``scale`` into the database at the owner URL ``owner`` (created if missing),
    PII sealed with the key in ``key_dir`` (created if missing). ``workers``: loading
    processes (default one per CPU; 0: this one); ``validate``: judge every generated step with
    the rule engine (else a fixed sample); ``scan``: run the warning scan (default: the
    scale's choice)."""
    began = last = time.perf_counter()
    phases: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        phases[name] = now - last
        last = now
        echo(f"  {name} done in {phases[name]:.1f} s")

    workers = (os.cpu_count() or 1) if workers is None else workers
    PiiCipher.load_or_create(key_dir)  # once here, before the processes read it
    await load.prepare(owner, replace=replace)
    tree = build_tree(scale, seed)
    main = await load.connect(owner)
    try:
        accounts = await load_static(main, tree, scale)
        # The periods now; their quotas once the admissions are known.
        await load.copy(main, "plan_periods", load.PERIOD_COLUMNS, period_rows(tree, scale))
        lap("setup")
        loaded = await load_all(owner, tree.schools, scale, seed, key_dir, workers, validate)
        lap("stream (generate + COPY)")
        plans_rows = build_plans(tree, scale, seed, loaded.admissions)
        await load.copy(main, "quota_movements", load.MOVEMENT_COLUMNS, plans_rows.movements)
        await load.copy(main, "unit_quotas", load.QUOTA_COLUMNS, plans_rows.quotas)
        await load.copy(main, "structural_targets", load.TARGET_COLUMNS, plans_rows.targets)
        await main.execute("SET session_replication_role = origin")
        await load.continue_identities(main)
        lap("plans")
        await _derived_state(
            owner,
            scale,
            seed,
            accounts["bench-commission"],
            scan_warnings=scale.scan if scan is None else scan,
            lap=lap,
        )
        result_counts = await load.counts(main)
        size = await main.fetchval("SELECT pg_database_size(current_database())")
    finally:
        await main.close()
    return GenerateResult(
        scale=scale.name,
        seed=seed,
        database=make_url(owner).render_as_string(),
        data_dir=None,
        counts=result_counts,
        phases=phases,
        total_seconds=time.perf_counter() - began,
        database_bytes=size,
        accounts=accounts,
        generate_cpu=loaded.cpu,
    )


# What the load wrote, vacuumed in two groups side by side: recruit_steps is half the data.
_VACUUMED = (
    ("recruit_steps",),
    (
        "recruits",
        "members",
        "recruit_findings",
        "talent_filings",
        "units",
        "users",
        "role_bindings",
        "calendar_days",
        "plan_periods",
        "quota_movements",
        "unit_quotas",
        "structural_targets",
    ),
)


async def _each(owner: str, jobs: list[list[str]]) -> None:
    """Each job's statements in order on a connection of its own, the jobs side by side."""

    async def run(statements: list[str]) -> None:
        conn = await load.connect(owner, bulk=False)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    await asyncio.gather(*(run(job) for job in jobs))


async def _derived_state(
    owner: str,
    scale: Scale,
    seed: int,
    reviewer: int,
    *,
    scan_warnings: bool,
    lap: Callable[[str], None],
) -> None:
    """What the database derives or keeps from the loaded rows.

    * ``VACUUM (ANALYZE)``: statistics, and the hint bits and visibility map of every loaded
      page written now rather than by the first queries — and rather than by autovacuum in the
      middle of the benchmarks that follow (a bulk insert triggers it);
    * the tallies: the statement ``rollups.repository.rebuild_open_periods`` runs
      (``unit_tallies_rebuild`` per open period), one period per connection so that the cores
      share them;
    * the execution reports due before ``as_of`` (reports.py), over the tallies;
    * the warning scan (``warnings.scan.scan``) judged on the scale's ``as_of``, unless
      ``scan_warnings`` is off (nation scale: see bench/README.md).
    """
    await _each(owner, [[f"VACUUM (ANALYZE) {', '.join(tables)}"] for tables in _VACUUMED])
    lap("vacuum")
    conn = await load.connect(owner, bulk=False)
    try:
        periods = await conn.fetch(
            "SELECT id, commission_path::text AS path FROM plan_periods WHERE state <> 'closed'"
            " ORDER BY id"
        )
    finally:
        await conn.close()
    calls = [f"SELECT unit_tallies_rebuild({p['id']}, '{p['path']}')" for p in periods]
    await _each(owner, [calls[i::2] for i in range(2)])
    await _each(owner, [["VACUUM (ANALYZE) unit_tallies, unit_month_tallies"]])
    lap("tallies")
    conn = await load.connect(owner, bulk=False)
    try:
        await load_reports(owner, conn, scale, seed, reviewer)
    finally:
        await conn.close()
    lap("reports")
    if not scan_warnings:
        return
    engine = create_async_engine(async_url(owner))
    try:
        async with engine.begin() as sa_conn:
            await warning_scan(sa_conn, scale.as_of)
    finally:
        await engine.dispose()
    await _each(owner, [["VACUUM (ANALYZE) warnings"]])
    lap("scan")


async def generate(
    scale: Scale,
    seed: int,
    *,
    database_url: str | None = None,
    data_dir: Path | None = None,
    key_dir: Path | None = None,
    replace: bool = False,
    workers: int | None = None,
    scan: bool | None = None,
    echo: Callable[[str], None] = print,
) -> GenerateResult:
    """Into ``database_url`` (an owner URL), or else an embedded server in ``data_dir``,
    stopped afterwards. PII is sealed with the key in ``key_dir`` (default data_dir/keys)."""
    data_dir = (data_dir or default_data_dir(scale.name)).resolve()
    settings = Settings(
        data_dir=data_dir, key_dir=key_dir or data_dir / "keys", database_url=database_url
    )
    key_dir = settings.resolved_key_dir
    if database_url:
        return await generate_into(
            database_url,
            scale,
            seed,
            key_dir=key_dir,
            replace=replace,
            workers=workers,
            scan=scan,
            echo=echo,
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    embedded = EmbeddedPostgres(data_dir)
    try:
        owner = with_database(embedded.start(), EMBEDDED_DATABASE)
        result = await generate_into(
            owner,
            scale,
            seed,
            key_dir=key_dir,
            replace=replace,
            workers=workers,
            scan=scan,
            echo=echo,
        )
    finally:
        embedded.stop()
    return dataclasses.replace(result, data_dir=str(data_dir))
