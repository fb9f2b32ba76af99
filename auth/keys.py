"""The platform's token signing key: one Ed25519 key pair kept as a private JWK on disk.

Invariants:

* The private key lives only in ``<key_dir>/signing-key.json`` (mode 0600, directory 0700) and in
  the :class:`KeyStore` of the process that loaded it; nothing else here ever returns it as JSON.
* A key's ``kid`` is its RFC 7638 thumbprint, so it is derived from the key material alone and
  two processes that load the same file agree on it.
* The key file is created at most once: creation happens under an exclusive ``flock`` of the
  key directory itself and the file appears atomically (temporary file + ``os.replace``), so
  processes that start together all end up with the same key and no reader ever sees a
  half-written file. The directory holds the key files only: no lock file (the operator makes a
  Secret of the directory's files; a lock file there would be one more file to leave out).
* Only a key directory the platform owns (``<data_dir>/keys`` in development) is ever created,
  locked or written. A directory **given from outside** (``Settings.key_dir_given``: a mounted
  Secret, every replica the same files) is only read — no lock file, no chmod, no write — and a
  key missing or unreadable there stops the start with one line saying what to do.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

__all__ = ["ALGORITHM", "KEY_FILE_NAME", "KeySettings", "KeyStore", "KeyStoreError"]

#: The only JWS algorithm our keys are for (RFC 8037 name; see auth/tokens.py).
ALGORITHM = "EdDSA"
CURVE = "Ed25519"
KEY_FILE_NAME = "signing-key.json"

# JWK parameters that tie a key to signatures with our one algorithm: joserfc refuses to use a
# key whose "alg"/"use" disagree with the token header, which is one more guard against
# algorithm confusion.
_KEY_PARAMETERS = {"alg": ALGORITHM, "use": "sig"}
# Members a public Ed25519 JWK may carry; anything else (notably "d") is dropped from the JWKS.
_PUBLIC_MEMBERS = ("kty", "crv", "x", "kid", "alg", "use")


class KeyStoreError(Exception):
    """A key is missing or cannot be used (unreadable, malformed or too widely readable); the
    message is one line for the operator."""


class KeySettings(Protocol):
    """What key loading reads of the server's settings (``server.settings.Settings`` satisfies
    it); declared here so that ``auth`` never imports the composition root."""

    @property
    def resolved_key_dir(self) -> Path: ...

    @property
    def key_dir_given(self) -> bool: ...


class KeyStore:
    """The signing key plus the public keys tokens may still be verified with.

    ``extra_public_keys`` is the hook for rotation: keys that signed tokens which are still
    valid. Only their public half is kept, whatever is passed in.
    """

    def __init__(self, signing_key: OKPKey, extra_public_keys: Iterable[OKPKey] = ()) -> None:
        if not signing_key.is_private:
            raise ValueError("the signing key must be a private key")
        self._signing_key = _with_parameters(signing_key, private=True)
        self._kid = _kid_of(self._signing_key)
        self._verification_keys: dict[str, OKPKey] = {}
        for key in (signing_key, *extra_public_keys):
            public = _with_parameters(key, private=False)
            kid = _kid_of(public)
            if kid in self._verification_keys:
                raise ValueError(f"duplicate verification key {kid}")
            self._verification_keys[kid] = public

    @classmethod
    def load_or_create(cls, key_dir: Path, extra_public_keys: Iterable[OKPKey] = ()) -> KeyStore:
        """Load ``<key_dir>/signing-key.json`` of an owned directory, generating it first if it
        does not exist yet."""
        key_dir = Path(key_dir)
        _ensure_private_dir(key_dir)
        with _exclusive_lock(key_dir):
            path = key_dir / KEY_FILE_NAME
            if not path.exists():
                _write_atomically(path, _generate_private_jwk())
            return cls(_read_private_key(path), extra_public_keys)

    @classmethod
    def load(cls, key_dir: Path, extra_public_keys: Iterable[OKPKey] = ()) -> KeyStore:
        """Load ``<key_dir>/signing-key.json`` of a given directory: only read, never created."""
        return cls(_read_private_key(Path(key_dir) / KEY_FILE_NAME, given=True), extra_public_keys)

    @classmethod
    def from_settings(cls, settings: KeySettings) -> KeyStore:
        """The signing key of ``resolved_key_dir``: read if the directory is given from outside,
        else loaded or created."""
        if settings.key_dir_given:
            return cls.load(settings.resolved_key_dir)
        return cls.load_or_create(settings.resolved_key_dir)

    @property
    def kid(self) -> str:
        """The ``kid`` of the current signing key (its RFC 7638 thumbprint)."""
        return self._kid

    @property
    def signing_key(self) -> OKPKey:
        """The private key tokens are signed with. Never serialise it outside this module."""
        return self._signing_key

    def verification_key(self, kid: str) -> OKPKey | None:
        """The public key with this ``kid``, or None when we do not know it."""
        return self._verification_keys.get(kid)

    def public_jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The JWK Set of every verification key, with public members only."""
        keys = []
        for key in self._verification_keys.values():
            jwk = key.as_dict(private=False)
            # as_dict already drops private members; the explicit allow-list keeps that true
            # even if a future joserfc adds a member it does not classify as private.
            keys.append({name: jwk[name] for name in _PUBLIC_MEMBERS if name in jwk})
        return {"keys": keys}


def _kid_of(key: OKPKey) -> str:
    kid = key.kid
    assert kid is not None, "_with_parameters always sets a kid"
    return kid


def _with_parameters(key: OKPKey, *, private: bool) -> OKPKey:
    """A copy of an Ed25519 key carrying our kid/alg/use, private or public as asked."""
    if key.curve_name != CURVE:
        raise ValueError(f"expected an {CURVE} key, got {key.curve_name}")
    raw = key.private_key if private else key.public_key
    if raw is None:
        raise ValueError("the signing key must be a private key")
    # The kid is computed from crv/kty/x only, so it is the same for both halves of a pair.
    kid = key.thumbprint()
    return OKPKey.import_key(raw, {**_KEY_PARAMETERS, "kid": kid})


def _generate_private_jwk() -> dict[str, Any]:
    key = OKPKey.generate_key(CURVE, parameters=dict(_KEY_PARAMETERS), private=True)
    key.ensure_kid()  # kid = RFC 7638 thumbprint
    return dict(key.as_dict(private=True))


def _ensure_private_dir(key_dir: Path) -> None:
    try:
        key_dir.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        if not key_dir.is_dir():
            raise KeyStoreError(f"{key_dir} exists and is not a directory") from None
    else:
        # mkdir's mode is filtered by the umask; make sure we got exactly 0700.
        os.chmod(key_dir, 0o700)


@contextlib.contextmanager
def _exclusive_lock(key_dir: Path) -> Iterator[None]:
    """Serialise key creation and edits between processes: an exclusive ``flock`` of the key
    directory itself (Linux locks a directory's open file like any other), so that no lock file
    is left beside the keys. Released when the descriptor closes, also when its process dies.
    Not re-entrant: a process holding it must not take it again."""
    fd = os.open(key_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write_atomically(path: Path, jwk: dict[str, Any]) -> None:
    """Write the JWK to a 0600 temporary file, fsync it, and rename it into place."""
    # mkstemp creates the file with mode 0600 and O_EXCL, in the same directory so that
    # os.replace is an atomic rename on the same filesystem.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as tmp:
            json.dump(jwk, tmp)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable, so a crash cannot leave a node with a key that
    # disappears on reboot after tokens were already signed with it.
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def unreadable_key_message(what: str, path: Path, error: OSError) -> str:
    """One line for a key file that cannot be read, saying what to do."""
    if isinstance(error, FileNotFoundError):
        return (
            f"no {what}: {path} does not exist; a key directory given from outside is only "
            "read (PARTYPLAN_KEYS_READONLY, on in production): create the keys once with "
            "`partyplan keys init --key-dir DIR` and give every replica the same files there"
        )
    if isinstance(error, PermissionError):
        return (
            f"cannot read the {what} {path}: permission denied to uid {os.geteuid()}; make it "
            "readable by the service's user or group (Kubernetes: the Secret volume's "
            "defaultMode 0440 with the pod's fsGroup)"
        )
    return f"cannot read the {what} {path}: {error.strerror or type(error).__name__}"


def _read_private_key(path: Path, *, given: bool = False) -> OKPKey:
    """Load and check the private JWK: Ed25519, private, kid matching its thumbprint; 0600 in
    an owned directory, at most group-readable (0440) in a given one."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KeyStoreError(unreadable_key_message("token signing key", path, exc)) from None
    if given and mode & 0o027:
        raise KeyStoreError(
            f"{path} is writable by its group or accessible by others; chmod 440 (or 400) it"
        )
    if not given and mode & 0o077:
        raise KeyStoreError(f"{path} is accessible by group or others; chmod 600 it")
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        key = OKPKey.import_key(data)
    except (OSError, ValueError, JoseError) as exc:
        raise KeyStoreError(f"cannot load signing key {path}: {exc}") from exc
    if data.get("crv") != CURVE or not key.is_private:
        raise KeyStoreError(f"{path} does not hold a private {CURVE} key")
    if "kid" in data and data["kid"] != key.thumbprint():
        # A kid that is not the thumbprint means the file was edited by hand or mixed up.
        raise KeyStoreError(f"{path}: kid does not match the key's RFC 7638 thumbprint")
    return key
