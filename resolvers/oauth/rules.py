"""Pure rules of the doors: what a parameter may look like, which redirect URI and scope a
client may use, and what a presented code or refresh token is worth. No I/O; "now" is passed.

Redirect URIs match exactly, as strings: no normalisation of case, trailing slash, port or
query, since every tolerance is a way to send a code somewhere the client did not register.
A registered URI itself must be absolute http(s) without userinfo or fragment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from urllib.parse import urlsplit

from partyplan.auth import scopes
from partyplan.auth.tokens import MAX_TOKEN_LENGTH

from .errors import OAuthError, OAuthErrorCode

#: Longest value of any OAuth2 parameter we read (RFC 6749 leaves it open): the longest token
#: the token service would even try to verify.
MAX_PARAMETER = MAX_TOKEN_LENGTH
#: Longest client_id we look up; anything longer cannot be one of ours.
MAX_CLIENT_ID = 128

FRONT_END = "front_end"
SERVICE = "service"


def is_vschar(value: str) -> bool:
    """RFC 6749 appendix A: every parameter the protocol defines (client_id, state, code,
    refresh_token, scope, redirect_uri as sent) is printable ASCII, %x20-7E. Anything else
    (NUL, control characters, lone surrogates, non-ASCII) is refused before it reaches SQL."""
    return len(value) <= MAX_PARAMETER and all(" " <= c <= "~" for c in value)


def plausible_client_id(client_id: str | None) -> bool:
    return bool(client_id) and len(client_id) <= MAX_CLIENT_ID and is_vschar(client_id)


@dataclass(frozen=True, slots=True)
class Client:
    """An active ``oauth_clients`` row as the doors use it."""

    pk: int
    client_id: str
    name: str
    kind: str
    secret_hash: bytes | None
    redirect_uris: tuple[str, ...]
    allowed_scopes: tuple[str, ...]
    unit_path: str
    service_user_id: int | None

    @property
    def public(self) -> bool:
        return self.kind == FRONT_END


def _well_formed_redirect(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
        port = parts.port  # raises on a port that is not a number
    except ValueError:
        return False
    del port
    return (
        parts.scheme in ("https", "http")
        and bool(parts.hostname)
        and parts.username is None
        and parts.password is None
        and "#" not in uri
    )


def redirect_registered(uri: str | None, client: Client) -> bool:
    """``uri`` is byte for byte one of the client's registered redirect URIs (and sound)."""
    return (
        uri is not None
        and is_vschar(uri)
        and uri in client.redirect_uris
        and _well_formed_redirect(uri)
    )


def _refused_scope(message: str) -> OAuthError:
    return OAuthError(OAuthErrorCode.INVALID_SCOPE, message, "scope")


def resolve_scope(requested: str | None, allowed: tuple[str, ...], *, default_all: bool) -> str:
    """The normalised scope (known names, each once, in ``auth.scopes`` order) of a request, if
    every name is allowed. No scope requested: all of ``allowed`` when ``default_all`` (a
    service asks for what it was registered for), else refused (a front end names what the
    user is asked to consent to)."""
    if requested is None or not requested.strip():
        if not default_all or not allowed:
            raise _refused_scope("name the scopes you request")
        requested = " ".join(allowed)
    try:
        names = scopes.parse(requested)
    except scopes.UnknownScope as error:
        raise _refused_scope("unknown scope") from error
    if not names or not set(names) <= set(allowed):
        raise _refused_scope("the scope exceeds what the client may request")
    return " ".join(names)


def narrow_scope(requested: str | None, granted: str) -> str:
    """RFC 6749 section 6: a refresh may ask for less than the grant, never more."""
    if requested is None or not requested.strip():
        return granted
    return resolve_scope(requested, tuple(granted.split()), default_all=False)


class Outcome(StrEnum):
    """What a presented code or refresh token is worth."""

    GOOD = "good"
    # Unknown, expired, another client's, or its grant revoked or expired: invalid_grant,
    # and nothing is written (another client's credential must not tell it exists).
    WORTHLESS = "worthless"
    # Already exchanged: whoever holds it may be a thief, so the whole grant is revoked.
    REUSED = "reused"


def judge_presented(
    *,
    found: bool,
    client_pk: int | None,
    presenting_client_pk: int,
    expires_at: datetime | None,
    spent: bool,
    grant_revoked: bool,
    grant_expires_at: datetime | None,
    now: datetime,
) -> Outcome:
    """One judgement for codes and refresh tokens. Reuse is judged before expiry: a spent
    credential presented again revokes its grant even once it has expired, but only when the
    client presenting it is the one it was issued to."""
    if not found or client_pk != presenting_client_pk:
        return Outcome.WORTHLESS
    if spent:
        return Outcome.REUSED
    assert expires_at is not None and grant_expires_at is not None
    if grant_revoked or expires_at <= now or grant_expires_at <= now:
        return Outcome.WORTHLESS
    return Outcome.GOOD


class Presented(Protocol):
    """A code's or refresh token's row as the repository reads it, with its grant's state."""

    client_pk: int
    expires_at: datetime
    grant_revoked_at: datetime | None
    grant_expires_at: datetime


def judge_row(
    row: Presented | None, *, spent: bool, presenting_client_pk: int, now: datetime
) -> Outcome:
    """:func:`judge_presented` of a row read by digest (None: no such credential)."""
    return judge_presented(
        found=row is not None,
        client_pk=None if row is None else row.client_pk,
        presenting_client_pk=presenting_client_pk,
        expires_at=None if row is None else row.expires_at,
        spent=spent,
        grant_revoked=row is not None and row.grant_revoked_at is not None,
        grant_expires_at=None if row is None else row.grant_expires_at,
        now=now,
    )


def access_token_ttl(now: datetime, grant_expires_at: datetime | None, longest: int) -> int:
    """An access token never outlives its grant: revoking is checked on every request, expiry
    of the grant is not, so the token's own ``exp`` must carry it."""
    if grant_expires_at is None:
        return longest
    left = int((grant_expires_at - now).total_seconds())
    return max(1, min(longest, left))


def check_repeated(new: str, repeat: str) -> None:
    """The change-password page asks for the new password twice (the change itself is
    ``access.service.change_password``'s)."""
    if new != repeat:
        raise OAuthError(OAuthErrorCode.PASSWORDS_DIFFER, "the two entries differ", "repeat")
