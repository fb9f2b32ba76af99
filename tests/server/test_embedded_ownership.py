"""Who may stop the embedded server (``server/embedded/ownership.py``): one owner per data
directory, commands that attach to it without stopping it, and the last command out stopping
a server nobody owns. Real clusters, each in its own directory under /tmp."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from partyplan.server.embedded import (
    DataDirInUse,
    EmbeddedPostgres,
    EmbeddedPostgresError,
    find_server_processes,
)
from partyplan.server.embedded import system as embedded_system
from partyplan.server.embedded.ownership import OWNER_LOCK

MakePg = Callable[[Path], EmbeddedPostgres]


@pytest.fixture
def data_dir() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="pp-own-", dir="/tmp"))
    base.chmod(0o755)
    try:
        yield base / "data"
    finally:
        pgdata = base / "data" / "pg"
        for proc in find_server_processes(pgdata):
            proc.kill()
        psutil.wait_procs(find_server_processes(pgdata), timeout=10)
        shutil.rmtree(base, ignore_errors=True)


def postmaster(pg: EmbeddedPostgres) -> int:
    return int((pg.pgdata / "postmaster.pid").read_text().splitlines()[0])


def test_a_second_owner_is_refused_and_the_first_keeps_its_server(data_dir: Path) -> None:
    first = EmbeddedPostgres(data_dir)
    url = first.start()
    pid = postmaster(first)

    second = EmbeddedPostgres(data_dir)
    with pytest.raises(DataDirInUse) as refused:
        second.start()
    message = str(refused.value)
    assert f"already in use by process {os.getpid()}" in message
    assert str(first.data_dir) in message and "\n" not in message
    with pytest.raises(DataDirInUse):
        second.stop()  # nor may it stop the owner's server
    assert second.role is None

    assert first.running() and postmaster(first) == pid
    assert first.start() == url
    first.stop()
    assert find_server_processes(first.pgdata) == []
    # The data directory is free again, and its lock file records the next owner.
    assert second.start() == url
    assert (data_dir / OWNER_LOCK).read_text().split() == [str(os.getpid())]
    second.stop()


def test_a_command_under_an_owner_attaches_and_leaves_its_server_running(
    data_dir: Path,
) -> None:
    owner = EmbeddedPostgres(data_dir)
    url = owner.start()
    pid = postmaster(owner)

    command = EmbeddedPostgres(data_dir)
    assert command.attach() == url
    assert command.role == "guest"
    command.detach()
    assert owner.running() and postmaster(owner) == pid, "the owner's server was stopped"
    command.attach()
    command.stop()  # stop() of an attached instance is its detach()
    assert owner.running() and postmaster(owner) == pid
    owner.stop()
    assert find_server_processes(owner.pgdata) == []


def test_without_an_owner_commands_share_the_server_and_the_last_stops_it(
    data_dir: Path,
) -> None:
    first, second = EmbeddedPostgres(data_dir), EmbeddedPostgres(data_dir)
    url = first.attach()
    assert (first.role, first.running()) == ("user", True)
    pid = postmaster(first)
    assert second.attach() == url and second.role == "user"

    # A server cannot start under running commands: they would lose their database.
    serve = EmbeddedPostgres(data_dir)
    with pytest.raises(DataDirInUse, match="in use by another partyplan command"):
        serve.claim()

    first.detach()
    assert second.running() and postmaster(second) == pid, "stopped under the second command"
    second.detach()
    assert find_server_processes(second.pgdata) == [], "the last command out stops it"

    assert serve.start() == url  # free now
    assert serve.role == "owner"
    with pytest.raises(DataDirInUse, match="already in use"):
        EmbeddedPostgres(data_dir).claim()
    assert first.attach() == url and first.role == "guest"  # the server has an owner now
    with pytest.raises(EmbeddedPostgresError, match="attached"):
        first.claim()  # an attached instance does not become an owner
    first.detach()
    assert serve.running()
    serve.stop()


def test_traverse_grants_names_exactly_what_start_changes(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="partyplan.embedded")
    data_dir.parent.chmod(0o700)
    pg = EmbeddedPostgres(data_dir)
    data_dir.mkdir()
    announced = pg.traverse_grants()
    pg.start()
    changed = [r.getMessage() for r in caplog.records if "added o+x" in r.getMessage()]
    try:
        if os.geteuid() != 0:
            assert announced == [] and changed == []
            assert stat.S_IMODE(data_dir.parent.stat().st_mode) == 0o700
            return
        # Announced before, and exactly those changed (the install's parents may have been
        # opened by an earlier start already: then neither lists them).
        assert data_dir.parent in announced
        assert [
            f"added o+x to {path} so {embedded_system.SERVER_USER} can traverse it"
            for path in announced
        ] == changed
        assert stat.S_IMODE(data_dir.parent.stat().st_mode) == 0o701
        assert pg.traverse_grants() == [], "nothing left to change"
    finally:
        pg.stop()
