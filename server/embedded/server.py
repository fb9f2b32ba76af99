"""Running the PostgreSQL binaries, and ``EmbeddedPostgres``: start, adopt and stop a cluster."""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import time
from pathlib import Path
from typing import Literal
from urllib.parse import quote

import psutil

from .ownership import claim_owner, claim_user, leave_user, release
from .processes import (
    _alive,
    _kill_leftovers,
    _kill_server,
    _pid_file_state,
    _read_pid_file,
    _reap,
    _wait_gone,
    find_server_processes,
)
from .system import (
    PORT,
    EmbeddedPostgresError,
    _dir_lock,
    _ensure_private_dir,
    _grant_traverse,
    _install_dirs,
    _log_tail,
    _server_user,
    _ServerUser,
    _socket_dir_for,
    bin_dir,
)

log = logging.getLogger("partyplan.embedded")

SUPERUSER = "postgres"
LOCALE = "C.UTF-8"
INITDB_TIMEOUT = 60.0
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
SERVER_SETTINGS: dict[str, str] = {
    "max_connections": "100",
    "shared_buffers": "128MB",
    "shared_preload_libraries": "pg_stat_statements",
    "log_destination": "stderr",
}


def _server_env() -> dict[str, str]:
    # PGPORT, PGDATA, PGOPTIONS... in our environment must not leak into the server.
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _run(cmd: list[str], user: _ServerUser, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL binary as the server user. ``pg_ctl start`` gets ``-l``, so the
    postmaster never holds our pipes open and capturing output cannot hang."""
    log.debug("running %s", shlex.join(cmd))
    try:
        # cwd=/: root's working directory may be unreadable for the server user.
        return subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd="/",
            env=_server_env(),
            **user.run_kwargs(),
        )
    except subprocess.TimeoutExpired as exc:
        raise EmbeddedPostgresError(f"{Path(cmd[0]).name} timed out after {timeout:.0f} s") from exc
    except OSError as exc:
        raise EmbeddedPostgresError(f"cannot run {Path(cmd[0]).name}: {exc}") from exc


# --- the server ------------------------------------------------------------------------------

Role = Literal["owner", "user", "guest"]


class EmbeddedPostgres:
    """One PostgreSQL cluster in ``data_dir / "pg"``, reached through a unix socket.

    ``start()`` makes this instance the data directory's owner (``ownership``: one per data
    directory, held until ``stop()``); ``attach()`` uses the server without owning it and
    ``detach()`` leaves it, stopping it only if no owner and no other user needs it. All are
    idempotent and safe to call from several processes at once. Callers must call ``stop()``
    or ``detach()`` (or use ``with``); nothing is registered with atexit, and a server whose
    owner died is simply adopted by the next ``start()``.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(os.path.normpath(Path(data_dir).expanduser().resolve()))
        self.pgdata = self.data_dir / "pg"
        self.log_file = self.pgdata / "log" / "postgres.log"
        self._socket_dir: Path | None = None
        self.role: Role | None = None
        self._claim: int | None = None  # the fd holding our flock on data_dir/owner.lock

    def __repr__(self) -> str:
        return f"EmbeddedPostgres({str(self.data_dir)!r})"

    # -- public API

    def claim(self) -> None:
        """Become the data directory's owner without starting anything, so that a second
        owner is refused (``DataDirInUse``) before it has changed anything."""
        if self.role == "owner":
            return
        if self.role is not None:
            raise EmbeddedPostgresError(f"{self} is attached; detach() it first")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with _dir_lock(self.data_dir, START_TIMEOUT + INITDB_TIMEOUT):
            self._claim = claim_owner(self.data_dir)
        self.role = "owner"

    def start(self) -> str:
        """Own the data directory and ensure the server runs (initialising the cluster on
        first use, adopting a server left behind by a dead owner, starting again one that
        died: PostgreSQL's crash recovery); return the superuser URL."""
        if self.role == "owner" and self._socket_dir is not None and self.running():
            return self.url
        claimed = self.role is None
        self.claim()
        try:
            with _dir_lock(self.data_dir, START_TIMEOUT + INITDB_TIMEOUT):
                began = time.monotonic()
                self._socket_dir = self._start_locked(_server_user())
        except BaseException:
            if claimed:
                self._release()
            raise
        log.info("embedded postgres ready in %.2f s at %s", time.monotonic() - began, self.url)
        return self.url

    def stop(self) -> None:
        """Stop the server and give up ownership; afterwards none of its processes remain. An
        instance that does not own the data directory claims it first, so it can never stop
        another owner's server (``DataDirInUse``). A no-op when nothing runs."""
        if self.role in ("user", "guest"):
            self.detach()
            return
        self._socket_dir = None
        try:
            if not self.data_dir.is_dir():
                return
            with _dir_lock(self.data_dir, START_TIMEOUT + STOP_TIMEOUT):
                if self.role is None:
                    self._claim, self.role = claim_owner(self.data_dir), "owner"
                self._stop_locked()
        finally:
            self._release()

    def attach(self) -> str:
        """Use the server without owning it (the CLI's commands) and return the superuser
        URL. While an owner runs, adopt its server and never stop it (a guest); otherwise
        start it if needed and share it with other commands (a user)."""
        if self.role is not None:
            return self.url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with _dir_lock(self.data_dir, START_TIMEOUT + INITDB_TIMEOUT):
            fd = claim_user(self.data_dir)
            try:
                self._socket_dir = self._start_locked(_server_user())
            except BaseException:
                release(fd)
                raise
        self._claim, self.role = fd, "guest" if fd is None else "user"
        return self.url

    def detach(self) -> None:
        """Stop using the server: a guest leaves it to its owner; the last user stops it."""
        if self.role == "owner":
            self.stop()
            return
        fd, was_user = self._claim, self.role == "user"
        self._socket_dir, self._claim, self.role = None, None, None
        if not was_user or fd is None:
            return
        try:
            with _dir_lock(self.data_dir, START_TIMEOUT + STOP_TIMEOUT):
                last, fd = leave_user(self.data_dir, fd), None
                if last is not None:
                    try:
                        self._stop_locked()
                    finally:
                        release(last)
        finally:
            release(fd)  # still ours only if the start/stop lock was never taken

    def traverse_grants(self) -> list[Path]:
        """The directories ``start()`` will give o+x, without changing anything: as root, the
        server user must traverse every parent of the install and the data directory."""
        user = _server_user()
        if not user.switch:
            return []
        found: list[Path] = []
        for path in [*_install_dirs(), self.pgdata, _socket_dir_for(self.pgdata)]:
            found += [p for p in _grant_traverse(path, user, dry_run=True) if p not in found]
        return found

    @property
    def url(self) -> str:
        """Superuser URL: ``postgresql://postgres@/postgres?host=<socket dir>``."""
        return self.url_for(SUPERUSER)

    def url_for(self, database: str, user: str = SUPERUSER) -> str:
        if self._socket_dir is None:
            raise EmbeddedPostgresError("the embedded server has not been started")
        host = quote(str(self._socket_dir), safe="/")
        return f"postgresql://{quote(user, safe='')}@/{quote(database, safe='')}?host={host}"

    def running(self) -> bool:
        """Whether a postmaster serves our data directory (started by us or not)."""
        return _pid_file_state(self.pgdata)[0] == "live"

    def server_pids(self) -> list[int]:
        return sorted(p.pid for p in find_server_processes(self.pgdata))

    def __enter__(self) -> EmbeddedPostgres:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _release(self) -> None:
        release(self._claim)
        self._claim, self.role = None, None

    # -- start

    def _start_locked(self, user: _ServerUser) -> Path:
        self._prepare_dirs(user)
        state, proc = _pid_file_state(self.pgdata)
        if state == "live" and proc is not None:
            socket_dir = self._adopt(proc)
            if socket_dir is not None:
                return socket_dir
            state, _ = _pid_file_state(self.pgdata)  # it was shutting down and has exited
        if state == "stale":
            log.info("stale postmaster.pid in %s (dead pid); postgres will replace it", self.pgdata)
        if state != "absent":
            # A killed postmaster's children keep its shared memory until they notice.
            _kill_leftovers(self.pgdata)
        socket_dir = _socket_dir_for(self.pgdata)
        self._remove_blocking_lock_files(socket_dir)
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb(user)
        if user.switch:
            _grant_traverse(socket_dir, user)
        _ensure_private_dir(self.log_file.parent, user)
        _ensure_private_dir(socket_dir, user)
        self._pg_ctl_start(user, socket_dir)
        return socket_dir

    def _remove_blocking_lock_files(self, socket_dir: Path) -> None:
        """Remove lock files naming a pid that exists but is not our postmaster.

        Safe because no postmaster serves the directory (checked by the caller), and postgres
        still refuses to start while the old shared memory segment, found through the data
        directory's inode rather than the lock file, has processes attached.
        """
        for lock_file in (self.pgdata / "postmaster.pid", socket_dir / f".s.PGSQL.{PORT}.lock"):
            if _pid_file_state(self.pgdata, lock_file)[0] == "blocking":
                log.warning("%s names a process that is not our postmaster; removing", lock_file)
                lock_file.unlink(missing_ok=True)

    def _prepare_dirs(self, user: _ServerUser) -> None:
        _ensure_private_dir(self.pgdata, user)
        if user.switch:
            for path in [*_install_dirs(), self.pgdata]:
                _grant_traverse(path, user)

    def _adopt(self, proc: psutil.Process) -> Path | None:
        """Reuse a running postmaster once it is ready; None if it exits meanwhile (it was
        shutting down), in which case the caller starts a fresh one."""
        deadline = time.monotonic() + START_TIMEOUT
        while _alive(proc):
            info = _read_pid_file(self.pgdata)
            if info is not None and info.pid == proc.pid and info.status == "ready":
                if not info.socket_dir:
                    raise EmbeddedPostgresError(f"postmaster {proc.pid} has no unix socket")
                if info.listen_addr:
                    log.warning("adopted postmaster %d listens on %s", proc.pid, info.listen_addr)
                log.info("adopted running postmaster %d for %s", proc.pid, self.pgdata)
                return Path(info.socket_dir)
            if time.monotonic() > deadline:
                raise EmbeddedPostgresError(
                    f"postmaster {proc.pid} not ready after {START_TIMEOUT:.0f} s; "
                    f"server log:\n{_log_tail(self.log_file)}"
                )
            time.sleep(0.05)
        return None

    def _initdb(self, user: _ServerUser) -> None:
        log.info("initialising a new cluster in %s", self.pgdata)
        cmd = [
            str(bin_dir() / "initdb"),
            "-D",
            str(self.pgdata),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--auth-local=trust",
            "--encoding=UTF8",
            "--no-instructions",
        ]
        result = _run([*cmd, f"--locale={LOCALE}"], user, INITDB_TIMEOUT)
        if result.returncode != 0 and "locale" in result.stderr:
            # initdb has already emptied the directory it failed in, so it can simply retry.
            log.warning("locale %s unavailable, initialising with --no-locale", LOCALE)
            result = _run([*cmd, "--no-locale"], user, INITDB_TIMEOUT)
        if result.returncode != 0:
            raise EmbeddedPostgresError(
                f"initdb failed ({result.returncode}):\n{result.stderr.strip()}"
            )

    def _pg_ctl_start(self, user: _ServerUser, socket_dir: Path) -> None:
        options = ["-c", "listen_addresses=", "-k", str(socket_dir), "-p", str(PORT)]
        for name, value in SERVER_SETTINGS.items():
            options += ["-c", f"{name}={value}"]
        cmd = [
            str(bin_dir() / "pg_ctl"),
            "start",
            "-D",
            str(self.pgdata),
            "-l",
            str(self.log_file),
            "-w",
            "-t",
            str(max(1, round(START_TIMEOUT))),
            # pg_ctl hands -o to a shell, hence the quoting.
            "-o",
            shlex.join(options),
        ]
        try:
            result = _run(cmd, user, START_TIMEOUT + 5)
        except EmbeddedPostgresError as exc:
            self._abandon_start()
            raise EmbeddedPostgresError(f"{exc}; server log:\n{_log_tail(self.log_file)}") from exc
        if result.returncode != 0:
            self._abandon_start()
            raise EmbeddedPostgresError(
                f"pg_ctl start failed ({result.returncode}): {result.stderr.strip()}\n"
                f"server log ({self.log_file}):\n{_log_tail(self.log_file)}"
            )

    def _abandon_start(self) -> None:
        # A half-started server would be adopted later as if healthy.
        if find_server_processes(self.pgdata):
            _kill_server(self.pgdata)

    # -- stop

    def _stop_locked(self) -> None:
        procs = find_server_processes(self.pgdata)
        if not procs:
            return
        if not self._pg_ctl_stop(_server_user()):
            _kill_server(self.pgdata)
        elif _wait_gone(procs, STOP_TIMEOUT):
            # pg_ctl returns once postmaster.pid is gone; children exit right after.
            _kill_server(self.pgdata)
        _reap([p.pid for p in procs])
        log.info("embedded postgres in %s stopped", self.pgdata)

    def _pg_ctl_stop(self, user: _ServerUser) -> bool:
        if not (self.pgdata / "postmaster.pid").exists():
            return False
        cmd = [str(bin_dir() / "pg_ctl"), "stop", "-D", str(self.pgdata), "-m", "fast", "-w"]
        try:
            result = _run([*cmd, "-t", str(max(1, round(STOP_TIMEOUT)))], user, STOP_TIMEOUT + 2)
        except EmbeddedPostgresError as exc:
            log.warning("%s", exc)
            return False
        if result.returncode != 0:
            log.warning("pg_ctl stop failed (%d): %s", result.returncode, result.stderr.strip())
            return False
        return True
