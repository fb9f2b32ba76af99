"""Who may stop the embedded server: ``flock`` on ``data_dir/owner.lock``.

* The **owner** (``serve``, or any ``EmbeddedPostgres.start()``) holds an exclusive lock for as
  long as it runs, and writes its pid into the file. A second owner is refused
  (:class:`DataDirInUse`); a command run meanwhile attaches as a **guest**: it uses the server
  and never stops it.
* A command that finds no owner is a **user**: it holds a shared lock while it works, so no
  owner can start under it, and the last user to leave stops the server.

Every change of these locks happens while the caller holds the start/stop lock on
``data_dir`` itself (``system._dir_lock``), so nobody sees a half-made decision: a user leaving
tests for "nobody else" by taking the exclusive lock briefly, and a newcomer waiting for the
start/stop lock never takes that brief lock for an owner's. The kernel drops a lock when its
holder dies, so a killed owner leaves no stale claim: its server is adopted by the next one.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

import psutil

from ..errors import StartupRefused
from .system import EmbeddedPostgresError

OWNER_LOCK = "owner.lock"


class DataDirInUse(StartupRefused, EmbeddedPostgresError):
    """Another process owns (or is using) the data directory: the command line prints the
    one-line message and exits with status 2."""


def _open(data_dir: Path) -> int:
    path = data_dir / OWNER_LOCK
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except PermissionError:
        # Another user's lock file (root's serve): a read-only fd can still hold a flock.
        return os.open(path, os.O_RDONLY)


def _try(fd: int, operation: int) -> bool:
    try:
        fcntl.flock(fd, operation | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return False
        raise
    return True


def claim_owner(data_dir: Path) -> int:
    """The fd holding the exclusive lock, the pid written in; raises :class:`DataDirInUse`."""
    fd = _open(data_dir)
    if _try(fd, fcntl.LOCK_EX):
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass  # a read-only fd: the lock holds all the same, only the message is vaguer
        return fd
    # Shared holders are commands; otherwise an owner holds it and its pid is in the file.
    owned = not _try(fd, fcntl.LOCK_SH)
    os.close(fd)
    raise DataDirInUse(in_use_message(data_dir, owned))


def claim_user(data_dir: Path) -> int | None:
    """The fd holding a shared lock, or None when an owner runs (the caller is a guest)."""
    fd = _open(data_dir)
    if _try(fd, fcntl.LOCK_SH):
        return fd
    os.close(fd)
    return None


def leave_user(data_dir: Path, fd: int) -> int | None:
    """Drop a user's shared lock; if nobody else holds any lock now, return an fd holding the
    exclusive lock (the caller stops the server, then closes it), else None."""
    os.close(fd)
    last = _open(data_dir)
    if _try(last, fcntl.LOCK_EX):
        return last
    os.close(last)
    return None


def release(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # also drops the flock


def in_use_message(data_dir: Path, owned: bool) -> str:
    """Who holds the data directory: an owner (named by the pid it wrote) or commands."""
    if owned:
        who = "another process"
        try:
            pid = int((data_dir / OWNER_LOCK).read_text().split()[0])
            who = f"process {pid} ({_short(' '.join(psutil.Process(pid).cmdline()))})"
        except (OSError, ValueError, IndexError, psutil.Error):
            pass
        return (
            f"the data directory {data_dir} is already in use by {who}; one server per data "
            "directory: stop that one first, or give this one another --data-dir"
        )
    return (
        f"the data directory {data_dir} is in use by another partyplan command "
        "(db, token, init…); run this again once it has finished"
    )


def _short(command: str, limit: int = 80) -> str:
    return command if len(command) <= limit else command[: limit - 1] + "…"
