"""The settings mean one thing: enumerations take their documented values only, and database
settings that contradict each other are refused at start with one line naming the setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from partyplan.server.errors import StartupRefused
from partyplan.server.settings import Settings, load_settings

OWNER = "postgresql://partyplan_owner:owner-secret@db.internal:5432/partyplan"
SERVICE = "postgresql://partyplan_app:app-secret@db.internal:5432/partyplan"


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only what a test passes: no PARTYPLAN_ variable or .env file of the machine."""
    for name in list(os.environ):
        if name.startswith("PARTYPLAN_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def refused(**values: object) -> str:
    with pytest.raises(StartupRefused) as caught:
        load_settings(**values)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_environment_takes_its_documented_values_only(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(environment="production").is_production
    assert not load_settings().is_production
    for wrong in ("prod", "Production", "dev", "staging", ""):
        message = refused(environment=wrong)
        assert message.startswith(f"PARTYPLAN_ENVIRONMENT={wrong!r}: "), message
        assert "'development' or 'production'" in message
    monkeypatch.setenv("PARTYPLAN_ENVIRONMENT", "prod")
    assert refused().startswith("PARTYPLAN_ENVIRONMENT='prod'")


def test_other_settings_that_are_names_are_checked() -> None:
    assert load_settings(timezone="Asia/Urumqi").timezone == "Asia/Urumqi"
    assert refused(timezone="Asia/Beijing").startswith("PARTYPLAN_TIMEZONE: ")
    assert refused(app_role="partyplan-app; DROP").startswith("PARTYPLAN_APP_ROLE: ")
    assert refused(app_role="PartyPlan").startswith("PARTYPLAN_APP_ROLE: ")
    assert refused(migrate_on_start="sometimes").startswith("PARTYPLAN_MIGRATE_ON_START: ")


def test_database_urls_are_checked_without_repeating_them() -> None:
    message = refused(database_url="mysql://root:hunter2@db/partyplan")
    assert message == "PARTYPLAN_DATABASE_URL: must be a postgresql:// URL"
    message = refused(app_database_url="not a url at all hunter2")
    assert message.startswith("PARTYPLAN_APP_DATABASE_URL: ") and "hunter2" not in message


def test_the_database_mode_follows_the_urls_set(tmp_path: Path) -> None:
    assert load_settings().database_mode == "embedded"
    assert load_settings(database_url=OWNER).database_mode == "external"
    both = load_settings(database_url=OWNER, app_database_url=SERVICE)
    assert both.database_mode == "external"
    assert load_settings(app_database_url=SERVICE).database_mode == "service"
    # An empty variable, as a manifest may give, is unset, never a URL or the working directory.
    empty = load_settings(database_url="", app_database_url="", key_dir="", app_password="")
    assert empty.database_mode == "embedded" and empty.key_dir is None
    assert empty.app_password is None


def test_who_migrates_at_start() -> None:
    assert load_settings().migrates_on_start
    assert load_settings(environment="production").migrates_on_start  # embedded: its own
    assert load_settings(database_url=OWNER).migrates_on_start
    assert not load_settings(database_url=OWNER, environment="production").migrates_on_start
    assert load_settings(
        database_url=OWNER, environment="production", migrate_on_start=True
    ).migrates_on_start
    assert not load_settings(database_url=OWNER, migrate_on_start=False).migrates_on_start
    assert not load_settings(app_database_url=SERVICE).migrates_on_start


def test_inconsistent_database_settings_are_refused() -> None:
    message = refused(app_database_url=SERVICE, migrate_on_start=True)
    assert message.startswith("PARTYPLAN_MIGRATE_ON_START=true needs PARTYPLAN_DATABASE_URL")
    # The service would connect as the owner: row-level security would not apply to it.
    message = refused(database_url=OWNER, app_database_url=OWNER)
    assert "PARTYPLAN_APP_DATABASE_URL connects as 'partyplan_owner'" in message
    assert "owner-secret" not in message
    message = refused(database_url=SERVICE)
    assert message.startswith("PARTYPLAN_DATABASE_URL connects as 'partyplan_app'")
    # The service connects as the role the migrations granted to, or as nothing.
    assert load_settings(app_database_url=SERVICE.replace("partyplan_app", "svc"), app_role="svc")
    assert "PARTYPLAN_APP_ROLE" in refused(app_database_url=SERVICE, app_role="svc")


def test_several_refusals_stay_one_line() -> None:
    message = refused(environment="prod", timezone="Nowhere/Land")
    assert "PARTYPLAN_ENVIRONMENT" in message and "PARTYPLAN_TIMEZONE" in message


def test_settings_still_build_directly() -> None:
    """Code and tests building Settings(...) keep pydantic's own error."""
    with pytest.raises(ValueError):
        Settings(environment="prod")


def test_serve_with_an_unknown_environment_stops_at_once(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTYPLAN_")}
    env.update(PARTYPLAN_ENVIRONMENT="prod", PARTYPLAN_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run(
        [sys.executable, "-m", "partyplan.server.cli", "serve", "--port", "0"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "partyplan: PARTYPLAN_ENVIRONMENT='prod': input should be 'development' or 'production'"
    ]
    assert not (tmp_path / "data").exists()  # no embedded server was started
