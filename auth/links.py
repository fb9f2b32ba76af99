"""Download links: short-lived, single-purpose tokens that open one workbook without a header.

A link is ``<path>?token=<JWT>``, the JWT signed with the platform's Ed25519 key exactly as an
access token is (``auth/tokens.py``), and checked with the same rigor, but it is another kind
of token and the two can never stand in for each other:

* Its header's ``typ`` is ``dl+jwt`` and its audience is the access tokens' audience with
  ``:download`` appended. The access-token verifier accepts only ``at+jwt`` and its own
  audience, so a link is no bearer token; this verifier accepts only ``dl+jwt`` and the link
  audience, so a bearer token opens no download.
* It names the one file it opens: ``path``, the canonical path of that workbook
  (:func:`report_workbook`, :func:`province_workbook`), compared exactly. A link for report 1
  opens neither report 2 nor a period's table.
* It lives ``ttl_seconds`` (a few minutes); a longer-lived one is refused even when signed.
* Only ``alg: EdDSA`` with a key we hold under the token's ``kid`` is accepted; iss, aud, sub,
  iat, exp, jti and path are essential; the clock leeway is bounded as for access tokens.
* It carries what the access token it was asked with carried (client, scope, grant, token id),
  so the download is bound exactly as that token's request was: narrowed to the client's
  scope, and refused once the client, grant or token is revoked or the user deactivated.

:meth:`LinkService.verify` raises :class:`LinkError` and nothing else, whatever the input, and
no message ever contains the token: it is a credential and stays out of logs.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any, Protocol

from joserfc import jwt
from joserfc.errors import InvalidClaimError, JoseError
from joserfc.jwk import OKPKey
from joserfc.jwt import JWTClaimsRegistry

from .keys import ALGORITHM, KeyStore
from .tokens import (
    _REGISTRY,
    ALLOWED_ALGORITHMS,
    MAX_LEEWAY_SECONDS,
    MAX_TOKEN_LENGTH,
    TokenError,
    _token_error,
)

__all__ = [
    "LINK_TYPE",
    "LinkClaims",
    "LinkError",
    "LinkService",
    "LinkSettings",
    "province_workbook",
    "report_workbook",
]

LINK_TYPE = "dl+jwt"
AUDIENCE_SUFFIX = ":download"
#: At most this long, whatever the settings: a link is for "click now", not for sharing.
MAX_TTL_SECONDS = 3600
_INTEGER_CLAIMS = ("exp", "iat", "nbf", "gid")
_STRING_CLAIMS = ("sub", "jti", "path", "client_id", "scope", "ati")


class LinkSettings(Protocol):
    """What the link service reads of the server's settings (``server.settings.Settings``)."""

    token_issuer: str
    token_audience: str
    token_leeway_seconds: int
    download_link_ttl_seconds: int


def report_workbook(report_id: int) -> str:
    """The path of a report's workbook (``GET`` route in ``server/exports.py``)."""
    return f"/reports/{report_id}.xlsx"


def province_workbook(period_id: int) -> str:
    """The path of a period's commission-wide table (``server/exports.py``)."""
    return f"/reports/periods/{period_id}/province.xlsx"


class LinkError(Exception):
    """A link was refused. ``reason`` is a short machine-readable code: a token error's reason
    (``expired``, ``bad_signature``, ...), ``wrong_type`` (not a link: an access token, say) or
    ``wrong_target`` (a link for another file). Never carries the token or its claims."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


@dataclass(frozen=True)
class LinkClaims:
    """The verified claims of a link; ``subject`` is the user id as a string."""

    subject: str
    path: str
    issued_at: int
    expires_at: int
    link_id: str
    client_id: str | None = None
    scope: str | None = None
    grant_id: int | None = None
    # The id of the access token the link was asked with (its revocation ends the link).
    token_id: str | None = None


class LinkService:
    """Mints and verifies download links with the keys of a :class:`KeyStore`."""

    def __init__(
        self,
        keys: KeyStore,
        *,
        issuer: str,
        audience: str,
        ttl_seconds: int,
        leeway_seconds: int,
    ) -> None:
        if not issuer or not audience:
            raise ValueError("issuer and audience must be non-empty")
        if not 0 < ttl_seconds <= MAX_TTL_SECONDS:
            raise ValueError(f"ttl_seconds must be within 1..{MAX_TTL_SECONDS}")
        if not 0 <= leeway_seconds <= MAX_LEEWAY_SECONDS:
            raise ValueError(f"leeway_seconds must be within 0..{MAX_LEEWAY_SECONDS}")
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._ttl = ttl_seconds
        self._leeway = leeway_seconds

    @classmethod
    def from_settings(cls, keys: KeyStore, settings: LinkSettings) -> LinkService:
        """Links signed with ``keys``, for the access tokens' issuer; their audience is the
        access tokens' with ``:download`` appended, so it never equals it."""
        return cls(
            keys,
            issuer=settings.token_issuer,
            audience=settings.token_audience + AUDIENCE_SUFFIX,
            ttl_seconds=settings.download_link_ttl_seconds,
            leeway_seconds=settings.token_leeway_seconds,
        )

    @property
    def ttl_seconds(self) -> int:
        return self._ttl

    def mint(
        self,
        subject: str,
        path: str,
        *,
        client_id: str | None = None,
        scope: str | None = None,
        grant_id: int | None = None,
        token_id: str | None = None,
        not_after: int | None = None,
        now: int | None = None,
    ) -> str:
        """A link token for ``subject`` opening ``path`` only, valid ``ttl_seconds`` from now,
        or until ``not_after`` (the expiry of the token it was asked with) if that is sooner."""
        if not subject or not path.startswith("/"):
            raise ValueError("a link needs a subject and an absolute path")
        issued_at = int(time.time()) if now is None else now
        expires_at = issued_at + self._ttl
        if not_after is not None:
            expires_at = min(expires_at, not_after)
        claims: dict[str, Any] = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": subject,
            "path": path,
            "iat": issued_at,
            "nbf": issued_at,
            "exp": expires_at,
            "jti": secrets.token_urlsafe(16),
        }
        optional = {"client_id": client_id, "scope": scope, "gid": grant_id, "ati": token_id}
        claims.update({name: value for name, value in optional.items() if value is not None})
        header = {"alg": ALGORITHM, "kid": self._keys.kid, "typ": LINK_TYPE}
        return jwt.encode(
            header,
            claims,
            self._keys.signing_key,
            algorithms=ALLOWED_ALGORITHMS,
            registry=_REGISTRY,
        )

    def verify(self, token: str, path: str, *, now: int | None = None) -> LinkClaims:
        """The claims of a link that opens ``path`` (the canonical path of the file asked for);
        LinkError for anything else."""
        try:
            return self._verify(token, path, int(time.time()) if now is None else now)
        except LinkError:
            raise
        except TokenError as exc:
            raise LinkError(exc.reason, exc.detail) from None
        except InvalidClaimError as exc:
            if exc.claim == "path":
                raise LinkError("wrong_target", "the link opens another file") from None
            raise LinkError(_token_error(exc).reason, exc.claim) from None
        except JoseError as exc:
            raise LinkError(_token_error(exc).reason) from None
        except Exception as exc:
            # joserfc leaks TypeError / UnicodeEncodeError for some malformed input: a refused
            # link, never a 500 (and never the token in a traceback's message).
            raise LinkError("malformed", type(exc).__name__) from None

    def _verify(self, token: str, path: str, now: int) -> LinkClaims:
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            raise LinkError("malformed", "not a token")
        decoded = jwt.decode(
            token, self._key_for, algorithms=ALLOWED_ALGORITHMS, registry=_REGISTRY
        )
        typ = decoded.header.get("typ")
        if not isinstance(typ, str) or typ.lower() != LINK_TYPE:
            raise LinkError("wrong_type", "typ is not dl+jwt")
        claims = decoded.claims
        _check_claim_types(claims)
        essential: dict[str, Any] = {"essential": True}
        JWTClaimsRegistry(
            now=now,
            leeway=self._leeway,
            iss={"essential": True, "value": self._issuer},
            aud={"essential": True, "value": self._audience},
            path={"essential": True, "value": path},
            sub=essential,
            exp=essential,
            iat=essential,
            jti=essential,
        ).validate(claims)
        if claims["exp"] - claims["iat"] > self._ttl + self._leeway:
            raise LinkError("ttl_too_long")
        return LinkClaims(
            subject=claims["sub"],
            path=claims["path"],
            issued_at=claims["iat"],
            expires_at=claims["exp"],
            link_id=claims["jti"],
            client_id=claims.get("client_id"),
            scope=claims.get("scope"),
            grant_id=claims.get("gid"),
            token_id=claims.get("ati"),
        )

    def _key_for(self, obj: Any) -> OKPKey:
        kid = obj.headers().get("kid")
        key = self._keys.verification_key(kid) if isinstance(kid, str) else None
        if key is None:
            raise LinkError("unknown_key")
        return key


def _check_claim_types(claims: dict[str, Any]) -> None:
    """Integers where integers belong, strings elsewhere: before the registry, whose
    InvalidClaimError must mean "wrong value", and so LinkClaims holds the types it declares."""
    for name in _INTEGER_CLAIMS:
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise LinkError("malformed", f"{name} is not an integer")
    for name in _STRING_CLAIMS:
        value = claims.get(name)
        if value is not None and not isinstance(value, str):
            raise LinkError("malformed", f"{name} is not a string")
