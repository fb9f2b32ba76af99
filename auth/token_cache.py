"""Verified access tokens, remembered per process so that a token's signature and claims are
checked once, not on every request it is sent with.

Invariants:

* Only a token that :meth:`SignedTokens.decode` accepted is ever put here (the caller puts it
  after verifying it): a bad signature, an unknown key or a refused claim is never remembered,
  so it is refused again, in full, every time.
* An entry is keyed by the SHA-256 digest of the whole token string: two different strings
  never share an entry (a token differing in one byte of its signature is a miss, verified —
  and refused — on its own).
* An entry answers only for ``verified_at <= now < exp``: never past the token's ``exp`` (an
  expired token is verified again, and refused), never before the moment it was verified (the
  time checks of the claims — nbf, iat not in the future — hold for every later moment, not for
  an earlier one).
* An entry answers only while the key that verified it is still the key held under its
  ``kid``: a key dropped or replaced ends every entry it verified.
* At most ``maxsize`` entries (least recently used first out).
* It replaces the signature and claims check only. Whether the token still stands — its user
  active, its client active, its grant and its id not revoked — is asked of the database on
  every request, at bind (``tenants/binding.py``), cached or not.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from joserfc.jwk import OKPKey

C = TypeVar("C")

__all__ = ["VerifiedTokenCache"]


@dataclass(frozen=True, slots=True)
class _Entry(Generic[C]):
    claims: C
    verified_at: int
    expires_at: int
    kid: str
    key: OKPKey


class VerifiedTokenCache(Generic[C]):
    """An LRU of verified tokens' claims by the token's SHA-256 digest (see the module's
    invariants). Safe to share between threads."""

    def __init__(self, maxsize: int) -> None:
        if maxsize <= 0:
            raise ValueError("maxsize must be positive")
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[bytes, _Entry[C]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def digest(token: str) -> bytes:
        # surrogatepass: total over every str (a header never carries a lone surrogate, but
        # verify() takes any string) and still one byte string per string.
        return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()

    def get(self, digest: bytes, now: int, key_of: Callable[[str], OKPKey | None]) -> C | None:
        """The claims remembered under ``digest`` if they answer for ``now`` and their key is
        still held; else None (and the entry, if any, is dropped)."""
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                self.misses += 1
                return None
            if (
                not entry.verified_at <= now < entry.expires_at
                or key_of(entry.kid) is not entry.key
            ):
                del self._entries[digest]
                self.misses += 1
                return None
            self._entries.move_to_end(digest)
            self.hits += 1
            return entry.claims

    def put(
        self, digest: bytes, claims: C, *, verified_at: int, expires_at: int, kid: str, key: OKPKey
    ) -> None:
        """Remember ``claims``, which were just verified at ``verified_at`` with ``key``."""
        if expires_at <= verified_at:
            return  # answers for no moment
        entry = _Entry(claims, verified_at, expires_at, kid, key)
        with self._lock:
            self._entries[digest] = entry
            self._entries.move_to_end(digest)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
