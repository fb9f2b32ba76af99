"""A ``partyplan serve`` run as a real process, for the tests that start one."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from partyplan.server.embedded import find_server_processes

READY_TIMEOUT = 60.0
EXIT_TIMEOUT = 20.0
UNITS = (
    "query ($under: ID) { units(under: $under, first: 200) { edges { node { id name code } } } }"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Serve:
    """One ``partyplan serve --demo`` process; its output goes to files (nothing can block)."""

    def __init__(self, data_dir: Path, logs: Path, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        name = f"serve-{uuid.uuid4().hex[:8]}"
        self.stdout_path, self.stderr_path = logs / f"{name}.out", logs / f"{name}.err"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PARTYPLAN_")}
        env.pop("XDG_RUNTIME_DIR", None)  # platformdirs would warn if anything asked for it
        env["PYTHONWARNINGS"] = "default"  # show every warning, deprecations included
        cmd = [
            sys.executable,
            "-m",
            "partyplan.server.cli",
            "serve",
            "--demo",
            "--port",
            str(self.port),
            "--data-dir",
            str(data_dir),
        ]
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                cwd=logs,  # no stray .env
                env=env,
                start_new_session=True,  # its own process group, as under a terminal
            )
        self.http = httpx.Client(base_url=self.base, timeout=10)

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self) -> Serve:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"serve exited with {self.proc.returncode}:\n{self.stderr}")
            try:
                if self.http.get("/readyz").status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        pytest.fail(f"serve not ready after {READY_TIMEOUT:.0f} s:\n{self.stderr}")

    def wait_exit(self, timeout: float = READY_TIMEOUT) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"serve still running after {timeout:.0f} s:\n{self.stderr}")

    def tokens(self) -> dict[str, tuple[str, str]]:
        """username -> (role, token), as printed."""
        found = re.findall(r"^ {2}(\S+) +(\S+) +\S.*\n {4}(\S+)$", self.stdout, re.MULTILINE)
        return {username: (role, token) for role, username, token in found}

    def token(self, username: str) -> str:
        return self.tokens()[username][1]

    def graphql(self, query: str, token: str, **variables: Any) -> dict[str, Any]:
        response = self.http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        result = response.json()
        assert "errors" not in result, result
        return result["data"]

    def units(self, username: str, under: str | None = None) -> dict[str, dict[str, Any]]:
        data = self.graphql(UNITS, self.token(username), under=under)
        return {
            edge["node"]["code"] or edge["node"]["name"]: edge["node"]
            for edge in data["units"]["edges"]
        }

    def signal(self, sig: int) -> int:
        """Send ``sig`` (SIGINT to the whole process group, like Ctrl-C in a terminal) and
        return the exit status; fails if the process outlives EXIT_TIMEOUT."""
        if sig == signal.SIGINT:
            os.killpg(self.proc.pid, sig)
        else:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"serve still running {EXIT_TIMEOUT:.0f} s after {sig!r}")

    def close(self) -> None:
        self.http.close()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def kill_postgres(pgdata: Path) -> None:
    procs = find_server_processes(pgdata)
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(procs, timeout=10)


def assert_no_postgres(data_dir: Path) -> None:
    left = find_server_processes(data_dir / "pg")
    assert left == [], [(p.pid, p.info["cmdline"]) for p in left]


def postmasters(data_dir: Path) -> list[int]:
    procs = find_server_processes(data_dir / "pg")
    pids = {p.pid for p in procs}
    return [p.pid for p in procs if p.info["ppid"] not in pids]


def assert_clean(run: Serve) -> None:
    """Nothing on stderr: no warning (platformdirs' RuntimeDirWarning, deprecations), no
    traceback, no log line above INFO."""
    assert run.stderr == "", run.stderr
    assert "Traceback" not in run.stdout
