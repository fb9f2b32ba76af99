"""Processes of the embedded server: what ``postmaster.pid`` says, and finding, signalling
and reaping the postgres processes that serve a data directory."""

from __future__ import annotations

import logging
import os
import signal
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import psutil

from .system import EmbeddedPostgresError

log = logging.getLogger("partyplan.embedded")

# How long a postmaster gets to exit after SIGQUIT before everything is SIGKILLed.
KILL_GRACE = 5.0

PidFileState = Literal["absent", "stale", "blocking", "live"]


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


def _kill_leftovers(pgdata: Path) -> None:
    """SIGKILL what is left of a dead postmaster: its children (reparented, their command line
    rewritten, so found by their working directory, which is ``pgdata``) keep its shared
    memory, and postgres refuses to start while they do. Only called when no postmaster
    serves ``pgdata``; the next start's crash recovery makes up for anything they were doing."""
    procs = []
    for proc in psutil.process_iter(["name", "status"]):
        if proc.info["name"] != "postgres" or proc.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        with suppress(psutil.Error):
            if Path(proc.cwd()) == pgdata:
                procs.append(proc)
    for proc in procs:
        log.warning("sending SIGKILL to postgres process %d left by a dead postmaster", proc.pid)
        _signal(proc, signal.SIGKILL)
    left = _wait_gone(procs, KILL_GRACE)
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
