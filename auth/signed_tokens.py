"""The JWTs the platform signs with its Ed25519 keys, of every kind: how one is signed and how
one is checked. The kinds are access tokens (``auth/tokens.py``) and download links
(``auth/links.py``); each is a :class:`SignedTokens` with its own ``typ`` and audience.

Invariants, for every kind:

* Only ``alg: EdDSA`` is ever accepted, and only with a key we hold under the token's ``kid``;
  ``none``, HMAC (including the "public key as HMAC secret" confusion) and every other
  algorithm are refused before any key is used. The allow-list is a constant here, never
  derived from the token or the key.
* Only the headers we emit (alg, kid, typ) are understood; a token carrying any other is
  refused, and one whose ``typ`` is not its kind's is refused, so no kind passes for another.
* A token verifies only if its claims have the types we declare, it carries iss, aud, sub,
  iat, exp and jti (and whatever the caller requires, by value), names the kind's issuer and
  audience, is inside [nbf, exp) give or take the leeway, and does not live longer than
  ``max_ttl_seconds`` (+ leeway).
* :meth:`SignedTokens.decode` raises :class:`~.token_errors.TokenError` and nothing else,
  whatever the input.

Imports: ``auth.keys`` and ``auth.token_errors`` only.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from joserfc import jwt
from joserfc.errors import JoseError, UnsupportedAlgorithmError
from joserfc.jwk import OKPKey
from joserfc.jws import JWSRegistry
from joserfc.jwt import JWTClaimsRegistry
from joserfc.registry import JWS_HEADER_REGISTRY

from .keys import ALGORITHM, KeyStore
from .token_errors import TokenError, from_jose_error

if TYPE_CHECKING:
    from joserfc.jwa import JWSAlgModel
    from joserfc.jwk import GuestProtocol

__all__ = ["ALLOWED_ALGORITHMS", "MAX_LEEWAY_SECONDS", "MAX_TOKEN_LENGTH", "SignedTokens"]

#: The algorithm allow-list. Never derived from the token or the key.
ALLOWED_ALGORITHMS: tuple[str, ...] = (ALGORITHM,)
#: Same upper bound as Settings.token_leeway_seconds.
MAX_LEEWAY_SECONDS = 300
# Our tokens are a few hundred bytes; refusing long input up front keeps garbage cheap.
MAX_TOKEN_LENGTH = 8192


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
    (``auth/tokens.py``), download links (``auth/links.py``). Each kind has its own ``typ``
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
            raise from_jose_error(exc) from exc
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
