"""Settings, read from the environment (prefix ``PARTYPLAN_``) and an optional ``.env`` file.

Every setting is documented in README.md; keep the two in step.

:class:`Settings` is the one class read: its fields are declared by section in the
``settings_*`` modules beside this one (database, auth, serving, observability), each section
checking its own values one by one. What reads more than one section stays here: the checks
of settings against each other and the values derived from several. Everything importable
from this module before the sections were split off still is.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from .errors import StartupRefused
from .settings_auth import DoorSettings, KeySettings, secure_url
from .settings_database import DatabaseMode, DatabaseSettings, Environment, default_data_dir
from .settings_observability import ObservabilitySettings
from .settings_serving import (
    AttachmentSettings,
    CallerLimitSettings,
    FeedSettings,
    RequestSettings,
    ServeSettings,
)

__all__ = [
    "DatabaseMode",
    "Environment",
    "Settings",
    "default_data_dir",
    "describe",
    "get_settings",
    "load_settings",
    "secure_url",
]


# The sections are listed last-first because pydantic orders the fields from the last base to
# the first: this keeps the fields, and so the refusals ``describe`` names, in the order they
# had when one class declared them all. No docstring: it would become the description of the
# settings' JSON schema.
class Settings(
    BaseSettings,
    ObservabilitySettings,
    CallerLimitSettings,
    FeedSettings,
    AttachmentSettings,
    RequestSettings,
    DoorSettings,
    ServeSettings,
    KeySettings,
    DatabaseSettings,
):
    model_config = SettingsConfigDict(env_prefix="PARTYPLAN_", env_file=".env", extra="ignore")

    # The checks across settings run once every value is read, in this order: the first that
    # fails is the one refusal named.
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
