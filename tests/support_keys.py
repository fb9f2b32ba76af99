"""Key directories as an installation is given them (a mounted Secret), and a watch on every
attempt to change the file system, which holds as root too.

The suite runs as root in CI, where a 0555 directory and 0400 files stop nothing; a read-only
bind mount would need privileges. So the files get their production modes and, while a test
loads them, a Python audit hook (PEP 578) records every open for writing, chmod, mkdir, rename,
removal, temporary file and ``flock``: the assertion is that nothing was even attempted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from partyplan.auth.keys import KeyStore
from partyplan.resolvers.recruits.pii import PiiCipher

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_CHANGES = frozenset(
    {
        "os.chmod",
        "os.chown",
        "os.mkdir",
        "os.rename",  # os.replace too
        "os.remove",
        "os.rmdir",
        "os.link",
        "os.symlink",
        "os.truncate",
        "os.utime",
        "tempfile.mkstemp",
        "fcntl.flock",
        "fcntl.lockf",
    }
)
_recording: list[list[str]] = []


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not _recording:
        return
    if event == "open":
        _path, mode, flags = args
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        if writes:
            _recording[-1].append(f"open for writing {args[0]}")
    elif event in _CHANGES:
        _recording[-1].append(f"{event} {args[0] if args else ''}")


sys.addaudithook(_hook)  # once per process: an audit hook cannot be removed


@contextlib.contextmanager
def no_writes() -> Iterator[list[str]]:
    """The attempts to change the file system made inside the block (expected: none)."""
    attempts: list[str] = []
    _recording.append(attempts)
    try:
        yield attempts
    finally:
        _recording.pop()


def given_key_dir(root: Path, *, file_mode: int = 0o440, pii: bool = True) -> Path:
    """A key directory as a Secret mounts it: the signing key (and the PII key), no lock file,
    files ``file_mode``, the directory 0555."""
    source = root / "made"
    KeyStore.load_or_create(source)
    if pii:
        PiiCipher.load_or_create(source)
    given = root / "given"
    given.mkdir()
    for name in ("signing-key.json", "pii-key") if pii else ("signing-key.json",):
        shutil.copyfile(source / name, given / name)
        os.chmod(given / name, file_mode)
    os.chmod(given, 0o555)
    return given
