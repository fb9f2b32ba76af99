"""``partyplan bench run``: set up, check agreement, measure in interleaved rounds, report.

Order inside a round, per scenario: our service, the floor (and its live aggregation for Q1),
each peer, pgbench — one server at a time, so none competes with another for the two cores.
Rounds interleave, so a drift of the machine (another tenant, a checkpoint) spreads over every
server instead of landing on one; the tables show each figure's median over the rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shlex
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import asyncpg

from . import agreement, report, stats, targets
from . import scenarios as sc
from .contenders import Ceiling, Load, MeasurementFailed, Probe, measure_http, measure_pgbench
from .environment import REPO, Database, find_data_dir, machine, revision
from .lineup import Lineup, build_lineup


def main(args: argparse.Namespace) -> int:
    # SIGTERM (kill, a CI timeout) is taken as Ctrl-C: asyncio.run then cancels the run, whose
    # finally blocks stop the server under test. Terminated outright, the run left that server
    # running on its port, and the next run's server of the same name then shared the
    # SO_REUSEPORT port with it (or, for a peer, failed to start and was left out). The stop
    # comes once the wrk or pgbench run in flight has ended (at most --duration seconds).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        return asyncio.run(_main(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


async def _main(args: argparse.Namespace) -> int:
    load_before = os.getloadavg()[0]
    data_dir = find_data_dir(args.scale, args.data_dir)
    database = Database.open(data_dir, args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="pp-bench-run-", dir="/tmp"))
    workdir.chmod(0o755)  # noqa: ASYNC240 - setup, before anything is timed
    owner = stats_conn = None
    try:
        owner = await asyncpg.connect(database.owner_dsn)
        stats_conn, counters = await _counters(database, owner)
        fx = await sc.discover(owner)
        postmaster = stats.postmaster_of(await stats_conn.fetchval("SELECT pg_backend_pid()"))
        probe = Probe(counters, postmaster, workdir)
        pg_version = await owner.fetchval("SHOW server_version")
        print(
            f"data: {data_dir if not args.database_url else args.database_url}; "
            f"{_scale(fx)}; period {fx.period_name}"
        )
        lineup = await build_lineup(args, database, owner, fx, workdir)
        # No connection of ours may stay in the benchmark database: the transaction counts
        # are read when no client is connected there (stats.PgCounters.settle).
        await owner.close()
        problems = await _agree(lineup, fx, counters)
        if problems:
            print("servers disagree; nothing is timed:\n  " + "\n  ".join(problems))
            return 1
        tables = await _rounds(args, lineup, probe)
        verdicts = targets.verdicts(tables, lineup.sizes, args.connections)
        # Anything else running on the machine competes for the same cores: say how busy it was.
        lineup.notes.append(
            f"1-minute load average {load_before:.1f} before the run, "
            f"{os.getloadavg()[0]:.1f} after it, on {os.cpu_count()} cores"
        )
        _print(tables, verdicts)
        print(lineup.notes[-1])
        if not args.no_write:
            path = Path(args.benchmarks) if args.benchmarks else REPO / "BENCHMARKS.md"
            report.write_section(
                path, _section(args, fx, tables, verdicts, machine(pg_version), lineup)
            )
            print(f"written to {path}")
        return 0
    finally:
        for conn in (owner, stats_conn):
            if conn is not None and not conn.is_closed():
                await conn.close()
        database.close()
        if args.keep:
            print(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


async def _counters(
    database: Database, owner: asyncpg.Connection
) -> tuple[asyncpg.Connection, stats.PgCounters | None]:
    """A connection to read the statistics from, in another database where possible."""
    try:
        conn = await asyncpg.connect(database.stats_dsn)
    except (OSError, asyncpg.PostgresError) as error:
        print(f"statistics read from the benchmark database itself ({error.__class__.__name__})")
        conn = await asyncpg.connect(database.owner_dsn)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        await conn.fetchval("SELECT count(*) FROM pg_stat_statements")
    except asyncpg.PostgresError as error:
        print(f"no pg_stat_statements ({error}); statements per request are not measured")
        return conn, None
    return conn, stats.PgCounters(conn, database.name)


def _data_label(args: argparse.Namespace) -> str:
    if args.database_url:
        return "external database"
    return f"{args.scale} scale" if not args.data_dir else Path(args.data_dir).name


def _scale(fx: sc.Fixture) -> str:
    c = fx.counts
    return (
        f"{c['schools']:,} schools, {c['units']:,} units, {c['recruits']:,} recruits, "
        f"{c['warnings']:,} warnings"
    )


async def _agree(lineup: Lineup, fx: sc.Fixture, counters: stats.PgCounters | None) -> list[str]:
    print("agreement check: every server's answers to the read scenarios it serves")
    answers = agreement.Answers()
    for contender in lineup.checked:
        try:
            proc = await asyncio.to_thread(contender.start)
        except (RuntimeError, OSError) as error:
            if contender.label not in lineup.peer_labels:
                raise
            lineup.drop(contender.label, f"did not start: {str(error).splitlines()[0][:160]}")
            continue
        try:
            for scenario, (url, body, token, normalize) in lineup.questions(
                contender.label
            ).items():
                try:
                    raw = await asyncio.to_thread(agreement.post, url, body, token)
                    answers.put(contender.label, scenario, normalize(raw), raw)
                except Exception as error:  # noqa: BLE001 - reported as a disagreement
                    print(f"  {contender.label} {scenario}: {error}")
                    answers.put(contender.label, scenario, [("error", str(error)[:200])])
            if contender.label == report.OURS:
                url = next(iter(contender.urls.values()))
                lineup.sizes = await agreement.probe_sizes(counters, url, fx, lineup.user_tokens)
        finally:
            await asyncio.to_thread(contender.stop, proc)
    peers = [p for p in lineup.peer_labels if p not in lineup.dropped]
    problems, bad_peers = agreement.compare(answers, report.OURS, report.FLOOR, peers)
    for peer in bad_peers:
        lineup.drop(peer, "answers differ from ours (see above)")
    lineup.use_answers(answers)
    if not problems:
        agreed = [
            "ours (tallies)",
            "floor",
            *(["live aggregation"] if "Q1" in lineup.scenarios else []),
            *(p for p in peers if p not in bad_peers),
        ]
        print("  agreed: " + " = ".join(agreed))
    return problems


async def _rounds(
    args: argparse.Namespace, lineup: Lineup, probe: Probe
) -> dict[str, report.Table]:
    load = Load(args.connections, args.threads, args.duration, args.warmup)
    tables = {s: report.Table(s, sc.SCENARIO_TITLES[s]) for s in lineup.scenarios}
    for scenario, reason in lineup.skipped.items():
        print(f"{scenario}: skipped — {reason}")
    for table in tables.values():  # every row in lineup order, also those that fail
        for who in lineup.serving(table.scenario):
            table.row(who.label)
    for number in range(1, args.rounds + 1):
        for scenario in lineup.scenarios:
            for who in lineup.serving(scenario):
                row = tables[scenario].row(who.label)
                try:
                    if isinstance(who, Ceiling):
                        sample = await measure_pgbench(who, scenario, load, probe)
                    else:
                        sample = await measure_http(who, scenario, load, probe)
                except (MeasurementFailed, RuntimeError, OSError, TimeoutError) as error:
                    row.note = f"failed: {str(error).splitlines()[0][:160]}"
                    print(f"round {number} {scenario:<3} {who.label:<14} {row.note}")
                    continue
                row.samples.append(sample)
                failed = (
                    f"  {sample.failures + sample.errors} FAILED"
                    if sample.failures + sample.errors
                    else ""
                )
                print(
                    f"round {number} {scenario:<3} {who.label:<14} {sample.rate:9,.0f} req/s  "
                    f"p95 {sample.p95:7.2f} ms{failed}",
                    flush=True,
                )
    return tables


def _print(tables: dict[str, report.Table], verdicts: list[report.Verdict]) -> None:
    print()
    for table in tables.values():
        print(report.render_text(table))
        print()
    print("targets:")
    print(report.render_verdicts_text(verdicts))


def _section(
    args: argparse.Namespace,
    fx: sc.Fixture,
    tables: dict[str, report.Table],
    verdicts: list[report.Verdict],
    where: str,
    lineup: Lineup,
) -> str:
    command = "partyplan bench run " + shlex.join(
        sys.argv[3:] if sys.argv[1:3] == ["bench", "run"] else []
    )
    parts = [
        f"## Scenario runs (`partyplan bench run`) — {dt.date.today().isoformat()}",
        "",
        f"`{command.strip()}` — data: `{_data_label(args)}` ({_scale(fx)}; period "
        f"{fx.period_name}). "
        f"Code: `{revision()}`. Machine: {where}. {args.workers} workers per server, wrk "
        f"{args.threads} threads × "
        f"{args.connections} connections on the same machine, {args.warmup} s warm-up and "
        f"{args.duration} s timed per run, median of {args.rounds} interleaved round(s).",
        "",
        "How to read: *stmts/req* are `pg_stat_statements` calls per request over the timed run, "
        "BEGIN/COMMIT not counted; *xacts/req* is `pg_stat_database` (commits + rollbacks) over "
        "the server's whole life divided by every request it served, the pools' connection "
        "set-up included (the target is judged on the COMMITs `pg_stat_statements` counts in "
        "the timed run); CPU is /proc utime+stime "
        "of the server's processes and of every PostgreSQL process, per request; RSS is each "
        "worker's after the run. *floor*: starlette + asyncpg running the same data statements "
        "(no GraphQL, no ORM), pool reset off on purpose; *floor live*: the same app aggregating "
        "Q1 from the recruits on every request (the live baseline); *pgbench*: the floor's "
        "statements alone, prepared. Only ratios within this run compare.",
        "",
    ]
    for note in lineup.notes:
        parts += [f"- {note}"]
    if lineup.notes:
        parts.append("")
    for table in tables.values():
        parts += [report.render_markdown(table), ""]
    parts += ["**Targets**", "", report.render_verdicts_markdown(verdicts)]
    return "\n".join(parts)
