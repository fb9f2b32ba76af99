"""The settings of serving requests: serve's event loop and parser, the calendar day, what one
request may ask and carry, where uploaded attachments are kept, the change feed's pages and
retention, and what each caller may send (budgets, rates, retention of sync answers).

Sections of :class:`~partyplan.server.settings.Settings`, which is the only class to
instantiate; that an ``s3`` attachment store names its bucket is Settings' check, made once
every value is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, field_validator

__all__ = [
    "AttachmentSettings",
    "CallerLimitSettings",
    "FeedSettings",
    "RequestSettings",
    "ServeSettings",
]


class ServeSettings(BaseModel):
    """How ``serve`` runs, and how long a download link opens its file."""

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


class RequestSettings(BaseModel):
    """What "today" means, and what one GraphQL request may ask and carry."""

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

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Asia/Shanghai)") from None
        return value


class AttachmentSettings(BaseModel):
    """Attachments of recorded steps (docs/attachments.md): the largest file, and where the
    bytes are kept (the data directory, or S3-compatible object storage when configured)."""

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


class FeedSettings(BaseModel):
    """The change feed (README "Change feed")."""

    feed_max_page_size: int = Field(
        default=1000, ge=1, le=10_000, description="Largest `first:` of `changes`."
    )
    feed_retention_days: int = Field(
        default=30,
        ge=1,
        description="How long `partyplan feed prune` keeps changes; older cursors expire.",
    )


class CallerLimitSettings(BaseModel):
    """What each caller may send (README "Limits and trusted documents"; a client's own limits
    are its row's cost_budget and requests_per_minute), and how long sync answers and
    unapplied reconciliation reports are kept."""

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
