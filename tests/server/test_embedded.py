"""Lifecycle of the embedded PostgreSQL server: real initdb/pg_ctl runs, no mocks of PostgreSQL.

Each test gets its own cluster under one short base directory in /tmp (short, so the socket
normally fits in ``<pgdata>/run``); every fixture teardown checks no postgres process is left.
"""

from __future__ import annotations

import logging
import os
import pwd
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psutil
import pytest

from partyplan.server import embedded
from partyplan.server.embedded import EmbeddedPostgres, EmbeddedPostgresError, find_server_processes
from partyplan.server.embedded import server as embedded_server
from partyplan.server.embedded import system as embedded_system

MakePg = Callable[..., EmbeddedPostgres]


@pytest.fixture(scope="module")
def base() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="partyplan-tests-", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def make_pg(base: Path, request: pytest.FixtureRequest) -> Iterator[MakePg]:
    made: list[EmbeddedPostgres] = []

    def make(data_dir: Path | None = None) -> EmbeddedPostgres:
        # Truncated so the socket fits in <pgdata>/run unless a test wants otherwise.
        pg = EmbeddedPostgres(data_dir or base / request.node.name.removeprefix("test_")[:40])
        made.append(pg)
        return pg

    yield make
    for pg in reversed(made):  # the latest owner first: only an owner may stop the server
        pg.stop()
        assert find_server_processes(pg.pgdata) == []
        socket_dir = embedded_system._socket_dir_for(pg.pgdata)
        if socket_dir.parent == Path("/tmp"):
            shutil.rmtree(socket_dir, ignore_errors=True)


@pytest.fixture
def caplog_info(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="partyplan.embedded")
    return caplog


def psql(url: str, sql: str) -> str:
    """Run ``sql`` through the bundled psql (trust auth: any OS user may connect)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    cmd = [str(embedded.bin_dir() / "psql"), "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", url]
    result = subprocess.run(
        [*cmd, "-c", sql], capture_output=True, text=True, timeout=30, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def socket_dir_of(url: str) -> Path:
    return Path(unquote(urlsplit(url).query.removeprefix("host=")))


def postmaster_pid(pg: EmbeddedPostgres) -> int:
    return int((pg.pgdata / "postmaster.pid").read_text().splitlines()[0])


def write_pid_file(pg: EmbeddedPostgres, lines: list[str], path: Path | None = None) -> None:
    """Write a postmaster.pid (or socket lock file) as the server would have left it."""
    pid_file = path or pg.pgdata / "postmaster.pid"
    pid_file.write_text("\n".join(lines) + "\n")
    os.chown(pid_file, server_uid(), -1)


def server_uid() -> int:
    if os.geteuid() == 0:
        return pwd.getpwnam(embedded.SERVER_USER).pw_uid
    return os.geteuid()


def exited(pid: int) -> bool:
    """Gone, or a zombie that PID 1 has not reaped yet."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_cold_start_runs_as_server_user_with_our_settings(
    make_pg: MakePg, base: Path, caplog_info: pytest.LogCaptureFixture
) -> None:
    parent = base / "cold"
    parent.mkdir(mode=0o700)
    pg = make_pg(parent / "data")

    began = time.monotonic()
    url = pg.start()
    cold = time.monotonic() - began

    assert cold < 10
    assert url == f"postgresql://postgres@/postgres?host={pg.pgdata / 'run'}"
    assert psql(url, "select 1") == "1"
    settings = psql(
        url,
        "select string_agg(current_setting(n), '|') from unnest(array['max_connections',"
        "'shared_buffers','shared_preload_libraries','log_destination','port']) n",
    )
    assert settings == "100|128MB|pg_stat_statements|stderr|5432"
    assert psql(url, "select datctype from pg_database where datname = 'postgres'") == "C.UTF-8"
    assert pg.log_file.is_file()
    assert "ready to accept connections" in pg.log_file.read_text()

    st = pg.pgdata.stat()
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (server_uid(), 0o700)
    procs = find_server_processes(pg.pgdata)
    assert postmaster_pid(pg) in {p.pid for p in procs}
    assert len(procs) > 1, "children (checkpointer, ...) are matched by parent pid"
    assert psutil.Process(postmaster_pid(pg)).uids().real == server_uid()
    changed = [r.getMessage() for r in caplog_info.records if "added o+x" in r.getMessage()]
    if os.geteuid() == 0:
        # Traverse only: neither read nor write was granted to others.
        assert stat.S_IMODE(parent.stat().st_mode) == 0o701
        assert any(f" {parent} " in message for message in changed)
    else:
        assert stat.S_IMODE(parent.stat().st_mode) == 0o700
        assert changed == []


def test_restart_reuses_data_without_initdb(
    make_pg: MakePg, caplog_info: pytest.LogCaptureFixture
) -> None:
    pg = make_pg()
    psql(pg.start(), "create table kept (id int); insert into kept values (42)")
    pg.stop()
    assert not pg.running()
    caplog_info.clear()

    began = time.monotonic()
    url = pg.start()
    assert time.monotonic() - began < 5
    assert psql(url, "select id from kept") == "42"
    assert not any("initialising" in r.getMessage() for r in caplog_info.records)


CHILD = """
import sys, time
from pathlib import Path
from partyplan.server.embedded import EmbeddedPostgres
print(EmbeddedPostgres(Path(sys.argv[1])).start(), flush=True)
time.sleep(600)
"""


def test_server_of_sigkilled_owner_is_adopted_then_stopped(
    make_pg: MakePg, base: Path, caplog_info: pytest.LogCaptureFixture
) -> None:
    data_dir = base / "orphan"
    owner = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert owner.stdout is not None
        ready, _, _ = select.select([owner.stdout], [], [], 30)
        assert ready, "child did not start the server"
        url = owner.stdout.readline().strip()
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait(10)
    assert url.startswith("postgresql://postgres@/postgres?host=")

    pg = make_pg(data_dir)
    pid = postmaster_pid(pg)
    assert pg.running(), "SIGKILL of the owner leaves the server running"
    assert psql(url, "select 1") == "1"

    assert pg.start() == url
    assert postmaster_pid(pg) == pid, "adopted, not restarted"
    assert any("adopted" in r.getMessage() for r in caplog_info.records)

    pg.stop()
    assert find_server_processes(pg.pgdata) == []
    assert exited(pid)


def test_stale_postmaster_pid_does_not_prevent_start(make_pg: MakePg) -> None:
    pg = make_pg()
    psql(pg.start(), "create table survived (id int); insert into survived values (7)")
    crashed_pid = postmaster_pid(pg)
    # The whole server crashes (OOM killer): postmaster.pid stays behind, and the dead
    # postmaster may linger as a zombie until PID 1 reaps it, which postgres takes for alive.
    for proc in find_server_processes(pg.pgdata):
        proc.kill()
    wait_until(lambda: not find_server_processes(pg.pgdata))
    assert postmaster_pid(pg) == crashed_pid
    assert not pg.running()

    url = pg.start()  # the owner starts it again (what the watchdog does)
    assert postmaster_pid(pg) != crashed_pid
    assert psql(url, "select id from survived") == "7", "crash recovery kept committed data"

    # A pid that is certainly gone: postgres replaces such a lock file by itself.
    lock_file = (pg.pgdata / "postmaster.pid").read_text().splitlines()
    pg.stop()
    dead = subprocess.Popen(["true"])
    dead.wait()  # reaped, so its pid is free
    assert not psutil.pid_exists(dead.pid)
    write_pid_file(pg, [str(dead.pid), *lock_file[1:]])
    assert psql(make_pg(pg.data_dir).start(), "select id from survived") == "7"


def test_children_of_a_killed_postmaster_are_killed_before_a_new_one_starts(
    make_pg: MakePg, caplog_info: pytest.LogCaptureFixture
) -> None:
    pg = make_pg()
    pg.start()
    killed = postmaster_pid(pg)
    children = [p for p in find_server_processes(pg.pgdata) if p.pid != killed]
    # A stopped child never notices its postmaster's death and keeps the shared memory:
    # postgres would refuse to start ("pre-existing shared memory block is still in use").
    for child in children:
        child.send_signal(signal.SIGSTOP)
    os.kill(killed, signal.SIGKILL)
    wait_until(lambda: exited(killed))

    assert psql(pg.start(), "select 1") == "1"
    assert all(exited(child.pid) for child in children)
    assert any("left by a dead postmaster" in r.getMessage() for r in caplog_info.records)


def test_lock_files_naming_an_unrelated_live_process_are_replaced(
    make_pg: MakePg, caplog_info: pytest.LogCaptureFixture
) -> None:
    pg = make_pg()
    socket_dir = socket_dir_of(pg.start())
    pg.stop()
    # After a container restart the crashed postmaster's pid often belongs to something else.
    # If that process runs as the server user, postgres itself refuses to start.
    as_server = {"user": server_uid()} if os.geteuid() == 0 else {}
    other = subprocess.Popen(["sleep", "60"], **as_server)  # type: ignore[call-overload]
    try:
        lines = [str(other.pid), str(pg.pgdata), "0", "5432", str(socket_dir), "", "0 0", "ready"]
        write_pid_file(pg, lines)
        write_pid_file(pg, lines[:5], socket_dir / ".s.PGSQL.5432.lock")

        url = pg.start()
        assert psql(url, "select 1") == "1"
        assert postmaster_pid(pg) != other.pid
        assert other.poll() is None, "the unrelated process is left alone"
        removed = [
            r.getMessage() for r in caplog_info.records if "not our postmaster" in r.getMessage()
        ]
        assert len(removed) == 2
    finally:
        other.kill()
        other.wait()


def test_no_tcp_listener(make_pg: MakePg) -> None:
    pg = make_pg()
    url = pg.start()
    assert psql(url, "show listen_addresses") == ""
    pids = set(pg.server_pids())
    listening = [
        c for c in psutil.net_connections(kind="inet") if c.pid in pids and c.status == "LISTEN"
    ]
    assert listening == []
    assert (socket_dir_of(url) / ".s.PGSQL.5432").is_socket()


def test_long_data_dir_puts_socket_in_short_tmp_dir(make_pg: MakePg, base: Path) -> None:
    data_dir = base / ("d" * 60) / ("e" * 60)
    pg = make_pg(data_dir)
    url = pg.start()
    socket_dir = socket_dir_of(url)
    assert socket_dir.parent == Path("/tmp")
    assert socket_dir.name.startswith("partyplan-pg-") and len(socket_dir.name) == 23
    st = socket_dir.stat()
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (server_uid(), 0o700)
    assert psql(url, "select 1") == "1"
    pg.stop()
    assert pg.start() == url, "the fallback directory is stable for a data dir"


def test_start_and_stop_are_idempotent(make_pg: MakePg) -> None:
    pg = make_pg()
    pg.stop()
    assert not pg.data_dir.exists(), "stop() before any start() creates nothing"
    with pytest.raises(EmbeddedPostgresError):
        _ = pg.url

    url = pg.start()
    pid = postmaster_pid(pg)
    assert pg.start() == url
    assert postmaster_pid(pg) == pid
    pg.stop()
    pg.stop()
    assert not pg.running() and pg.server_pids() == []

    with make_pg(pg.data_dir) as again:
        assert again.running()
    assert not again.running()


def test_stop_kills_a_server_that_ignores_pg_ctl(
    make_pg: MakePg, monkeypatch: pytest.MonkeyPatch, caplog_info: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(embedded_server, "STOP_TIMEOUT", 1.0)
    pg = make_pg()
    pg.start()
    # A stopped postmaster never acts on pg_ctl's SIGINT, so `pg_ctl stop -t 1` fails.
    os.kill(postmaster_pid(pg), signal.SIGSTOP)

    pg.stop()
    assert find_server_processes(pg.pgdata) == []
    assert any("pg_ctl stop failed" in r.getMessage() for r in caplog_info.records)
    assert psql(pg.start(), "select 1") == "1", "restarts after the forced stop"


def test_failed_start_raises_with_server_log_and_leaves_nothing(
    make_pg: MakePg, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(embedded_server.SERVER_SETTINGS, "work_mem", "plenty")
    pg = make_pg()

    with pytest.raises(EmbeddedPostgresError, match="work_mem") as failure:
        pg.start()
    assert "server log" in str(failure.value)
    assert find_server_processes(pg.pgdata) == []
    assert not pg.running()

    monkeypatch.delitem(embedded_server.SERVER_SETTINGS, "work_mem")
    assert psql(pg.start(), "select 1") == "1", "the initialised cluster is kept"


def test_initdb_falls_back_to_no_locale(
    make_pg: MakePg, monkeypatch: pytest.MonkeyPatch, caplog_info: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(embedded_server, "LOCALE", "xx_XX.UTF-8")
    url = make_pg().start()
    assert psql(url, "select datctype from pg_database where datname = 'postgres'") == "C"
    assert psql(url, "show server_encoding") == "UTF8"
    assert any("--no-locale" in r.getMessage() for r in caplog_info.records)
