"""The PII key file: its format, reading it (from a key directory or a setting's value) and the
edits a key rotation makes to it.

The file (``<key_dir>/pii-key``, or the whole value of ``PARTYPLAN_PII_KEY``) is JSON::

    {"keys": {"1": "<base64url of 32 bytes>", "2": "..."}, "current": 2}

``keys`` maps key versions (1–255) to master secrets; ``current`` is the version new values are
written with (absent: the highest). A version may be held without being current: that is how a
rotation first gives every replica the new key (all can read what any writes) before any of them
writes with it.

Invariants:

* A key directory is either **owned** (the platform's own, e.g. ``<data_dir>/keys`` in
  development: created 0700, the file written 0600, at most once, under an exclusive ``flock``
  of the directory (no lock file) and an atomic rename) or **given** (a mounted Secret): a given
  one is only read — no lock, no chmod, no write — and a file missing there is an error, never
  generated.
* A given file may be group-readable (a Kubernetes Secret with ``defaultMode: 0440`` and
  ``fsGroup``: that is how a non-root service reads it), never writable by its group nor
  accessible by others; an owned file must be 0600.
* No message carries a key or the file's content: only paths, versions and the kind of problem.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import secrets
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

# The same private-directory, lock and atomic-write helpers as the token signing key: one
# implementation of "create a secret once, safely, across processes".
from partyplan.auth.keys import (
    KeyStoreError,
    _ensure_private_dir,
    _exclusive_lock,
    _write_atomically,
    unreadable_key_message,
)

__all__ = [
    "KEY_FILE_NAME",
    "SECRET_LENGTH",
    "KeyRing",
    "PiiError",
    "PiiKeyError",
    "add_key_version",
    "create_key_file",
    "new_key_file",
    "parse_key_file",
    "read_given_key_file",
    "retire_key_version",
    "set_current_version",
]

KEY_FILE_NAME = "pii-key"
SECRET_LENGTH = 32
MIN_VERSION, MAX_VERSION = 1, 255
# A version as the key file writes it: no sign, no leading zero, so "1" and "01" cannot both
# name version 1.
_VERSION_KEY = re.compile(r"[1-9][0-9]{0,2}")

#: The master secrets by version, and the current version.
KeyRing = tuple[dict[int, bytes], int]


class PiiError(Exception):
    """Base of the PII failures. Messages never contain plaintexts or keys."""


class PiiKeyError(PiiError, KeyStoreError):
    """The PII key is missing or cannot be used (unreadable, malformed, too widely readable).
    A :class:`KeyStoreError` too: a key the service cannot start without."""


def new_key_file() -> dict[str, Any]:
    """The content of a fresh key file: version 1, current."""
    return _content({MIN_VERSION: secrets.token_bytes(SECRET_LENGTH)}, MIN_VERSION)


def parse_key_file(text: str, source: str) -> KeyRing:
    """The key ring a key file's text holds; ``source`` names it in messages (a path, or the
    setting's name)."""
    try:
        data = json.loads(text)
        entries = data["keys"]
        decoded = {
            version: base64.urlsafe_b64decode(encoded.encode("ascii"))
            for version, encoded in entries.items()
        }
        current = data.get("current")
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error) as exc:
        # Only the kind of problem: a parser's message could quote the file's content.
        raise PiiKeyError(f"cannot load the PII key {source}: {type(exc).__name__}") from None
    if not decoded:
        raise PiiKeyError(f"{source} holds no PII key")
    ring: dict[int, bytes] = {}
    for version, secret in decoded.items():
        if not _VERSION_KEY.fullmatch(version) or int(version) > MAX_VERSION:
            raise PiiKeyError(f"{source}: key versions are {MIN_VERSION}..{MAX_VERSION}")
        if len(secret) != SECRET_LENGTH:
            raise PiiKeyError(f"{source}: key version {version} is not {SECRET_LENGTH} bytes")
        ring[int(version)] = secret
    if current is None:
        current = max(ring)
    if type(current) is not int or current not in ring:
        raise PiiKeyError(f"{source}: the current version is not one of the key versions")
    return ring, current


def read_given_key_file(path: Path) -> KeyRing:
    """Read a key file of a given directory: opened for reading and nothing else."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PiiKeyError(unreadable_key_message("PII key", path, exc)) from None
    if mode & 0o027:
        raise PiiKeyError(
            f"{path} is writable by its group or accessible by others; chmod 440 (or 400) it"
        )
    return parse_key_file(text, str(path))


def _read_owned_key_file(path: Path) -> KeyRing:
    """The key ring, after checking the file is private (0600)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PiiKeyError(unreadable_key_message("PII key", path, exc)) from None
    if mode & 0o077:
        raise PiiKeyError(f"{path} is accessible by group or others; chmod 600 it")
    return parse_key_file(text, str(path))


def create_key_file(key_dir: Path) -> KeyRing:
    """Load ``<key_dir>/pii-key`` of an owned directory, generating it first if missing."""
    key_dir = Path(key_dir)
    _ensure_private_dir(key_dir)
    with _exclusive_lock(key_dir):
        path = key_dir / KEY_FILE_NAME
        if not path.exists():
            _write_atomically(path, new_key_file())
        return _read_owned_key_file(path)


def add_key_version(key_dir: Path, *, make_current: bool = False) -> int:
    """Add a new master secret to ``<key_dir>/pii-key`` (an owned directory, e.g. the operator's
    copy of the Secret) and return its version.

    The new version is only held, not current, unless ``make_current``: replicas given the file
    read what is written with it, and keep writing with the current one until
    :func:`set_current_version`. Without a file, version 1 is created (and is current).
    """
    with _editing(key_dir) as (path, ring, current):
        version = max(ring, default=0) + 1
        if version > MAX_VERSION:
            raise PiiKeyError(f"{path} already holds the last key version {MAX_VERSION}")
        ring[version] = secrets.token_bytes(SECRET_LENGTH)
        current = version if make_current or current == 0 else current
        _write_atomically(path, _content(ring, current))
        return version


def set_current_version(key_dir: Path, version: int) -> None:
    """Make a held version the one new values are written with."""
    with _editing(key_dir) as (path, ring, _current):
        if version not in ring:
            raise PiiKeyError(f"{path} holds no key version {version}")
        _write_atomically(path, _content(ring, version))


def retire_key_version(key_dir: Path, version: int) -> None:
    """Remove a version no stored value uses any more (``partyplan pii rotate --check`` says so;
    keep an archived copy as long as backups made before the rotation are kept)."""
    with _editing(key_dir) as (path, ring, current):
        if version not in ring:
            raise PiiKeyError(f"{path} holds no key version {version}")
        if version == current:
            raise PiiKeyError(f"key version {version} is the current one; make another current")
        del ring[version]
        _write_atomically(path, _content(ring, current))


@contextlib.contextmanager
def _editing(key_dir: Path) -> Iterator[tuple[Path, dict[int, bytes], int]]:
    """The owned key file's path, ring and current version (``{}``, 0 without a file), read
    under the directory's lock for a read-modify-write."""
    key_dir = Path(key_dir)
    _ensure_private_dir(key_dir)
    with _exclusive_lock(key_dir):
        path = key_dir / KEY_FILE_NAME
        if not path.exists():
            yield path, {}, 0
        else:
            ring, current = _read_owned_key_file(path)
            yield path, ring, current


def _content(ring: Mapping[int, bytes], current: int) -> dict[str, Any]:
    # JSON, so that a rotation can add versions to the one file; base64url like a JWK "k".
    return {
        "keys": {
            str(version): base64.urlsafe_b64encode(secret).decode("ascii")
            for version, secret in sorted(ring.items())
        },
        "current": current,
    }
