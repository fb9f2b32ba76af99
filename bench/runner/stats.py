"""What a measured run costs besides time: SQL statements and transactions (PostgreSQL's own
counters), CPU of the server and of PostgreSQL (/proc), resident memory of each worker.

Counting rules, so that figures from different servers compare:
  - statements: ``pg_stat_statements`` calls in the benchmark database over the timed run,
    top level only (the extension's default), transaction control (BEGIN, COMMIT, ROLLBACK)
    counted apart; the runner reads the views from another database, so its own queries
    are never counted. Exact at any moment: the extension counts as statements finish.
  - transactions, two ways. Exact over the timed run: the COMMITs and ROLLBACKs
    ``pg_stat_statements`` saw (explicit transactions; the extension does not see them under
    pgbench's prepared protocol, nor a statement's implicit transaction). And everything
    PostgreSQL counted: ``pg_stat_database`` xact_commit + xact_rollback over the server's
    whole life (warm-up included), divided by every request it served. A backend publishes
    those counters at most once a second, or when idle for 10 s, or at exit, so both readings
    are taken with no server connected (the runner waits until its backends are gone); the
    pools' connection set-up adds a few transactions per connection.
  - CPU: utime + stime of every process of the server (all workers, the supervisor) and of
    every process of the PostgreSQL cluster, over the timed run, per request.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass

import asyncpg
import psutil

# A PostgreSQL regular expression: \y is its word boundary (\b would be a backspace).
TX_CONTROL = r"^\s*(BEGIN|COMMIT|ROLLBACK|START TRANSACTION|END|ABORT)\y"
TX_END = r"^\s*(COMMIT|ROLLBACK|END|ABORT)\y"
# The statements of the benchmark database (dbid), not the runner's own reads of the views.
_STATEMENTS = f"""
SELECT coalesce(sum(calls) FILTER (WHERE query !~* '{TX_CONTROL}'), 0)::bigint AS statements,
       coalesce(sum(calls) FILTER (WHERE query ~* '{TX_CONTROL}'), 0)::bigint AS tx_control,
       coalesce(sum(calls) FILTER (WHERE query ~* '{TX_END}'), 0)::bigint AS ends
  FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
 WHERE d.datname = $1 AND s.query NOT LIKE '%pg_stat_%'"""
_TOP = """
SELECT calls, left(regexp_replace(query, '\\s+', ' ', 'g'), $2) AS query
  FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
 WHERE d.datname = $1 AND s.query NOT LIKE '%pg_stat_%'"""
_XACTS = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1"
_CLIENTS = """SELECT count(*) FROM pg_stat_activity
 WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()"""
_BUSY = _CLIENTS + " AND state IS DISTINCT FROM 'idle'"


@dataclass(frozen=True)
class Statements:
    statements: int
    tx_control: int  # BEGIN, COMMIT, ROLLBACK…
    ends: int = 0  # COMMIT and ROLLBACK: explicit transactions ended

    def __sub__(self, other: Statements) -> Statements:
        return Statements(
            self.statements - other.statements,
            self.tx_control - other.tx_control,
            self.ends - other.ends,
        )


class PgCounters:
    """Reads the counters of database ``database`` over ``conn`` (ideally connected to another
    database of the same cluster, so that reading does not count)."""

    def __init__(self, conn: asyncpg.Connection, database: str) -> None:
        self.conn, self.database = conn, database

    async def statements(self) -> Statements:
        row = await self.conn.fetchrow(_STATEMENTS, self.database)
        return Statements(row["statements"], row["tx_control"], row["ends"])

    async def top(self, before: dict[str, int] | None = None, width: int = 160) -> dict[str, int]:
        """Calls per statement text (for the per-scenario breakdown)."""
        rows = await self.conn.fetch(_TOP, self.database, width)
        now: dict[str, int] = {}
        for r in rows:
            now[r["query"]] = now.get(r["query"], 0) + r["calls"]
        if before is None:
            return now
        return {q: c - before.get(q, 0) for q, c in now.items() if c - before.get(q, 0) > 0}

    async def xacts(self) -> int:
        return int(await self.conn.fetchval(_XACTS, self.database))

    async def quiet(self, wait: float = 30.0) -> None:
        """Wait until no backend of the database is working for a client (the requests still
        in flight when wrk stopped have finished), so a window's edge cuts no request."""
        deadline = time.monotonic() + wait
        while await self.conn.fetchval(_BUSY, self.database):
            if time.monotonic() > deadline:
                raise TimeoutError(f"backends of {self.database} still busy")
            await asyncio.sleep(0.02)

    async def settle(self, wait: float = 30.0) -> int:
        """Wait until no other client is connected to the database (so every backend has
        published its counters), then return the transaction count."""
        deadline = time.monotonic() + wait
        while await self.conn.fetchval(_CLIENTS, self.database):
            if time.monotonic() > deadline:
                raise TimeoutError(f"clients still connected to {self.database}")
            await asyncio.sleep(0.1)
        return await self.xacts()


# --- /proc ------------------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """utime + stime of one process from /proc/<pid>/stat (0 when it is gone); with
    ``reaped``, plus cutime + cstime: the CPU of the children it has waited for. The
    postmaster reaps every backend, so a backend that exits in a window still counts."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rpartition(")")[2].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    # After the command name (proc(5), 1-based): utime 14, stime 15, cutime 16, cstime 17.
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / _TICK


def tree(pid: int) -> list[int]:
    """The process and all its descendants (uvicorn's supervisor and workers; node cluster)."""
    try:
        root = psutil.Process(pid)
        return [root.pid, *(p.pid for p in root.children(recursive=True))]
    except psutil.NoSuchProcess:
        return []


def cpu_of(pids: list[int]) -> dict[int, float]:
    return {pid: cpu_seconds(pid) for pid in pids}


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU spent between two readings by the processes alive at the second one; a process
    born in between counts from zero (one that died in between is lost: servers keep their
    workers for the whole run)."""
    return sum(max(0.0, t - before.get(pid, 0.0)) for pid, t in after.items())


def cluster_cpu(postmaster: int) -> float:
    """All CPU the PostgreSQL cluster has used: every live process, plus what the postmaster
    has reaped (exited backends). Monotonic, so a difference of two readings is exact even
    when backends come and go in between (pgbench's do)."""
    children = tree(postmaster)[1:]
    return cpu_seconds(postmaster, reaped=True) + sum(cpu_seconds(pid) for pid in children)


def worker_rss_mb(server_pid: int) -> list[float]:
    """Resident memory of each worker: the leaves of the server's process tree (the
    supervisor itself when it serves alone)."""
    try:
        root = psutil.Process(server_pid)
        children = root.children(recursive=True)
        workers = [p for p in children if not p.children() and not _helper(p)] or [root]
        return [p.memory_info().rss / 2**20 for p in workers]
    except psutil.NoSuchProcess:
        return []


def _helper(process: psutil.Process) -> bool:
    """multiprocessing's resource tracker: a child of the supervisor that serves nothing."""
    try:
        return any("resource_tracker" in part for part in process.cmdline())
    except psutil.Error:
        return False


def postmaster_of(backend_pid: int) -> int | None:
    """The postmaster of a backend we are connected to, when it runs on this machine (a
    remote server's backend pid names nothing here, or an unrelated process)."""
    try:
        parent = psutil.Process(backend_pid).parent()
    except psutil.NoSuchProcess:
        return None
    if parent is None or "postgres" not in parent.name():
        return None
    return parent.pid


def per_request(total: float, requests: int) -> float | None:
    return total / requests if requests else None
