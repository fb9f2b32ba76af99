"""Driving a server with Debian's ``wrk`` and reading what it reports.

wrk POSTs the bodies of a file (one per line) with a bearer token (``post.lua``) at a fixed
number of connections for a fixed time; the script's ``done`` hook prints one ``WRKJSON``
line with the request count and the latency percentiles, which :func:`parse` reads.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("post.lua")
MARK = "WRKJSON "


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int  # socket errors, timeouts and HTTP statuses >= 400, as wrk counts them
    failures: int  # with checking on: status >= 300 or a GraphQL error entry in the body
    sent: int = 0  # requests written, those still in flight at the end included
    sample: str = ""  # the first failing response, abridged

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def parse(output: str) -> WrkResult:
    """The result from wrk's standard output (the ``WRKJSON`` line of ``post.lua``)."""
    for line in output.splitlines():
        if line.startswith(MARK):
            d = json.loads(line[len(MARK) :])
            errors = sum(
                d[k]
                for k in (
                    "connect_errors",
                    "read_errors",
                    "write_errors",
                    "timeouts",
                    "status_errors",
                )
            )
            return WrkResult(
                requests=d["requests"],
                seconds=d["duration_us"] / 1e6,
                p50_ms=d["p50_us"] / 1e3,
                p95_ms=d["p95_us"] / 1e3,
                p99_ms=d["p99_us"] / 1e3,
                errors=errors,
                failures=d["failures"],
                sent=d.get("sent", d["requests"]),
                sample=d.get("sample", ""),
            )
    raise ValueError(f"no {MARK.strip()} line in wrk's output:\n{output[-2000:]}")


def executable() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    return found


def run(
    url: str, bodies: Path, token: str, *, connections: int, threads: int, seconds: int, check: bool
) -> WrkResult:
    """One wrk run; raises when wrk fails or reports nothing."""
    env = {
        **os.environ,
        "WRK_BODIES": str(bodies),
        "WRK_TOKEN": token,
        "WRK_CHECK": "1" if check else "0",
        "WRK_THREADS": str(threads),
    }
    cmd = [
        executable(),
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(SCRIPT),
        url,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return parse(done.stdout)


def write_bodies(path: Path, bodies: list[str]) -> Path:
    """One body per line: JSON has no raw newline inside a string, so a line is a body."""
    if any("\n" in b for b in bodies):
        raise ValueError("a request body spans lines; encode it without newlines")
    path.write_text("\n".join(bodies) + "\n", encoding="utf-8")
    return path
