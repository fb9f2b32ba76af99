"""The settings of where the service runs and which database it uses: the environment, the
data directory (the embedded server's home) and the database URLs and role.

A section of :class:`~partyplan.server.settings.Settings`, which is the only class to
instantiate: the checks that compare these settings with each other (the service role against
the URLs' users, who may migrate) and the values derived from them (``database_mode``,
``migrates_on_start``) are Settings' own, since they read more than one section.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from sqlalchemy.exc import ArgumentError

from .database import async_url

__all__ = ["DatabaseMode", "DatabaseSettings", "Environment", "default_data_dir"]

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


class DatabaseSettings(BaseModel):
    """The environment, the data directory and the database connections."""

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

    # An empty variable (``PARTYPLAN_DATABASE_URL=``, a manifest's empty value) means unset,
    # never a URL, a password or the current directory.
    @field_validator(
        "database_url",
        "app_database_url",
        "app_password",
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
