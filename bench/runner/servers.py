"""Starting and stopping the HTTP servers under test, one at a time.

Our service and the floor run under uvicorn with N workers, each in its own process group so
that stopping the group stops every worker; output goes to a log file in the run's work
directory, whose tail is in the error when a server does not come up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

START_TIMEOUT = 90.0
STOP_TIMEOUT = 15.0


def start_uvicorn(
    app: str, port: int, workers: int, env: dict[str, str], log_path: Path, shared: bool = False
) -> subprocess.Popen[bytes]:
    """The app factory under uvicorn on 127.0.0.1:<port>, a socket per worker (multi.py) or,
    ``shared``, uvicorn's own ``--workers``; returns once every worker answers."""
    if shared:
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
    else:
        cmd = [
            sys.executable,
            "-m",
            "partyplan.bench.runner.multi",
            app,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            cmd,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_ready(proc, port, workers, log_path)
    except BaseException:
        stop(proc)
        raise
    return proc


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _workers(proc: subprocess.Popen[bytes]) -> int:
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    return sum(1 for c in children if "resource_tracker" not in " ".join(c.cmdline()))


def wait_ready(proc: subprocess.Popen[bytes], port: int, workers: int, log_path: Path) -> None:
    """Healthy, with every worker process up. /healthz touches no database, so waiting costs
    no transaction; a worker still importing is absorbed by the warm-up."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}):\n{tail(log_path)}")
        if _healthy(port) and (workers <= 1 or _workers(proc) >= workers):
            # Each worker answers only after its lifespan started; give the others a moment.
            for _ in range(4 * workers):
                _healthy(port)
            return
        time.sleep(0.1)
    raise RuntimeError(f"server not ready after {START_TIMEOUT:.0f} s:\n{tail(log_path)}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group (graceful: pools close), SIGKILL what lingers."""
    if proc.poll() is None:
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait(STOP_TIMEOUT)
    _signal_group(proc, signal.SIGKILL)  # workers that outlived their supervisor


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)  # start_new_session: the group id is the leader's pid


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
