"""Encryption at rest and keyed lookup hashes for recruits' PII (ID number, phone).

PostgreSQL's pgcrypto is not available (docs/stack.md), so PII is encrypted here, with
AES-256-GCM, and found again through an HMAC-SHA256 "lookup hash" column with a unique index.

Invariants:

* A ciphertext is ``version (1 byte) ‖ nonce (12 random bytes) ‖ AES-GCM ciphertext ‖ tag``.
  The version selects the master secret it was written with, so old rows stay readable after
  a rotation; an unknown version is refused, never guessed.
* The ``context`` (e.g. ``"recruit.id_number"``) and the version byte are the GCM associated
  data: a ciphertext copied into another column, or given another version byte, fails to
  decrypt instead of yielding a plausible value.
* Encryption and lookup keys are derived from one 32-byte master secret per version with
  HKDF-SHA256 under different ``info`` labels; the master secret itself encrypts nothing.
* The master secrets live only in ``<key_dir>/pii-key`` (mode 0600, directory 0700), created
  at most once under the same exclusive ``flock`` + atomic rename discipline as the token
  signing key (auth/keys.py), so processes starting together end up with one key.
* Nothing here logs, and no exception message carries a plaintext or a key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# The same private-directory, lock and atomic-write helpers as the token signing key: one
# implementation of "create a secret once, safely, across processes".
from partyplan.auth.keys import _ensure_private_dir, _exclusive_lock, _write_atomically


class KeyDirSettings(Protocol):
    """What the cipher reads of the server's settings (``server.settings.Settings`` satisfies
    it); declared here so that the domain never imports the composition root."""

    resolved_key_dir: Path


__all__ = [
    "KEY_FILE_NAME",
    "SECRET_LENGTH",
    "PiiCipher",
    "PiiDecryptionError",
    "PiiError",
    "PiiKeyError",
    "add_key_version",
]

KEY_FILE_NAME = "pii-key"
LOCK_FILE_NAME = "pii-key.lock"
SECRET_LENGTH = 32
NONCE_LENGTH = 12  # 96 bits, the GCM nonce size that needs no extra hashing
TAG_LENGTH = 16
# Version 0 is never issued, so an all-zero or empty column cannot pass for a ciphertext.
MIN_VERSION, MAX_VERSION = 1, 255

_ENCRYPTION_INFO = b"partyplan/pii/v1/aes-256-gcm"
_LOOKUP_INFO = b"partyplan/pii/v1/lookup-hmac-sha256"
# Dotted lower-case identifiers only: a context never contains NUL, which keeps the HMAC input
# "context NUL value" unambiguous.
_CONTEXT = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
# A version as the key file writes it: no sign, no leading zero, so "1" and "01" cannot both
# name version 1.
_VERSION_KEY = re.compile(r"[1-9][0-9]{0,2}")


class PiiError(Exception):
    """Base of the PII failures. Messages never contain plaintexts or keys."""


class PiiKeyError(PiiError):
    """The key file exists but cannot be used (unreadable, malformed or too widely readable)."""


class PiiDecryptionError(PiiError):
    """A stored value cannot be decrypted: truncated, unknown key version, tampered with, or
    written for another context or with another key."""


class _Keys:
    """The keys derived from one master secret."""

    __slots__ = ("aead", "lookup_key")

    def __init__(self, secret: bytes) -> None:
        self.aead = AESGCM(_derive(secret, _ENCRYPTION_INFO))
        self.lookup_key = _derive(secret, _LOOKUP_INFO)


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


def _context_bytes(context: str) -> bytes:
    if not _CONTEXT.fullmatch(context):
        raise ValueError(f"invalid PII context {context!r}: use a dotted lower-case identifier")
    return context.encode("ascii")


class PiiCipher:
    """Encrypts, decrypts and lookup-hashes PII with versioned master secrets.

    ``master_secrets`` maps key versions (1–255) to 32-byte master secrets; new values are written
    with ``current`` (default: the highest version). Keeping older versions is what key
    rotation needs: rows written before it still decrypt until they are re-encrypted.
    """

    def __init__(self, master_secrets: Mapping[int, bytes], *, current: int | None = None) -> None:
        if not master_secrets:
            raise ValueError("at least one PII key version is required")
        self._keys: dict[int, _Keys] = {}
        for version, secret in master_secrets.items():
            if not MIN_VERSION <= version <= MAX_VERSION:
                raise ValueError(f"PII key versions are {MIN_VERSION}..{MAX_VERSION}")
            if len(secret) != SECRET_LENGTH:
                raise ValueError(f"a PII master secret is {SECRET_LENGTH} bytes")
            self._keys[version] = _Keys(bytes(secret))
        self._current = max(self._keys) if current is None else current
        if self._current not in self._keys:
            raise ValueError(f"no PII key for the current version {self._current}")

    @classmethod
    def from_secret(cls, secret: bytes, *, version: int = MIN_VERSION) -> PiiCipher:
        """A cipher with a single master secret (tests, tools)."""
        return cls({version: secret})

    @classmethod
    def load_or_create(cls, key_dir: Path) -> PiiCipher:
        """Load ``<key_dir>/pii-key``, generating it (version 1) first if it does not exist."""
        key_dir = Path(key_dir)
        _ensure_private_dir(key_dir)
        with _exclusive_lock(key_dir / LOCK_FILE_NAME):
            path = key_dir / KEY_FILE_NAME
            if not path.exists():
                _write_atomically(path, _key_file_content({MIN_VERSION: _new_secret()}))
            return cls(_read_key_file(path))

    @classmethod
    def from_settings(cls, settings: KeyDirSettings) -> PiiCipher:
        """The cipher whose key file lives beside the token signing key (resolved_key_dir)."""
        return cls.load_or_create(settings.resolved_key_dir)

    @property
    def current_version(self) -> int:
        """The key version new ciphertexts and lookup hashes are made with."""
        return self._current

    def __repr__(self) -> str:
        return f"PiiCipher(versions={sorted(self._keys)}, current={self._current})"

    def encrypt(self, plaintext: str, *, context: str) -> bytes:
        """AES-256-GCM under the current key, with a fresh random nonce, bound to ``context``."""
        header = bytes([self._current])
        nonce = os.urandom(NONCE_LENGTH)
        sealed = self._keys[self._current].aead.encrypt(
            nonce, plaintext.encode("utf-8"), header + _context_bytes(context)
        )
        return header + nonce + sealed

    def decrypt(self, blob: bytes | bytearray | memoryview, *, context: str) -> str:
        """The plaintext of :meth:`encrypt`'s output, if ``context`` is the one it was made for."""
        data = bytes(blob)
        associated = _context_bytes(context)
        if len(data) < 1 + NONCE_LENGTH + TAG_LENGTH:
            raise PiiDecryptionError("PII ciphertext is truncated")
        version = data[0]
        keys = self._keys.get(version)
        if keys is None:
            raise PiiDecryptionError(
                f"PII ciphertext was written with key version {version}, which this server "
                f"does not hold (it holds {', '.join(map(str, sorted(self._keys)))})"
            )
        nonce, sealed = data[1 : 1 + NONCE_LENGTH], data[1 + NONCE_LENGTH :]
        try:
            plaintext = keys.aead.decrypt(nonce, sealed, data[:1] + associated)
        except InvalidTag:
            raise PiiDecryptionError(
                f"PII ciphertext for {context} failed authentication: tampered with, or "
                "written for another context or with another key"
            ) from None
        return plaintext.decode("utf-8")

    def version_of(self, blob: bytes | bytearray | memoryview) -> int:
        """The key version a ciphertext was written with (to find rows to re-encrypt)."""
        data = bytes(blob)
        if not data:
            raise PiiDecryptionError("PII ciphertext is truncated")
        return data[0]

    def lookup_hash(self, value: str, *, context: str, version: int | None = None) -> bytes:
        """HMAC-SHA256 of the normalised value, for unique-index lookups of PII columns.

        Normalisation (NFKC, whitespace stripped, upper case) makes "…123x" and "…123X" one
        value; callers still pass values through their rule (check_id_number, check_phone)
        first. The hash is deterministic per (key version, context, value): it differs between
        contexts, so equal values in two columns cannot be linked. A rotation changes it, so
        stored hashes must be recomputed with the new version; ``version`` computes an older
        one meanwhile.
        """
        keys = self._keys.get(self._current if version is None else version)
        if keys is None:
            raise ValueError(f"no PII key version {version}")
        normalised = unicodedata.normalize("NFKC", value).strip().upper()
        message = _context_bytes(context) + b"\x00" + normalised.encode("utf-8")
        return hmac.new(keys.lookup_key, message, hashlib.sha256).digest()


def add_key_version(key_dir: Path) -> int:
    """Rotate: add a new master secret to ``<key_dir>/pii-key`` and return its version.

    Existing versions stay in the file so older rows still decrypt; processes pick the new
    version up when they next load the file. Re-encrypting old rows and recomputing lookup
    hashes is the caller's job.
    """
    key_dir = Path(key_dir)
    _ensure_private_dir(key_dir)
    with _exclusive_lock(key_dir / LOCK_FILE_NAME):
        path = key_dir / KEY_FILE_NAME
        existing = _read_key_file(path) if path.exists() else {}
        version = max(existing, default=0) + 1
        if version > MAX_VERSION:
            raise PiiKeyError(f"{path} already holds the last key version {MAX_VERSION}")
        _write_atomically(path, _key_file_content({**existing, version: _new_secret()}))
        return version


def _new_secret() -> bytes:
    return secrets.token_bytes(SECRET_LENGTH)


def _key_file_content(secrets_by_version: Mapping[int, bytes]) -> dict[str, Any]:
    # JSON, so that a rotation can add versions to the one file; base64url like a JWK "k".
    return {
        "keys": {
            str(version): base64.urlsafe_b64encode(secret).decode("ascii")
            for version, secret in sorted(secrets_by_version.items())
        }
    }


def _read_key_file(path: Path) -> dict[int, bytes]:
    """The master secrets by version, after checking the file is private and well formed."""
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise PiiKeyError(f"{path} is accessible by group or others; chmod 600 it")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["keys"]
        decoded = {
            version: base64.urlsafe_b64decode(encoded.encode("ascii"))
            for version, encoded in entries.items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError, binascii.Error) as exc:
        # Only the kind of problem: a parser's message could quote the file's content.
        raise PiiKeyError(f"cannot load PII key file {path}: {type(exc).__name__}") from None
    if not decoded:
        raise PiiKeyError(f"{path} holds no key")
    result: dict[int, bytes] = {}
    for version, secret in decoded.items():
        if not _VERSION_KEY.fullmatch(version) or int(version) > MAX_VERSION:
            raise PiiKeyError(f"{path}: key versions are {MIN_VERSION}..{MAX_VERSION}")
        if len(secret) != SECRET_LENGTH:
            raise PiiKeyError(f"{path}: key version {version} is not {SECRET_LENGTH} bytes")
        result[int(version)] = secret
    return result
