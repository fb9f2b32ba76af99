"""The settings of keys, tokens and signing in: the key directory and the PII key, the tokens'
claims and lifetimes, the OAuth2 doors (server/oauth) and a province's own OpenID Connect
provider.

Sections of :class:`~partyplan.server.settings.Settings`, which is the only class to
instantiate: each checks its own values one by one; that an OpenID Connect issuer comes with a
client id, and the values derived from the environment (``key_dir_given``) or the data directory
(``resolved_key_dir``), are Settings' own.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, field_validator

__all__ = ["DoorSettings", "KeySettings", "secure_url"]


def secure_url(value: str) -> bool:
    """An https URL, or plain http on a loopback host only (a developer's machine), with a host
    and no query, fragment or credentials: the shape of an issuer identifier (RFC 8414, OpenID
    Connect Discovery) and of the endpoints we are sent to."""
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return False
    loopback = host in ("localhost", "127.0.0.1", "::1")
    return bool(
        host
        and not parts.query
        and not parts.fragment
        and parts.username is None
        and (parts.scheme == "https" or (parts.scheme == "http" and loopback))
    )


class KeySettings(BaseModel):
    """Where the signing and PII keys come from, and what a token must say."""

    key_dir: Path | None = Field(
        default=None,
        description="Where the token signing key (and the PII key file) live; default "
        "data_dir/keys.",
    )
    keys_readonly: bool | None = Field(
        default=None,
        description="The key directory is given from outside (a mounted Secret): only read, "
        "never created, locked or written; a missing key stops the start. Unset: true in "
        "production, false in development.",
    )
    pii_key: SecretStr | None = Field(
        default=None,
        description="The PII key file's content (JSON, as `partyplan keys init` writes it). "
        "Unset: the file pii-key in the key directory. Required one way or the other in "
        "production; development generates one in an owned key directory.",
    )
    token_issuer: str = "partyplan"
    token_audience: str = "partyplan-api"
    token_leeway_seconds: int = Field(default=30, ge=0, le=300)
    token_max_ttl_seconds: int = 30 * 24 * 3600
    token_cache_size: int = Field(
        default=10_000,
        ge=0,
        le=1_000_000,
        description="Verified access tokens each worker process remembers (LRU, each until its "
        "exp at most), so that a token's signature is checked once, not on every request; "
        "revocation is still asked of the database on every request. 0: no cache.",
    )

    # An empty variable means unset: never the current directory, never an empty key.
    @field_validator("key_dir", "keys_readonly", "pii_key", mode="before")
    @classmethod
    def _key_unset_when_empty(cls, value: object) -> object:
        return None if value == "" else value


class DoorSettings(BaseModel):
    """The doors (server/oauth): the issuer URL of the OAuth2 metadata and the lifetimes; and
    signing in through a province's own OpenID Connect provider (server/oauth/upstream.py,
    README "Signing in and OAuth2"), off unless oidc_issuer is set."""

    public_url: str = Field(
        default="http://localhost:8000",
        description="The service's external base URL: the OAuth2 issuer and its endpoints. "
        "https, or http only on a loopback host.",
    )
    oauth_access_token_ttl_seconds: int = Field(default=900, ge=60, le=900)
    oauth_refresh_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=3600, le=90 * 24 * 3600)
    oauth_code_ttl_seconds: int = Field(default=60, ge=10, le=600)
    web_session_ttl_seconds: int = Field(default=8 * 3600, ge=300, le=7 * 24 * 3600)

    oidc_issuer: str | None = Field(
        default=None,
        description="The provider's issuer identifier; its metadata is read from "
        "<issuer>/.well-known/openid-configuration. https (http only on a loopback host).",
    )
    oidc_client_id: str | None = Field(
        default=None, description="Our client id at the provider (required with oidc_issuer)."
    )
    oidc_client_secret: str | None = Field(
        default=None, description="Our client secret at the provider; unset: a public client."
    )
    oidc_claim: str = Field(
        default="preferred_username",
        description="The ID token (or userinfo) claim whose value is the account's username.",
    )
    oidc_scope: str = Field(default="openid profile", description="Scopes asked of the provider.")
    oidc_display_name: str = Field(
        default="省统一身份认证", description="The provider's name on the sign-in button."
    )
    oidc_timeout_seconds: float = Field(default=5, gt=0, le=30)

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        """An issuer identifier (RFC 8414): https, no query or fragment; plain http only on a
        loopback host (a developer's machine). The endpoints are built from it, so no trailing
        slash is kept."""
        if not secure_url(value):
            raise ValueError("public_url must be an https URL (http only on a loopback host)")
        return value.rstrip("/")

    @field_validator("oidc_issuer", "oidc_client_id", "oidc_client_secret", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("oidc_issuer")
    @classmethod
    def _oidc_issuer(cls, value: str | None) -> str | None:
        """Kept exactly as given: the provider's metadata must name the very same string."""
        if value is not None and not secure_url(value):
            raise ValueError("oidc_issuer must be an https URL (http only on a loopback host)")
        return value

    @field_validator("oidc_claim", "oidc_client_id")
    @classmethod
    def _oidc_name(cls, value: str | None) -> str | None:
        if value is not None and not (
            0 < len(value) <= 255 and value.isascii() and value.isprintable() and " " not in value
        ):
            raise ValueError("must be printable ASCII without spaces")
        return value

    @field_validator("oidc_scope")
    @classmethod
    def _oidc_scope(cls, value: str) -> str:
        scopes = value.split()
        if "openid" not in scopes or not all(s.isascii() and s.isprintable() for s in scopes):
            raise ValueError("oidc_scope must include openid (ASCII scopes, space-separated)")
        return " ".join(scopes)

    @field_validator("oidc_display_name")
    @classmethod
    def _oidc_display_name(cls, value: str) -> str:
        value = value.strip()
        if not 0 < len(value) <= 40 or not value.isprintable():
            raise ValueError("oidc_display_name must be 1 to 40 printable characters")
        return value
