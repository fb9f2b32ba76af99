"""Random credentials the platform hands out once and keeps only as digests: client secrets,
authorization codes, refresh tokens, sign-in session ids.

Each is 256 random bits, so a plain SHA-256 digest is as strong as a slow password hash would
be (nothing to brute-force) and costs microseconds on every token request. Comparison of
digests is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_secret() -> str:
    """43 URL-safe characters: 256 bits from the operating system's generator."""
    return secrets.token_urlsafe(32)


def digest(value: str) -> bytes:
    """The stored form of ``value`` (any string; a lone surrogate cannot match anything)."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


def matches(stored: bytes | None, presented: str) -> bool:
    return stored is not None and hmac.compare_digest(stored, digest(presented))
