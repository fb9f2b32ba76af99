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

import time
from dataclasses import dataclass
from typing import Protocol

from .keys import KeyStore
from .tokens import SignedTokens, TokenError

__all__ = [
    "LINK_TYPE",
    "LinkClaims",
    "LinkError",
    "LinkService",
    "LinkSettings",
    "province_workbook",
    "report_workbook",
    "school_12371_workbook",
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


def school_12371_workbook(
    school_id: int, *, period_id: int | None = None, stage: str | None = None
) -> str:
    """The path of a school's 12371 export with its filters (``server/exports.py``), the query
    in one fixed order and only the filters given: a link for one stage or period opens no
    other, nor the unfiltered export."""
    query = "&".join(
        f"{name}={value}"
        for name, value in (("periodId", period_id), ("stage", stage))
        if value is not None
    )
    return f"/exports/12371/{school_id}.xlsx" + (f"?{query}" if query else "")


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
        if not 0 < ttl_seconds <= MAX_TTL_SECONDS:
            raise ValueError(f"ttl_seconds must be within 1..{MAX_TTL_SECONDS}")
        self._ttl = ttl_seconds
        self._links = SignedTokens(
            keys,
            issuer=issuer,
            audience=audience,
            typ=LINK_TYPE,
            accepted_types=frozenset({LINK_TYPE}),
            leeway_seconds=leeway_seconds,
            max_ttl_seconds=ttl_seconds,
            integer_claims=_INTEGER_CLAIMS,
            string_claims=_STRING_CLAIMS,
        )

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
        return self._links.sign(
            subject,
            issued_at,
            expires_at,
            path=path,
            client_id=client_id,
            scope=scope,
            gid=grant_id,
            ati=token_id,
        )

    def verify(self, token: str, path: str, *, now: int | None = None) -> LinkClaims:
        """The claims of a link that opens ``path`` (the canonical path of the file asked for);
        LinkError for anything else."""
        try:
            claims = self._links.decode(token, int(time.time()) if now is None else now, path=path)
        except TokenError as exc:
            if exc.reason == "malformed" and exc.detail == "path":
                raise LinkError("wrong_target", "the link opens another file") from None
            raise LinkError(exc.reason, exc.detail) from None
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
