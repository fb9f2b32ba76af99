"""Bearer access tokens: EdDSA-signed JWTs in the RFC 9068 (``at+jwt``) style.

Invariants:

* Only ``alg: EdDSA`` is ever accepted, and only with a key we hold under the token's ``kid``;
  ``none``, HMAC (including the "public key as HMAC secret" confusion) and every other
  algorithm are refused before any key is used.
* A token verifies only if it carries iss, aud, sub, iat, exp and jti, names our issuer and
  audience, is inside [nbf, exp) give or take the leeway, and does not live longer than
  ``max_ttl_seconds`` (+ leeway).
* :meth:`TokenService.verify` raises :class:`TokenError` and nothing else, whatever the input.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    KeyParameterError,
    MissingAlgorithmError,
    MissingClaimError,
    UnsupportedAlgorithmError,
)
from joserfc.jwk import OKPKey
from joserfc.jws import JWSRegistry
from joserfc.jwt import JWTClaimsRegistry
from joserfc.registry import JWS_HEADER_REGISTRY

from .keys import ALGORITHM, KeyStore
from .token_cache import VerifiedTokenCache

if TYPE_CHECKING:
    from joserfc.jwa import JWSAlgModel
    from joserfc.jwk import GuestProtocol


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

#: The algorithm allow-list. Never derived from the token or the key.
ALLOWED_ALGORITHMS: tuple[str, ...] = (ALGORITHM,)
TOKEN_TYPE = "at+jwt"
# RFC 9068 section 4: "at+jwt", or its full media type, compared case-insensitively.
_ACCEPTED_TYPES = frozenset({TOKEN_TYPE, "application/at+jwt"})
#: Same upper bound as Settings.token_leeway_seconds.
MAX_LEEWAY_SECONDS = 300
# Our tokens are a few hundred bytes; refusing long input up front keeps garbage cheap.
MAX_TOKEN_LENGTH = 8192
_TIME_CLAIMS = ("exp", "iat", "nbf")
_INTEGER_CLAIMS = (*_TIME_CLAIMS, "gid")
_OPTIONAL_STRING_CLAIMS = ("client_id", "scope")

TokenErrorReason = Literal[
    "expired",
    "bad_signature",
    "bad_algorithm",
    "malformed",
    "missing_claim",
    "bad_issuer",
    "bad_audience",
    "not_yet_valid",
    "unknown_key",
    "ttl_too_long",
    "wrong_type",
]


class TokenError(Exception):
    """A token was refused. ``reason`` is a short machine-readable code.

    The message never contains the token or its claims, so it is safe to log.
    """

    def __init__(self, reason: TokenErrorReason, detail: str | None = None) -> None:
        self.reason: TokenErrorReason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


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


class _AccessTokenRegistry(JWSRegistry):
    """The JWS registry for our tokens: a mandatory allow-list and only the headers we emit.

    joserfc uses a registry passed to ``jwt.decode`` *instead of* its ``algorithms`` argument,
    so the allow-list has to live here too.
    """

    # Dropping "b64", "crit", "jku", "jwk", "x5u", "x5c", ... means a token carrying any of
    # them is refused (strict_check_header), so no header we never produce can change how a
    # token is parsed or which key is used.
    default_header_registry = {name: JWS_HEADER_REGISTRY[name] for name in ("alg", "kid", "typ")}

    def get_alg(self, name: str) -> JWSAlgModel:
        # joserfc would fall back to its "recommended" list for an empty allow-list; we refuse.
        if not self.allowed or name not in self.allowed or name not in self.algorithms:
            raise UnsupportedAlgorithmError(f"Algorithm '{name}' is not allowed")
        # The base class warns (SecurityWarning, "EdDSA is deprecated via RFC 9864") on every
        # sign and verify because RFC 9864 prefers the fully specified name "Ed25519". Our keys
        # are Ed25519 only, so "EdDSA" is unambiguous; and under `-W error` that warning would
        # escape verify() as an exception. Hence no call to super().get_alg().
        return self.algorithms[name]


_REGISTRY = _AccessTokenRegistry(algorithms=ALLOWED_ALGORITHMS)


class SignedTokens:
    """One kind of JWT the platform signs with its Ed25519 keys: access tokens
    (:class:`TokenService`), download links (``auth/links.py``). Each kind has its own ``typ``
    and audience, so that no token of one kind passes for another.

    :meth:`decode` holds the module's invariants for every kind: EdDSA only, a key we hold under
    the token's ``kid``, the kind's ``typ``, integer and string claims of the right types, iss,
    aud, sub, iat, exp and jti essential (with any claim the caller requires, by value), inside
    [nbf, exp) give or take the leeway, and no longer-lived than ``max_ttl_seconds``. It raises
    :class:`TokenError` and nothing else, whatever the input.
    """

    def __init__(
        self,
        keys: KeyStore,
        *,
        issuer: str,
        audience: str,
        typ: str,
        accepted_types: frozenset[str],
        leeway_seconds: int,
        max_ttl_seconds: int,
        integer_claims: tuple[str, ...],
        string_claims: tuple[str, ...],
    ) -> None:
        if not issuer or not audience:
            raise ValueError("issuer and audience must be non-empty")
        if not 0 <= leeway_seconds <= MAX_LEEWAY_SECONDS:
            raise ValueError(f"leeway_seconds must be within 0..{MAX_LEEWAY_SECONDS}")
        if max_ttl_seconds <= 0:
            raise ValueError("max_ttl_seconds must be positive")
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.typ = typ
        self.leeway = leeway_seconds
        self.max_ttl = max_ttl_seconds
        self._accepted_types = accepted_types
        self._integer_claims = integer_claims
        self._string_claims = string_claims

    def sign(self, subject: str, issued_at: int, expires_at: int, **extra: Any) -> str:
        """A token for ``subject`` valid over [issued_at, expires_at), with the registered
        claims and ``extra`` (a claim whose value is None is left out)."""
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": issued_at,
            "nbf": issued_at,
            "exp": expires_at,
            "jti": secrets.token_urlsafe(16),
        }
        claims.update({name: value for name, value in extra.items() if value is not None})
        header = {"alg": ALGORITHM, "kid": self.keys.kid, "typ": self.typ}
        return jwt.encode(
            header, claims, self.keys.signing_key, algorithms=ALLOWED_ALGORITHMS, registry=_REGISTRY
        )

    def decode(self, token: str, now: int, **required: Any) -> dict[str, Any]:
        """The claims of a valid token of this kind, ``required`` claims equal to their values;
        TokenError for anything else."""
        return self.decode_keyed(token, now, **required)[0]

    def decode_keyed(self, token: str, now: int, **required: Any) -> tuple[dict[str, Any], str]:
        """:meth:`decode`, with the ``kid`` of the key that verified the token."""
        try:
            return self._decode(token, now, required)
        except TokenError:
            raise
        except JoseError as exc:
            raise _token_error(exc) from exc
        except Exception as exc:
            # joserfc 1.8 leaks TypeError (a header that is a JSON string, a non-list "crit")
            # and UnicodeEncodeError (lone surrogates) for some malformed input.
            # An unverifiable token is a 401, never a 500.
            raise TokenError("malformed", type(exc).__name__) from exc

    def _decode(self, token: str, now: int, required: dict[str, Any]) -> tuple[dict[str, Any], str]:
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            raise TokenError("malformed", "not a token")
        decoded = jwt.decode(
            token, self._key_for, algorithms=ALLOWED_ALGORITHMS, registry=_REGISTRY
        )
        typ = decoded.header.get("typ")
        if not isinstance(typ, str) or typ.lower() not in self._accepted_types:
            # RFC 9068 section 4: keeps any other JWT we sign (a download link, say) from being
            # replayed as this kind.
            raise TokenError("wrong_type", f"typ is not {self.typ}")
        claims = decoded.claims
        _check_claim_types(claims, self._integer_claims, self._string_claims)
        # joserfc's registry treats every claim as optional unless marked essential: without
        # "exp" here a token with no exp would never expire.
        essential: dict[str, Any] = {"essential": True}
        JWTClaimsRegistry(
            now=now,
            leeway=self.leeway,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            sub=essential,
            exp=essential,
            iat=essential,
            jti=essential,
            **{name: {"essential": True, "value": value} for name, value in required.items()},
        ).validate(claims)
        if claims["exp"] - claims["iat"] > self.max_ttl + self.leeway:
            raise TokenError("ttl_too_long")
        # _key_for found a key under it, so it is a string.
        return claims, decoded.header["kid"]

    def _key_for(self, obj: GuestProtocol) -> OKPKey:
        """Pick the verification key by ``kid``; joserfc calls this after the alg check."""
        kid = obj.headers().get("kid")
        key = self.keys.verification_key(kid) if isinstance(kid, str) else None
        if key is None:
            raise TokenError("unknown_key")
        return key


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


def _check_claim_types(
    claims: dict[str, Any], integers: tuple[str, ...], strings: tuple[str, ...]
) -> None:
    """Time claims and other integer claims must be integers, the string claims strings.

    Done before the registry so that its InvalidClaimError on nbf/iat can only mean "in the
    future" (the registry uses the same exception for a wrong type), and so that the claims have
    the types their dataclasses declare.
    """
    for name in integers:
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise TokenError("malformed", f"{name} is not an integer")
    for name in strings:
        value = claims.get(name)
        if value is not None and not isinstance(value, str):
            raise TokenError("malformed", f"{name} is not a string")


def _token_error(exc: JoseError) -> TokenError:
    """Map a joserfc exception to our reason codes; the order of the checks matters."""
    if isinstance(exc, BadSignatureError):
        return TokenError("bad_signature")
    if isinstance(exc, (UnsupportedAlgorithmError, MissingAlgorithmError, KeyParameterError)):
        # KeyParameterError covers a key whose kty/alg/use does not fit the header's alg.
        return TokenError("bad_algorithm", exc.error)
    if isinstance(exc, ExpiredTokenError):  # a subclass of ClaimError, test it first
        return TokenError("expired")
    if isinstance(exc, MissingClaimError):
        return TokenError("missing_claim", exc.claim)
    if isinstance(exc, InvalidClaimError):
        return TokenError(_INVALID_CLAIM_REASONS.get(exc.claim, "malformed"), exc.claim)
    # DecodeError, InvalidPayloadError, ExceededSizeError, header errors, ...
    return TokenError("malformed", exc.error)


_INVALID_CLAIM_REASONS: dict[str, TokenErrorReason] = {
    "iss": "bad_issuer",
    "aud": "bad_audience",
    # Types were checked beforehand, so these can only be "not yet" (nbf) / "in the future" (iat).
    "nbf": "not_yet_valid",
    "iat": "not_yet_valid",
}
