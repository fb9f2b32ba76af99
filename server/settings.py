"""Settings, read from the environment (prefix ``PARTYPLAN_``) and an optional ``.env`` file.

Every setting is documented in README.md; keep the two in step.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
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

    timezone: str = "Asia/Shanghai"

    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_body_bytes: int = 256 * 1024
    max_page_size: int = 200

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def resolved_key_dir(self) -> Path:
        return self.key_dir or self.data_dir / "keys"


@lru_cache
def get_settings() -> Settings:
    return Settings()
