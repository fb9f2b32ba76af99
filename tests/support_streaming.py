"""A real PostgreSQL streaming replica for tests: a primary (``wal_level=replica``) made with
the PostgreSQL 15 binaries of the machine, a hot standby cloned from it with ``pg_basebackup
-R``, both on free TCP ports of 127.0.0.1 and trusting local connections, in a directory of
their own. As root, both run as the embedded server's system user (PostgreSQL refuses root).

``PARTYPLAN_TEST_PG_BIN`` names another directory of binaries (``initdb``, ``pg_ctl``,
``pg_basebackup``, ``postgres``); the default is Debian's ``/usr/lib/postgresql/15/bin``."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from partyplan.server.embedded.system import _server_user

PG_BIN = Path(os.environ.get("PARTYPLAN_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "owner"
DATABASE = "partyplan"


def available() -> bool:
    return all((PG_BIN / name).is_file() for name in ("initdb", "pg_ctl", "pg_basebackup"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StreamingPair:
    """A primary and its standby. ``owner_url`` / ``replica_owner_url``: the superuser's URLs
    of the database ``partyplan`` on each."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="pp-stream-", dir="/tmp"))
        self.root.chmod(0o755)
        self.user = _server_user()
        self.primary = self.root / "primary"
        self.standby = self.root / "standby"
        self.primary_port, self.standby_port = _free_port(), _free_port()
        self.owner_url = self.url(self.primary_port, SUPERUSER)
        self.replica_owner_url = self.url(self.standby_port, SUPERUSER)

    @staticmethod
    def url(port: int, user: str, database: str = DATABASE) -> str:
        return f"postgresql://{user}@127.0.0.1:{port}/{database}"

    def _run(self, *args: Any) -> None:
        done = subprocess.run(
            [str(a) for a in args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.root,
            **self.user.run_kwargs(),
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}")

    def _configure(self, data: Path, port: int) -> None:
        settings = (
            f"\nport = {port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.root}'\n"
            "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
            "fsync = off\nsynchronous_commit = on\nfull_page_writes = off\n"
        )
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(settings)

    def start(self, standby: bool = True) -> None:
        """The primary, and (``standby``) its standby."""
        if self.user.switch:
            os.chown(self.root, self.user.uid, self.user.gid)
        self._run(
            PG_BIN / "initdb",
            "-D",
            self.primary,
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        self._configure(self.primary, self.primary_port)
        self.pg_ctl(self.primary, "start")
        if not standby:
            return
        self._run(
            PG_BIN / "pg_basebackup",
            "-D",
            self.standby,
            "-h",
            "127.0.0.1",
            "-p",
            self.primary_port,
            "-U",
            SUPERUSER,
            "-R",
            "-X",
            "stream",
            "--no-sync",
        )
        self._configure(self.standby, self.standby_port)
        self.pg_ctl(self.standby, "start")

    def pg_ctl(self, data: Path, action: str) -> None:
        args: list[Any] = [PG_BIN / "pg_ctl", "-D", data, "-w", "-t", "60"]
        if action == "start":
            args += ["-l", data.parent / f"{data.name}.log"]
        else:
            args += ["-m", "fast"]
        self._run(*args, action)

    def stop_standby(self) -> None:
        self.pg_ctl(self.standby, "stop")

    def start_standby(self) -> None:
        self.pg_ctl(self.standby, "start")

    def close(self) -> None:
        for data in (self.standby, self.primary):
            if (data / "postmaster.pid").exists():
                with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                    self.pg_ctl(data, "stop")
        shutil.rmtree(self.root, ignore_errors=True)
