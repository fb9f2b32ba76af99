"""Timing a peer with wrk, and the CPU it spends per request (for try_peers.py).

On a shared 2-core machine requests/s move with whatever else runs; CPU time per request of the
server's processes and of PostgreSQL's moves far less, so both are reported. CPU is read from
``/proc``: the server's process group (the primary and its cluster workers) and every process
of the PostgreSQL cluster (the postmaster's live children, and those already reaped through the
postmaster's ``cutime``/``cstime``, e.g. parallel workers). The database must be on this host.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from 3 (state) on


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def group_cpu(pgid: int) -> float:
    """CPU seconds of the live processes of a process group."""
    total = 0
    for pid in _pids():
        fields = _stat(pid)
        if fields and int(fields[2]) == pgid:  # field 5: pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def cluster_cpu(postmaster: int) -> float:
    """CPU seconds of a PostgreSQL cluster: the postmaster, its reaped and its live children."""
    own = _stat(postmaster)
    if own is None:
        raise RuntimeError(f"no postmaster {postmaster} on this host")
    total = sum(int(f) for f in own[11:15])  # utime, stime, cutime, cstime
    for pid in _pids():
        fields = _stat(pid)
        if fields and int(fields[1]) == postmaster:  # field 4: ppid
            total += int(fields[11]) + int(fields[12])
    return total / TICK


@dataclass(frozen=True)
class Result:
    rps: float
    p50: str
    p99: str
    errors: int
    server_ms: float  # CPU ms per request, the peer's processes
    postgres_ms: float  # CPU ms per request, PostgreSQL

    def __str__(self) -> str:
        bad = f"   NON-2xx {self.errors}" if self.errors else ""
        return (
            f"{self.rps:7.0f} req/s   p50 {self.p50:>8}   p99 {self.p99:>8}   CPU/request:"
            f" server {self.server_ms:6.2f} ms, PostgreSQL {self.postgres_ms:6.2f} ms{bad}"
        )


def wrk(
    url: str,
    body: dict,
    headers: dict[str, str],
    seconds: int,
    server_pgid: int,
    postmaster: int,
    warmup: int = 3,
) -> Result:  # type: ignore[type-arg]
    """POST ``body`` with wrk (2 threads, 16 connections) for ``seconds``, after ``warmup``
    seconds untimed (every pooled connection prepares its statements and settles on a plan)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="pp-peers-") as script:
        script.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(json.dumps(body))}\n')
        script.writelines(f'wrk.headers["{k}"] = "{v}"\n' for k, v in headers.items())
        script.flush()
        command = ["wrk", "-t2", "-c16", "--timeout", "60s", "--latency", "-s", script.name]
        subprocess.run([*command, f"-d{warmup}s", url], capture_output=True, check=True)
        before = group_cpu(server_pgid), cluster_cpu(postmaster)
        out = subprocess.run(
            [*command, f"-d{seconds}s", url], capture_output=True, text=True, check=True
        ).stdout
        after = group_cpu(server_pgid), cluster_cpu(postmaster)
    done = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50, p99 = (re.search(rf"\s{p}%\s+(\S+)", out).group(1) for p in ("50", "99"))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    per = 1000 / max(done, 1)
    return Result(
        rps,
        p50,
        p99,
        int(errors.group(1)) if errors else 0,
        (after[0] - before[0]) * per,
        (after[1] - before[1]) * per,
    )
