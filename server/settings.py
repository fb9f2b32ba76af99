"""Settings, read from the environment (prefix ``PARTYPLAN_``) and an optional ``.env`` file.

Every setting is documented in README.md; keep the two in step.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from .database import async_url
from .errors import StartupRefused

#: The environments, exactly (no aliases): an unknown value stops the start.
Environment = Literal["development", "production"]
#: Where the database comes from, derived from which URLs are set (README "Settings"):
#: ``embedded`` neither URL; ``external`` the owner's URL (``DATABASE_URL``), with or without
#: the service's; ``service`` the service role's URL (``APP_DATABASE_URL``) alone.
DatabaseMode = Literal["embedded", "external", "service"]


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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARTYPLAN_", env_file=".env", extra="ignore")

    environment: Environment = Field(
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
    app_role: str = Field(
        default="partyplan_app",
        description="The service role: the migrations grant to it, the service connects as it.",
    )
    app_password: str | None = None
    migrate_on_start: bool | None = Field(
        default=None,
        description="Whether serve migrates the database at start (as the owner). Unset: yes "
        "with the embedded database or in development, no for an external database in "
        "production (the migration Job runs `partyplan db upgrade`); a database whose schema "
        "is behind is then refused.",
    )
    pool_size: int = Field(
        default=10,
        ge=1,
        description="Database connections per worker process; a request past them waits.",
    )
    replica_url: str | None = Field(
        default=None,
        description="A PostgreSQL streaming replica (hot standby) of the service's database, as "
        "the service role: the roll-up, report and export reads go there when it has replayed "
        "the caller's last write (docs/operations.md, Read replicas). Without a user, the "
        "service's credentials. Unset: every read goes to the primary.",
    )

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
    serve_loop: Literal["auto", "uvloop", "asyncio"] = Field(
        default="auto",
        description="serve's event loop: auto is uvloop when installed, else asyncio.",
    )
    serve_http: Literal["auto", "httptools", "h11"] = Field(
        default="auto",
        description="serve's HTTP parser: auto is httptools when installed, else h11.",
    )
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

    # Signing in through a province's own OpenID Connect provider (server/oauth/upstream.py,
    # README "Signing in and OAuth2"): off unless oidc_issuer is set.
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

    timezone: str = "Asia/Shanghai"

    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_body_bytes: int = 256 * 1024

    # Files uploaded through the GraphQL multipart request convention (import12371): the
    # request may carry one file of up to this size; every other body keeps max_body_bytes.
    import_max_bytes: int = Field(
        default=50 * 1024 * 1024,
        ge=1024,
        le=1024 * 1024 * 1024,
        description="Largest file `import12371` accepts (bytes); a larger one is refused "
        "before it is read.",
    )
    import_max_rows: int = Field(
        default=200_000,
        ge=1,
        le=10_000_000,
        description="Most rows a 12371 file may hold, all sheets together; the file is read "
        "a batch at a time and refused as soon as it holds more.",
    )
    max_page_size: int = 200

    # Attachments of recorded steps (docs/attachments.md): the largest file, and where the
    # bytes are kept (the data directory, or S3-compatible object storage when configured).
    attachment_max_bytes: int = Field(
        default=20 * 1024 * 1024,
        ge=1024,
        le=1024 * 1024 * 1024,
        description="Largest attachment accepted (bytes); a larger one is refused as it is read.",
    )
    attachment_store: Literal["filesystem", "s3"] = Field(
        default="filesystem",
        description="Where attachments are kept: `filesystem` (attachment_dir) or `s3`.",
    )
    attachment_dir: Path | None = Field(
        default=None, description="The filesystem store's directory; unset: data_dir/attachments."
    )
    s3_endpoint_url: str | None = Field(
        default=None, description="The S3-compatible endpoint (unset: the AWS default)."
    )
    s3_bucket: str | None = Field(default=None, description="The bucket attachments go to.")
    s3_region: str = "us-east-1"
    s3_access_key_id: SecretStr | None = None
    s3_secret_access_key: SecretStr | None = None

    # The change feed (README "Change feed").
    feed_max_page_size: int = Field(
        default=1000, ge=1, le=10_000, description="Largest `first:` of `changes`."
    )
    feed_retention_days: int = Field(
        default=30,
        ge=1,
        description="How long `partyplan feed prune` keeps changes; older cursors expire.",
    )

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
    sync_key_retention_days: int = Field(
        default=7,
        ge=7,
        description="How long a sync request's answer is kept for a retry with its idempotency "
        "key (at least 7 days); `partyplan sync prune` deletes older ones.",
    )
    reconciliation_retention_days: int = Field(
        default=30,
        ge=1,
        description="How long a reconciliation report never applied is kept; `partyplan sync "
        "prune` deletes older ones (an applied report is evidence and stays).",
    )

    # Logs, metrics and traces (server/observability, docs/operations.md "Logs and metrics").
    log_level: Literal["debug", "info", "warning", "error"] | None = Field(
        default=None,
        description="Least severe log records written: info shows an access line per request, "
        "debug the probes' too. Unset: info in production, warning in development.",
    )
    log_format: Literal["auto", "json", "text"] = Field(
        default="auto",
        description="auto: one JSON object a line in production, readable text otherwise.",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token Prometheus sends to /metrics (at least 16 characters). "
        "Unset: /metrics is open in development and refused in production.",
    )
    otel_exporter: Literal["none", "otlp", "console"] = Field(
        default="none",
        description="Where OpenTelemetry traces go: none (off), otlp (OTLP/HTTP, configured by "
        "the OTEL_EXPORTER_OTLP_* variables) or console; needs partyplan[tracing].",
    )
    otel_service_name: str = Field(default="partyplan", min_length=1, max_length=100)

    @field_validator("log_level", "log_format", "otel_exporter", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip().lower() or None  # empty: unset
        return value

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _metrics_token(cls, value: object) -> object:
        """At least 16 printable ASCII characters without spaces (it travels in a header)."""
        if value == "":
            return None
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(text, str) and not (
            16 <= len(text) <= 512 and text.isascii() and text.isprintable() and " " not in text
        ):
            raise ValueError("must be 16 to 512 printable ASCII characters without spaces")
        return value

    @model_validator(mode="after")
    def _tracing_installed(self) -> Settings:
        if self.otel_exporter != "none":
            from .observability.tracing import INSTALL_HINT, missing_module

            if missing_module(self.otel_exporter) is not None:
                raise ValueError(
                    f"otel_exporter={self.otel_exporter} needs the OpenTelemetry packages, "
                    f"which are not installed: {INSTALL_HINT}"
                )
        return self

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

    # An empty variable (``PARTYPLAN_DATABASE_URL=``, a manifest's empty value) means unset,
    # never a URL, a password or the current directory.
    @field_validator(
        "database_url",
        "app_database_url",
        "app_password",
        "key_dir",
        "migrate_on_start",
        "replica_url",
        mode="before",
    )
    @classmethod
    def _database_unset_when_empty(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("database_url", "app_database_url", "replica_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        """A PostgreSQL URL (postgresql://user:password@host:port/database). The value is never
        repeated in the message: it holds a password."""
        if value is None:
            return None
        try:
            async_url(value)
        except (ArgumentError, ValueError):
            raise ValueError("must be a postgresql:// URL") from None
        return value

    @field_validator("app_role")
    @classmethod
    def _app_role(cls, value: str) -> str:
        """Spelled into GRANT and CREATE ROLE statements unquoted: a plain lower-case name."""
        if not (
            0 < len(value) <= 63
            and value.isascii()
            and (value[0].isalpha() or value[0] == "_")
            and value.replace("_", "").isalnum()
            and value == value.lower()
        ):
            raise ValueError("must be a lower-case name of letters, digits and _")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Asia/Shanghai)") from None
        return value

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

    @model_validator(mode="after")
    def _attachment_store_complete(self) -> Settings:
        if self.attachment_store == "s3" and not self.s3_bucket:
            raise ValueError("attachment_store is s3: s3_bucket is required too")
        return self

    @model_validator(mode="after")
    def _oidc_complete(self) -> Settings:
        if self.oidc_issuer is not None and self.oidc_client_id is None:
            raise ValueError("oidc_issuer is set: oidc_client_id is required too")
        return self

    @model_validator(mode="after")
    def _database_consistent(self) -> Settings:
        """The database settings mean one thing (README "Settings"): the service connects as
        ``app_role`` (row-level security applies to it, never to the owner), and only the owner
        migrates."""
        if self.database_mode == "service" and self.migrate_on_start:
            raise ValueError(
                "PARTYPLAN_MIGRATE_ON_START=true needs PARTYPLAN_DATABASE_URL (the owner's URL): "
                "the service role cannot migrate"
            )
        owner = _url_user(self.database_url)
        if owner is not None and owner == self.app_role:
            raise ValueError(
                f"PARTYPLAN_DATABASE_URL connects as {owner!r}, the service role "
                "(PARTYPLAN_APP_ROLE): the owner must be another role"
            )
        if self.app_database_url is not None:
            user = _url_user(self.app_database_url)
            if user != self.app_role:
                raise ValueError(
                    f"PARTYPLAN_APP_DATABASE_URL connects as {user!r}, not as "
                    f"PARTYPLAN_APP_ROLE ({self.app_role!r}), the role the migrations grant to: "
                    "make them the same"
                )
        replica_user = _url_user(self.replica_url)
        if replica_user is not None and replica_user != self.app_role:
            raise ValueError(
                f"PARTYPLAN_REPLICA_URL connects as {replica_user!r}, not as PARTYPLAN_APP_ROLE "
                f"({self.app_role!r}): the replica is read as the service role, under the same "
                "row-level security"
            )
        if self.replica_url is not None and self.database_mode == "embedded":
            raise ValueError(
                "PARTYPLAN_REPLICA_URL needs an external primary (PARTYPLAN_DATABASE_URL or "
                "PARTYPLAN_APP_DATABASE_URL): the embedded server has no replica"
            )
        return self

    @property
    def database_mode(self) -> DatabaseMode:
        if self.database_url is not None:
            return "external"
        return "service" if self.app_database_url is not None else "embedded"

    @property
    def migrates_on_start(self) -> bool:
        """Whether ``serve`` migrates: as set, else the embedded database (the service owns it)
        and development do, production on an external database does not."""
        if self.migrate_on_start is not None:
            return self.migrate_on_start
        mode = self.database_mode
        return mode == "embedded" or (mode == "external" and not self.is_production)

    @property
    def oidc_enabled(self) -> bool:
        return self.oidc_issuer is not None

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def resolved_key_dir(self) -> Path:
        return self.key_dir or self.data_dir / "keys"

    @property
    def key_dir_given(self) -> bool:
        """Whether the key directory is given from outside, hence only read (auth/keys.py)."""
        return self.is_production if self.keys_readonly is None else self.keys_readonly

    @field_validator("keys_readonly", "pii_key", mode="before")
    @classmethod
    def _key_unset_when_empty(cls, value: object) -> object:
        return None if value == "" else value


def _url_user(url: str | None) -> str | None:
    return None if url is None else make_url(url).username


def describe(error: ValidationError) -> str:
    """One line naming each refused setting by its variable. Values are repeated only for the
    enumerations (URLs and passwords are secrets)."""
    parts = []
    for item in error.errors(include_url=False):
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["loc"]:
            name = f"PARTYPLAN_{str(item['loc'][0]).upper()}"
            given = f"={item['input']!r}" if item["type"] == "literal_error" else ""
            message = f"{name}{given}: {message[0].lower()}{message[1:]}"
        parts.append(message)
    return "; ".join(parts)


def load_settings(**overrides: Any) -> Settings:
    """The settings, or :class:`StartupRefused` with one line naming what is wrong."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise StartupRefused(describe(error)) from None


@lru_cache
def get_settings() -> Settings:
    return load_settings()
