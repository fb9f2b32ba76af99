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
* The master secrets live only in the PII key file (``pii_keys.py``): ``<key_dir>/pii-key``
  or the value of ``PARTYPLAN_PII_KEY``, outside the repository and the database. Every
  replica must hold the same file: a ciphertext or lookup hash made by one is read by all.
  In production the key is given (never generated); in development an owned key directory
  gets one at the first start.
* While a rotation holds several versions, a value is found through its lookup hash under
  each of them (:meth:`PiiCipher.lookup_hashes`): rows not yet re-encrypted
  (``service/pii_rotation.py``) keep their old version's hash until they are.
* Nothing here logs, and no exception message carries a plaintext or a key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .pii_keys import (
    KEY_FILE_NAME,
    MAX_VERSION,
    MIN_VERSION,
    SECRET_LENGTH,
    KeyRing,
    PiiError,
    PiiKeyError,
    add_key_version,
    create_key_file,
    parse_key_file,
    read_given_key_file,
)


class _Secret(Protocol):
    def get_secret_value(self) -> str: ...


class KeySettings(Protocol):
    """What the cipher reads of the server's settings (``server.settings.Settings`` satisfies
    it); declared here so that the domain never imports the composition root."""

    @property
    def resolved_key_dir(self) -> Path: ...

    @property
    def key_dir_given(self) -> bool: ...

    @property
    def is_production(self) -> bool: ...

    @property
    def pii_key(self) -> _Secret | None: ...


__all__ = [
    "KEY_FILE_NAME",
    "SECRET_LENGTH",
    "PiiCipher",
    "PiiDecryptionError",
    "PiiError",
    "PiiKeyError",
    "add_key_version",
]

NONCE_LENGTH = 12  # 96 bits, the GCM nonce size that needs no extra hashing
TAG_LENGTH = 16
# Version 0 is never issued (pii_keys.MIN_VERSION is 1), so an all-zero or empty column cannot
# pass for a ciphertext.

_ENCRYPTION_INFO = b"partyplan/pii/v1/aes-256-gcm"
_LOOKUP_INFO = b"partyplan/pii/v1/lookup-hmac-sha256"
# Dotted lower-case identifiers only: a context never contains NUL, which keeps the HMAC input
# "context NUL value" unambiguous.
_CONTEXT = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")


class PiiDecryptionError(PiiError):
    """A stored value cannot be decrypted: truncated, unknown key version, tampered with, or
    written for another context or with another key."""


class _Keys:
    """The keys derived from one master secret."""

    __slots__ = ("aead", "lookup_key")

    def __init__(self, secret: bytes) -> None:
        self.aead = AESGCM(_derive(secret, _ENCRYPTION_INFO))
        self.lookup_key = _derive(secret, _LOOKUP_INFO)


def _missing(path: Path) -> bool:
    """Whether the file is certainly absent (an unreadable directory is not "absent": reading
    then says what is wrong)."""
    try:
        path.stat()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


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
    def from_ring(cls, ring: KeyRing) -> PiiCipher:
        secrets_by_version, current = ring
        return cls(secrets_by_version, current=current)

    @classmethod
    def load_or_create(cls, key_dir: Path) -> PiiCipher:
        """Load ``<key_dir>/pii-key`` of an owned directory, generating it (version 1) first if
        it does not exist."""
        return cls.from_ring(create_key_file(key_dir))

    @classmethod
    def load(cls, key_dir: Path) -> PiiCipher:
        """Load ``<key_dir>/pii-key`` of a given directory: only read, never created."""
        return cls.from_ring(read_given_key_file(Path(key_dir) / KEY_FILE_NAME))

    @classmethod
    def from_settings(cls, settings: KeySettings) -> PiiCipher:
        """The cipher of ``PARTYPLAN_PII_KEY`` if set, else of ``<key_dir>/pii-key``: read
        where the key is given — in production, or from a given key directory —, generated on
        first use only in an owned directory in development."""
        path = settings.resolved_key_dir / KEY_FILE_NAME
        if settings.pii_key is not None:
            ring = parse_key_file(settings.pii_key.get_secret_value(), "PARTYPLAN_PII_KEY")
            if path.is_file() and read_given_key_file(path) != ring:
                raise PiiKeyError(
                    f"PARTYPLAN_PII_KEY and {path} hold different PII keys; give the key once"
                )
            return cls.from_ring(ring)
        if settings.key_dir_given or settings.is_production:
            if _missing(path):
                why = "production" if settings.is_production else "a given key directory"
                raise PiiKeyError(
                    f"no PII key at {path}: {why} never generates one; set PARTYPLAN_PII_KEY or "
                    "put the key file there (`partyplan keys init --key-dir DIR` makes one; back "
                    "it up apart from the database: without it the encrypted ID numbers are lost)"
                )
            return cls.load(settings.resolved_key_dir)
        return cls.load_or_create(settings.resolved_key_dir)

    @property
    def current_version(self) -> int:
        """The key version new ciphertexts and lookup hashes are made with."""
        return self._current

    @property
    def versions(self) -> tuple[int, ...]:
        """Every version held, the current one first, then the others newest first."""
        others = sorted((v for v in self._keys if v != self._current), reverse=True)
        return (self._current, *others)

    @property
    def oldest_version(self) -> int:
        return min(self._keys)

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

    def lookup_hashes(self, value: str, *, context: str) -> tuple[bytes, ...]:
        """The value's lookup hash under every version held, the current one first: what a
        search or a duplicate check compares the stored hashes with, so that rows a rotation
        has not re-encrypted yet are still found. One element outside a rotation."""
        return tuple(self.lookup_hash(value, context=context, version=v) for v in self.versions)
