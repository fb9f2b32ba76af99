"""The PostgreSQL ceiling: each read scenario's floor statements replayed by ``pgbench`` alone.

One script per scenario (``-f``), one transaction per request as in our service: ``BEGIN``,
the principal's binding, the data statements, ``COMMIT``; prepared (``-M prepared``), at the
same client count and time as wrk, as the service role. The ids a statement takes from the
one before it (a page's branches and findings) are fixed to the page the floor returned.
Latency percentiles come from pgbench's per-transaction log.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from . import floor_sql


@dataclass(frozen=True)
class PgbenchResult:
    transactions: int
    tps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    failed: int

    @property
    def rate(self) -> float:
        return self.tps


def script(scenario: str) -> str:
    body = ";\n".join(s.strip() for s in floor_sql.STATEMENTS[scenario])
    return f"BEGIN;\n{body};\nCOMMIT;\n"


def _array(values: list[Any]) -> str:
    return "{" + ",".join(str(v) for v in values) + "}"


def variables(values: dict[str, Any]) -> list[str]:
    """``-D name=value`` arguments; lists become array literals (``{1,2}``)."""
    args = []
    for name, value in values.items():
        text = _array(value) if isinstance(value, list | tuple) else str(value)
        args += ["-D", f"{name}={text}"]
    return args


def executable() -> str:
    """The embedded server's own pgbench (same major version) when there is one."""
    from partyplan.server.embedded.system import bin_dir

    bundled = bin_dir() / "pgbench"
    if bundled.is_file():
        return str(bundled)
    found = shutil.which("pgbench")
    if found is None:
        raise FileNotFoundError("pgbench is not installed")
    return found


def connection_args(dsn: str) -> tuple[list[str], dict[str, str]]:
    """libpq options and environment (the password) for a DSN; the embedded server's socket
    directory travels as ``host`` in the query string."""
    url = make_url(dsn)
    host = url.query.get("host") or url.host or "/var/run/postgresql"
    host = host if isinstance(host, str) else host[0]
    env = {"PGPASSWORD": url.password} if url.password else {}
    args = ["-h", host, "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    return args, env


def parse(output: str) -> tuple[int, float, int]:
    """(transactions processed, tps, failed transactions) from pgbench's summary."""
    processed = re.search(r"number of transactions actually processed: (\d+)", output)
    tps = re.search(r"tps = ([\d.]+)", output)
    failed = re.search(r"number of failed transactions: (\d+)", output)
    if processed is None or tps is None:
        raise ValueError(f"unexpected pgbench output:\n{output[-2000:]}")
    return int(processed.group(1)), float(tps.group(1)), int(failed.group(1)) if failed else 0


def latencies_ms(log_dir: Path, prefix: str) -> list[float]:
    """Per-transaction latencies from ``-l`` logs: the third field, in microseconds."""
    found = []
    for path in log_dir.glob(f"{prefix}.*"):
        for line in path.read_text().splitlines():
            fields = line.split()
            if len(fields) >= 3 and fields[2].isdigit():
                found.append(int(fields[2]) / 1000)
    return found


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[int(p * 10) - 1]


def run(
    dsn: str,
    database: str,
    scenario: str,
    values: dict[str, Any],
    workdir: Path,
    *,
    clients: int,
    threads: int,
    seconds: int,
    log: bool = True,
) -> PgbenchResult:
    """One pgbench run of the scenario's script; raises when pgbench fails."""
    path = workdir / f"pgbench-{scenario}.sql"
    path.write_text(script(scenario))
    prefix = f"pgb-{scenario}-{os.getpid()}"
    for old in workdir.glob(f"{prefix}.*"):
        old.unlink()
    conn, env = connection_args(dsn)
    cmd = [
        executable(),
        *conn,
        "-n",
        "-M",
        "prepared",
        "-c",
        str(clients),
        "-j",
        str(threads),
        "-T",
        str(seconds),
        "-f",
        str(path),
        *variables(values),
    ]
    if log:
        cmd += ["-l", f"--log-prefix={workdir / prefix}"]
    done = subprocess.run(
        [*cmd, database],
        capture_output=True,
        text=True,
        cwd=workdir,
        env={**os.environ, **env},
        timeout=seconds + 120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pgbench failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    transactions, tps, failed = parse(done.stdout)
    lat = latencies_ms(workdir, prefix) if log else []
    return PgbenchResult(
        transactions, tps, percentile(lat, 50), percentile(lat, 95), percentile(lat, 99), failed
    )
