"""``partyplan serve --demo`` as a real process on the embedded PostgreSQL: it answers, its demo
tokens work, signals stop the service and its database, data survives a restart, and a server
orphaned by ``kill -9`` is adopted by the next start.

All tests share one data directory (the cluster is initialised once); each test starts its own
``serve`` processes, and teardown kills whatever is left, processes and postgres alike.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from partyplan.server.demo import ACCOUNTS, XINZHOU, Tree
from partyplan.server.embedded import find_server_processes

READY_TIMEOUT = 60.0
EXIT_TIMEOUT = 20.0
ME = "{ me { user { username } } }"
UNITS = (
    "query ($under: ID) { units(under: $under, first: 200) { edges { node { id name code } } } }"
)
USERS = "{ users(first: 200) { edges { node { username } } } }"
CREATE_UNIT = """
mutation ($input: CreateUnitInput!) {
  createUnit(input: $input) { unit { id name } errors { code field message } }
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_codes(tree: Tree) -> set[str]:
    code, _, _, children = tree
    return {code}.union(*(tree_codes(child) for child in children))


def token_subject(token: str) -> str:
    payload = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


class Serve:
    """One ``partyplan serve --demo`` process; its output goes to files (nothing can block)."""

    def __init__(self, data_dir: Path, logs: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
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


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    # Short (the unix socket lives in DATA_DIR/pg/run) and outside any home directory (as root
    # the server user must traverse every parent).
    path = Path(tempfile.mkdtemp(prefix="pp-serve-", dir="/tmp"))
    try:
        yield path
    finally:
        kill_postgres(path / "pg")
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def serve(data_dir: Path, tmp_path: Path) -> Iterator[Callable[[], Serve]]:
    runs: list[Serve] = []

    def start() -> Serve:
        run = Serve(data_dir, tmp_path)
        runs.append(run)
        return run

    try:
        yield start
    finally:
        for run in runs:
            if run.proc.poll() is None:
                run.proc.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    run.proc.wait(EXIT_TIMEOUT)
            run.close()
        kill_postgres(data_dir / "pg")


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


ROLLUP = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { plan admitted } children { unitName } } }"""


def test_serve_demo(serve: Callable[[], Serve], data_dir: Path) -> None:
    run = serve().wait_ready()
    assert find_server_processes(data_dir / "pg"), "the embedded PostgreSQL is not running"

    assert run.http.get("/healthz").status_code == 200
    jwks = run.http.get("/.well-known/jwks.json").json()
    [key] = jwks["keys"]
    assert key["kty"] == "OKP" and "d" not in key

    out = run.stdout
    assert f"embedded PostgreSQL in {data_dir}" in out
    assert f"http://127.0.0.1:{run.port}/graphql  (GraphiQL)" in out
    tokens = run.tokens()
    assert {u: role for u, (role, _) in tokens.items()} == {a[0]: a[2] for a in ACCOUNTS}
    assert len({token for _, token in tokens.values()}) == len(ACCOUNTS)

    for username in ("xz-zw-secretary", "cq-admin"):
        me = run.graphql(ME, run.token(username))
        assert me == {"me": {"user": {"username": username}}}

    # The commission administrator sees the whole 忻州师范学院 tree, and nothing of Chongqing.
    every = run.units("sx-admin")
    assert not any(code.startswith("CQ-") for code in every)
    school = every["SX-XZSY"]
    assert school["name"] == "中共忻州师范学院委员会"
    assert set(run.units("sx-admin", under=school["id"])) == tree_codes(XINZHOU)

    # The demo's plan rolls up, and the scan has judged it (the 2023 report is overdue).
    period = run.graphql("{ planPeriods { id name } }", run.token("sx-admin"))["planPeriods"][0]
    rollup = run.graphql(ROLLUP, run.token("sx-admin"), u=school["id"], p=period["id"])["rollup"]
    assert rollup["line"]["plan"] > 0 and rollup["children"]
    kinds = run.graphql(
        "{ warnings(kind: REPORT_OVERDUE) { edges { node { unitName } } } }", run.token("xz-admin")
    )
    assert [e["node"]["unitName"] for e in kinds["warnings"]["edges"]] == [school["name"]]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_the_service_and_its_database(
    serve: Callable[[], Serve], data_dir: Path, sig: signal.Signals
) -> None:
    run = serve().wait_ready()
    assert find_server_processes(data_dir / "pg")
    began = time.monotonic()
    status = run.signal(sig)
    # uvicorn re-raises the signal after its graceful shutdown; Ctrl-C exits with 130.
    assert status in (0, -sig, 128 + sig), status
    assert time.monotonic() - began < EXIT_TIMEOUT
    assert_no_postgres(data_dir)
    assert_clean(run)


def test_restart_reuses_the_data(serve: Callable[[], Serve], data_dir: Path) -> None:
    first = serve().wait_ready()
    units_before = {**first.units("sx-admin"), **first.units("cq-admin")}
    users_before = first.graphql(USERS, first.token("sx-admin"))
    school = units_before["SX-XZSY"]["id"]
    name = f"重启测试党支部-{uuid.uuid4().hex[:6]}"
    created = first.graphql(
        CREATE_UNIT,
        first.token("xz-admin"),
        input={"parentId": school, "kind": "BRANCH", "name": name},
    )["createUnit"]
    assert created["errors"] == [] and created["unit"]["name"] == name
    old_token = first.token("xz-admin")
    first_subjects = {u: token_subject(t) for u, (_, t) in first.tokens().items()}
    assert first.signal(signal.SIGTERM) in (0, -signal.SIGTERM)
    assert_no_postgres(data_dir)

    second = serve().wait_ready()
    units_after = {**second.units("sx-admin"), **second.units("cq-admin")}
    # The unit is still there, and loading the demo again added nothing.
    assert set(units_after) == set(units_before) | {name}
    assert units_after[name]["id"] == created["unit"]["id"]
    assert second.graphql(USERS, second.token("sx-admin")) == users_before
    assert {u: token_subject(t) for u, (_, t) in second.tokens().items()} == first_subjects
    # The signing key was reused too: the first run's token still works.
    assert second.graphql(ME, old_token) == {"me": {"user": {"username": "xz-admin"}}}
    assert second.signal(signal.SIGTERM) in (0, -signal.SIGTERM)
    assert_no_postgres(data_dir)
    assert_clean(first)
    assert_clean(second)


def test_a_server_orphaned_by_sigkill_is_adopted(
    serve: Callable[[], Serve], data_dir: Path
) -> None:
    first = serve().wait_ready()
    [postmaster] = postmasters(data_dir)
    first.proc.kill()  # kill -9: no lifespan shutdown, the database is left running
    assert first.proc.wait(EXIT_TIMEOUT) == -signal.SIGKILL
    assert postmasters(data_dir) == [postmaster]

    second = serve().wait_ready()
    # The same postmaster serves the new process (adopted, not replaced).
    assert postmasters(data_dir) == [postmaster]
    me = second.graphql(ME, second.token("sx-admin"))
    assert me == {"me": {"user": {"username": "sx-admin"}}}
    assert second.signal(signal.SIGTERM) in (0, -signal.SIGTERM)
    assert_no_postgres(data_dir)
    assert_clean(second)
