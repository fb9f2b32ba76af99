"""``partyplan serve`` as an operator runs it (issue 21, items 2, 8 and 10): one server per data
directory, commands that attach without stopping it, a taken port refused before anything
starts, root's widened permissions said aloud, and a killed postmaster that comes back.

The tests that leave the cluster as they found it share one data directory (initialised
once); the others get their own. Teardown kills whatever is left, processes and postgres alike.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from support_serve import EXIT_TIMEOUT, Serve, assert_no_postgres, kill_postgres, postmasters

ME = "{ me { user { username } } }"
UNAVAILABLE = {
    "errors": [
        {"message": "数据库暂不可用，请稍后重试", "extensions": {"code": "SERVICE_UNAVAILABLE"}}
    ]
}


@contextlib.contextmanager
def new_data_dir() -> Iterator[Path]:
    # Short, under /tmp (traversable by the server user), private like a fresh mkdtemp.
    base = Path(tempfile.mkdtemp(prefix="pp-ops-", dir="/tmp"))
    try:
        yield base / "data"
    finally:
        kill_postgres(base / "data" / "pg")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def shared_dir() -> Iterator[Path]:
    with new_data_dir() as path:
        yield path


@pytest.fixture
def data_dir() -> Iterator[Path]:
    with new_data_dir() as path:
        yield path


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Serve]]:
    runs: list[Serve] = []

    def start(data_dir: Path, port: int | None = None) -> Serve:
        run = Serve(data_dir, tmp_path, port)
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
            kill_postgres(run.data_dir / "pg")


def cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTYPLAN_")}
    return subprocess.run(
        [sys.executable, "-m", "partyplan.server.cli", *args, "--data-dir", str(data_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=data_dir.parent,
    )


def me(run: Serve) -> httpx.Response:
    token = run.token("xz-admin")
    return run.http.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )


def test_a_second_serve_is_refused_and_the_first_keeps_its_database(
    serve: Callable[..., Serve], shared_dir: Path
) -> None:
    data_dir = shared_dir
    first = serve(data_dir).wait_ready()
    [postmaster] = postmasters(data_dir)

    second = serve(data_dir)
    assert second.wait_exit() == 2
    [line] = second.stderr.splitlines()
    assert line.startswith(
        f"partyplan: the data directory {data_dir} is already in use by process {first.proc.pid}"
    ), line
    assert "another --data-dir" in line
    assert "Ready" not in second.stdout

    # The refused server changed nothing: the first serves on, on the same postmaster.
    assert postmasters(data_dir) == [postmaster]
    assert me(first).json() == {"data": {"me": {"user": {"username": "xz-admin"}}}}
    assert first.http.get("/readyz").status_code == 200
    assert first.signal(signal.SIGTERM) in (0, -signal.SIGTERM)
    assert_no_postgres(data_dir)


def test_commands_attach_to_a_running_serve_without_stopping_it(
    serve: Callable[..., Serve], shared_dir: Path
) -> None:
    data_dir = shared_dir
    run = serve(data_dir).wait_ready()
    [postmaster] = postmasters(data_dir)

    current = cli("db", "current", data_dir=data_dir)
    assert current.returncode == 0, current.stderr
    assert current.stdout.startswith("revision: ")
    token = cli("token", "--user", "xz-admin", data_dir=data_dir)
    assert token.returncode == 0, token.stderr

    assert postmasters(data_dir) == [postmaster], "a command stopped the service's database"
    assert run.http.get("/readyz").status_code == 200
    headers = {"Authorization": f"Bearer {token.stdout.strip()}"}
    answer = run.http.post("/graphql", json={"query": ME}, headers=headers)
    assert answer.json() == {"data": {"me": {"user": {"username": "xz-admin"}}}}
    assert run.signal(signal.SIGTERM) in (0, -signal.SIGTERM)
    assert_no_postgres(data_dir)

    # Without a serve, a command starts the server and, the last one out, stops it again.
    assert cli("db", "current", data_dir=data_dir).returncode == 0
    assert_no_postgres(data_dir)


def test_a_taken_port_is_refused_before_anything_starts(
    serve: Callable[..., Serve], data_dir: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = serve(data_dir, port)
        assert run.wait_exit() == 2
    assert run.stderr.splitlines() == [
        f"partyplan: cannot listen on 127.0.0.1:{port}: the port is already in use; stop "
        "what listens there, or choose another --port (or --host)"
    ]
    assert run.stdout == "", "nothing was started, nothing is ready"
    assert not (data_dir / "pg").exists()
    assert_no_postgres(data_dir)


def test_root_names_the_directories_it_makes_traversable(
    serve: Callable[..., Serve], data_dir: Path
) -> None:
    parent = data_dir.parent
    assert stat.S_IMODE(parent.stat().st_mode) == 0o700
    run = serve(data_dir).wait_ready()
    notices = [line for line in run.stdout.splitlines() if "o+x" in line]
    if os.geteuid() == 0:
        [notice] = notices
        assert notice.startswith("partyplan: as root, PostgreSQL runs as the system user")
        assert str(parent) in notice.split(" to: ", 1)[1].split(", ")
        assert stat.S_IMODE(parent.stat().st_mode) == 0o701
    else:
        assert notices == [] and stat.S_IMODE(parent.stat().st_mode) == 0o700
    assert "o+x" not in run.stderr
    assert run.signal(signal.SIGTERM) in (0, -signal.SIGTERM)

    again = serve(data_dir).wait_ready()
    assert "o+x" not in again.stdout, "nothing more to change, nothing said"


def test_a_command_as_root_names_them_too_on_stderr(data_dir: Path) -> None:
    parent = data_dir.parent
    done = cli("db", "upgrade", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("revision: "), "stdout stays the command's answer"
    notices = [line for line in done.stderr.splitlines() if "o+x" in line]
    if os.geteuid() == 0:
        [notice] = notices
        assert str(parent) in notice.removeprefix("partyplan: adding o+x to ").split(", ")
        assert stat.S_IMODE(parent.stat().st_mode) == 0o701
    else:
        assert notices == []
    assert_no_postgres(data_dir)  # started by the command, stopped by it


def test_a_killed_postmaster_is_restarted_and_the_service_resumes(
    serve: Callable[..., Serve], shared_dir: Path
) -> None:
    data_dir = shared_dir
    run = serve(data_dir).wait_ready()
    [killed] = postmasters(data_dir)
    os.kill(killed, signal.SIGKILL)

    answers = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        response = me(run)
        if response.status_code == 503:
            assert response.json() == UNAVAILABLE
            assert response.headers["Retry-After"] == "5"
            answers.append(503)
        else:
            assert response.json() == {"data": {"me": {"user": {"username": "xz-admin"}}}}
            answers.append(200)
            if 503 in answers:
                break
        time.sleep(0.02)
    assert answers[0] == 503 and answers[-1] == 200, answers
    assert postmasters(data_dir) not in ([], [killed])
    assert run.http.get("/readyz").status_code == 200
    assert run.http.get("/healthz").json() == {"status": "ok"}
    assert run.proc.poll() is None
    assert run.signal(signal.SIGTERM) in (0, -signal.SIGTERM)
    assert_no_postgres(data_dir)


def test_a_database_that_cannot_be_restarted_stops_the_service(
    serve: Callable[..., Serve], data_dir: Path
) -> None:
    run = serve(data_dir).wait_ready()
    [postmaster] = postmasters(data_dir)
    (data_dir / "pg" / "PG_VERSION").unlink()  # the cluster no longer starts
    os.kill(postmaster, signal.SIGKILL)

    assert run.wait_exit(EXIT_TIMEOUT) == 1, "exits for its supervisor to restart it"
    assert run.stderr.splitlines()[-1] == (
        "partyplan: the embedded PostgreSQL died and could not be started again (its log: "
        f"{data_dir / 'pg' / 'log' / 'postgres.log'}); exiting so that a supervisor restarts "
        "the service"
    )
    assert_no_postgres(data_dir)
