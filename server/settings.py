"""Settings, read from the environment (prefix ``PARTYPLAN_``) and an optional ``.env`` file.

Every setting is documented in README.md; keep the two in step.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """Where the embedded database and the signing keys live unless told otherwise.

    As root the embedded server runs as a separate system user that must traverse every parent
    of the data directory, so the default is ``/var/lib/partyplan`` (never under a home
    directory, whose permissions we would otherwise have to open). As an ordinary user the server
    runs as that user and the data stays in the user's own data directory.
    """
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/lib/partyplan")
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "partyplan"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARTYPLAN_", env_file=".env", extra="ignore")

    environment: str = Field(
        default="development",
        description="development | production. Production turns GraphiQL and introspection off.",
    )
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = Field(
        default=None,
        description=(
            "Owner URL of an external PostgreSQL (migrations run as this role). "
            "Unset: the embedded server in data_dir is used."
        ),
    )
    app_database_url: str | None = Field(
        default=None,
        description="URL the service connects with. Unset: database_url with the user swapped "
        "for app_role (and app_password).",
    )
    app_role: str = "partyplan_app"
    app_password: str | None = None
    pool_size: int = Field(
        default=10,
        ge=1,
        description="Database connections per worker process; a request past them waits.",
    )

    key_dir: Path | None = Field(
        default=None, description="Where the token signing key lives; default data_dir/keys."
    )
    token_issuer: str = "partyplan"
    token_audience: str = "partyplan-api"
    token_leeway_seconds: int = Field(default=30, ge=0, le=300)
    token_max_ttl_seconds: int = 30 * 24 * 3600
    download_link_ttl_seconds: int = Field(
        default=300,
        ge=30,
        le=3600,
        description="How long a workbook's downloadUrl (a link opening that one file) works.",
    )

    # The doors (server/oauth): the issuer URL of the OAuth2 metadata and the lifetimes.
    public_url: str = Field(
        default="http://localhost:8000",
        description="The service's external base URL: the OAuth2 issuer and its endpoints. "
        "https, or http only on a loopback host.",
    )
    oauth_access_token_ttl_seconds: int = Field(default=900, ge=60, le=900)
    oauth_refresh_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=3600, le=90 * 24 * 3600)
    oauth_code_ttl_seconds: int = Field(default=60, ge=10, le=600)
    web_session_ttl_seconds: int = Field(default=8 * 3600, ge=300, le=7 * 24 * 3600)

    timezone: str = "Asia/Shanghai"

    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_body_bytes: int = 256 * 1024
    max_page_size: int = 200

    # What each caller may send (README "Limits and trusted documents"; a client's own limits
    # are its row's cost_budget and requests_per_minute).
    cost_budget: int = Field(
        default=1_000_000, ge=1, description="Cost budget of a token without a client."
    )
    cost_budget_untrusted: int = Field(
        default=10_000,
        ge=1,
        description="Cost budget of anonymous requests and of free text from a client's token.",
    )
    rate_user_per_minute: int = Field(
        default=600, ge=0, description="Requests a minute per user (0: no limit)."
    )
    rate_anonymous_per_minute: int = Field(
        default=300, ge=0, description="Requests a minute per address without a token (0: none)."
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis holding the rate limits for every replica; unset: in process.",
    )
    redis_prefix: str = "partyplan:rate:"
    redis_timeout_seconds: float = Field(default=0.2, gt=0, le=5)
    cors_cache_seconds: float = Field(
        default=5,
        ge=0,
        le=300,
        description="How long the allowed CORS origins (the active clients') are cached in a "
        "process; a change made in the same process applies at once.",
    )

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        """An issuer identifier (RFC 8414): https, no query or fragment; plain http only on a
        loopback host (a developer's machine). The endpoints are built from it, so no trailing
        slash is kept."""
        parts = urlsplit(value)
        loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
        if (
            not parts.hostname
            or parts.query
            or parts.fragment
            or parts.username is not None
            or not (parts.scheme == "https" or (parts.scheme == "http" and loopback))
        ):
            raise ValueError("public_url must be an https URL (http only on a loopback host)")
        return value.rstrip("/")

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def resolved_key_dir(self) -> Path:
        return self.key_dir or self.data_dir / "keys"


@lru_cache
def get_settings() -> Settings:
    return Settings()
