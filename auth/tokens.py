"""Bearer access tokens: EdDSA-signed JWTs in the RFC 9068 (``at+jwt``) style.

Invariants:

* Only ``alg: EdDSA`` is ever accepted, and only with a key we hold under the token's ``kid``;
  ``none``, HMAC (including the "public key as HMAC secret" confusion) and every other
  algorithm are refused before any key is used.
* A token verifies only if it carries iss, aud, sub, iat, exp and jti, names our issuer and
  audience, is inside [nbf, exp) give or take the leeway, and does not live longer than
  ``max_ttl_seconds`` (+ leeway).
* :meth:`TokenService.verify` raises :class:`TokenError` and nothing else, whatever the input.

Where it is written: what every kind of JWT we sign is checked for (the invariants above,
each kind with its own ``typ``) in ``auth/signed_tokens.py``; :class:`TokenError` and its reasons in
``auth/token_errors.py``; here, what is particular to access tokens (their type, claims,
lifetime and the cache of verified ones). The names importers use are re-exported here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .keys import KeyStore

# Re-exported for the tests that forge tokens with the very registry verify uses, and for
# whoever read the leeway bound here before signed_tokens.py existed.
from .signed_tokens import _REGISTRY as _REGISTRY
from .signed_tokens import ALLOWED_ALGORITHMS, MAX_TOKEN_LENGTH, SignedTokens
from .signed_tokens import MAX_LEEWAY_SECONDS as MAX_LEEWAY_SECONDS
from .token_cache import VerifiedTokenCache
from .token_errors import TokenError, TokenErrorReason


class TokenSettings(Protocol):
    """What the token service reads of the server's settings (``server.settings.Settings``
    satisfies it); declared here so that ``auth`` never imports the composition root."""

    resolved_key_dir: Path
    key_dir_given: bool
    token_issuer: str
    token_audience: str
    token_leeway_seconds: int
    token_max_ttl_seconds: int
    token_cache_size: int


__all__ = [
    "ALLOWED_ALGORITHMS",
    "SignedTokens",
    "TokenClaims",
    "TokenError",
    "TokenErrorReason",
    "TokenService",
]

TOKEN_TYPE = "at+jwt"
# RFC 9068 section 4: "at+jwt", or its full media type, compared case-insensitively.
_ACCEPTED_TYPES = frozenset({TOKEN_TYPE, "application/at+jwt"})
_TIME_CLAIMS = ("exp", "iat", "nbf")
_INTEGER_CLAIMS = (*_TIME_CLAIMS, "gid")
_OPTIONAL_STRING_CLAIMS = ("client_id", "scope")


@dataclass(frozen=True)
class TokenClaims:
    """The verified claims of an access token; ``subject`` is the user id as a string."""

    subject: str
    issued_at: int
    expires_at: int
    token_id: str
    client_id: str | None
    scope: str | None
    # The OAuth2 grant (authorization) the token was issued from: revoking it ends the token.
    grant_id: int | None = None


class TokenService:
    """Mints and verifies access tokens with the keys of a :class:`KeyStore`.

    With ``cache_size`` > 0 it remembers the tokens it verified (``auth/token_cache.py``: by the
    token's SHA-256, never past its ``exp``, only while its key is held), so that a token sent
    with every request of a session is checked in full once per process. What the cache skips
    is this check alone: whether the token's user, client, grant and id still stand is asked
    of the database at every bind (``tenants/binding.py``), cached or not.
    """

    def __init__(
        self,
        keys: KeyStore,
        issuer: str,
        audience: str,
        leeway_seconds: int,
        max_ttl_seconds: int,
        cache_size: int = 0,
    ) -> None:
        self.cache: VerifiedTokenCache[TokenClaims] | None = (
            VerifiedTokenCache(cache_size) if cache_size > 0 else None
        )
        self._tokens = SignedTokens(
            keys,
            issuer=issuer,
            audience=audience,
            typ=TOKEN_TYPE,
            accepted_types=_ACCEPTED_TYPES,
            leeway_seconds=leeway_seconds,
            max_ttl_seconds=max_ttl_seconds,
            integer_claims=_INTEGER_CLAIMS,
            string_claims=_OPTIONAL_STRING_CLAIMS,
        )

    @classmethod
    def from_settings(cls, settings: TokenSettings) -> TokenService:
        """Build the service from settings: the key in resolved_key_dir, only read when the
        directory is given from outside, else loaded or created (auth/keys.py)."""
        return cls(
            KeyStore.from_settings(settings),
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            leeway_seconds=settings.token_leeway_seconds,
            max_ttl_seconds=settings.token_max_ttl_seconds,
            cache_size=settings.token_cache_size,
        )

    def mint(
        self,
        subject: str,
        ttl_seconds: int,
        *,
        client_id: str | None = None,
        scope: str | None = None,
        grant_id: int | None = None,
        now: int | None = None,
    ) -> str:
        """Sign a token for ``subject`` valid from ``now`` for ``ttl_seconds``.

        Raises ValueError for an empty subject or a ttl outside 1..max_ttl_seconds.
        """
        if not subject:
            raise ValueError("subject must be non-empty")
        if ttl_seconds <= 0 or ttl_seconds > self._tokens.max_ttl:
            raise ValueError(f"ttl_seconds must be within 1..{self._tokens.max_ttl}")
        issued_at = int(time.time()) if now is None else now
        return self._tokens.sign(
            subject,
            issued_at,
            issued_at + ttl_seconds,
            client_id=client_id,
            scope=scope,
            gid=grant_id,
        )

    def verify(self, token: str, *, now: int | None = None) -> TokenClaims:
        """Check signature, algorithm, key and claims; return the claims or raise TokenError.
        A token this service verified before answers from the cache while it may (see the
        class), with the same claims."""
        at = int(time.time()) if now is None else now
        cache = self.cache
        if cache is None:
            return _token_claims(self._tokens.decode(token, at))
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            raise TokenError("malformed", "not a token")  # as decode: nothing to hash
        digest = cache.digest(token)
        keys = self._tokens.keys
        remembered = cache.get(digest, at, keys.verification_key)
        if remembered is not None:
            return remembered
        claims, kid = self._tokens.decode_keyed(token, at)  # TokenError: never remembered
        verified = _token_claims(claims)
        key = keys.verification_key(kid)
        if key is not None:
            cache.put(
                digest, verified, verified_at=at, expires_at=verified.expires_at, kid=kid, key=key
            )
        return verified


def _token_claims(claims: dict[str, Any]) -> TokenClaims:
    return TokenClaims(
        subject=claims["sub"],
        issued_at=claims["iat"],
        expires_at=claims["exp"],
        token_id=claims["jti"],
        client_id=claims.get("client_id"),
        scope=claims.get("scope"),
        grant_id=claims.get("gid"),
    )
