"""Where the service's database comes from, and the schema revision it serves.

With the service role's URL alone the service never starts an embedded server and never
migrates; whatever the mode, a database whose schema is not this release's is refused at start
with one line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import create_async_engine

from partyplan.server import database_admin
from partyplan.server.database import app_url_from_owner, async_url, with_database
from partyplan.server.errors import StartupRefused
from partyplan.server.platform import Platform
from partyplan.server.settings import Settings

APP_ROLE = "partyplan_app"


def _previous(revision: str) -> str:
    script = ScriptDirectory(str(database_admin.MIGRATIONS_DIR))
    down = script.get_revision(revision).down_revision
    assert isinstance(down, str)
    return down


@pytest.fixture
async def behind_url(server_url: str) -> AsyncIterator[str]:
    """The owner URL of a database one revision behind this release."""
    url = with_database(server_url, f"partyplan_behind_{os.getpid()}")
    await database_admin.drop_database(url)
    await database_admin.upgrade(url, APP_ROLE, revision=_previous(database_admin.head_revision()))
    yield url
    await database_admin.drop_database(url)


async def _revision(owner_url: str) -> str | None:
    engine = create_async_engine(async_url(owner_url))
    try:
        async with engine.connect() as conn:
            return await database_admin.current_revision(conn)
    finally:
        await engine.dispose()


def _platform(settings: Settings, tmp_path: Path, **values: Any) -> Platform:
    """A platform on the test server with the test keys and its own (empty) data directory."""
    return Platform(Settings(key_dir=settings.key_dir, data_dir=tmp_path / "data", **values))


async def test_the_service_url_alone_serves_as_the_service_role_without_an_embedded_server(
    owner_url: str, settings: Settings, tmp_path: Path
) -> None:
    platform = _platform(
        settings, tmp_path, app_database_url=app_url_from_owner(owner_url, APP_ROLE, None)
    )
    assert not platform.migrate
    await platform.start()
    try:
        assert platform.embedded is None and platform.owner_url is None
        assert not (tmp_path / "data" / "pg").exists()
        assert platform.engine is not None
        async with platform.engine.connect() as conn:
            assert await conn.scalar(sa.text("SELECT current_user")) == APP_ROLE
    finally:
        await platform.stop()


async def test_a_database_behind_is_refused_and_left_as_it_is(
    behind_url: str, settings: Settings, tmp_path: Path
) -> None:
    behind = await _revision(behind_url)
    head = database_admin.head_revision()
    expected = (
        f"the database schema is at revision {behind}, behind this release's {head}: run "
        "`partyplan db upgrade` with the owner's PARTYPLAN_DATABASE_URL first"
    )
    service = app_url_from_owner(behind_url, APP_ROLE, None)
    for values in (
        {"app_database_url": service},
        {"database_url": behind_url, "environment": "production"},
        {"database_url": behind_url, "migrate_on_start": False},
    ):
        platform = _platform(settings, tmp_path, **values)
        with pytest.raises(StartupRefused) as refused:
            await platform.start()
        assert str(refused.value) == expected, values
        assert platform.engine is None and not platform.prepared
    assert await _revision(behind_url) == behind


async def test_development_migrates_a_database_behind_at_start(
    behind_url: str, settings: Settings, tmp_path: Path
) -> None:
    platform = _platform(settings, tmp_path, database_url=behind_url)
    assert platform.migrate
    await platform.start()
    await platform.stop()
    assert await _revision(behind_url) == database_admin.head_revision()


async def test_an_empty_or_unknown_schema_is_refused(
    behind_url: str, settings: Settings, tmp_path: Path
) -> None:
    service = app_url_from_owner(behind_url, APP_ROLE, None)
    engine = create_async_engine(async_url(behind_url))
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
        with pytest.raises(
            StartupRefused, match=r"at revision 9999, which this release does not know"
        ):
            await database_admin.check_revision(service)
        async with engine.begin() as conn:
            await conn.execute(sa.text("DROP TABLE alembic_version"))
        with pytest.raises(StartupRefused, match=r"^the database has no schema yet: run "):
            await database_admin.check_revision(service)
    finally:
        await engine.dispose()


def _cli(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    variables = {k: v for k, v in os.environ.items() if not k.startswith("PARTYPLAN_")}
    variables.update(PARTYPLAN_DATA_DIR=str(tmp_path / "data"), **env)
    return subprocess.run(
        [sys.executable, "-m", "partyplan.server.cli", *args],
        env=variables,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_serve_refuses_a_database_behind_with_one_line(
    behind_url: str, settings: Settings, tmp_path: Path
) -> None:
    done = _cli(
        ["serve", "--port", "0"],
        tmp_path,
        PARTYPLAN_APP_DATABASE_URL=app_url_from_owner(behind_url, APP_ROLE, None),
        PARTYPLAN_KEY_DIR=str(settings.resolved_key_dir),
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("partyplan: the database schema is at "), lines
    assert not (tmp_path / "data" / "pg").exists()


def test_owner_commands_need_the_owner_url(tmp_path: Path) -> None:
    """``db upgrade`` with the service's URL alone would migrate an embedded server nobody
    uses: refused, and nothing is started."""
    service = "postgresql://partyplan_app:secret@db.invalid:5432/partyplan"
    done = _cli(["db", "upgrade"], tmp_path, PARTYPLAN_APP_DATABASE_URL=service)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "partyplan: this command works as the database owner: set PARTYPLAN_DATABASE_URL "
        "(PARTYPLAN_APP_DATABASE_URL alone is the service's, and no embedded server starts)"
    ]
    assert not (tmp_path / "data").exists()
    done = _cli(["serve", "--demo"], tmp_path, PARTYPLAN_APP_DATABASE_URL=service)
    assert done.returncode == 2 and "serve --demo" in done.stderr, done.stderr


def test_the_manifest_gives_the_service_the_service_role_url_only() -> None:
    """The Deployment has no owner credentials (it never migrates); the Job migrates with them."""
    manifest = Path(database_admin.MIGRATIONS_DIR).parent / "deploy" / "kubernetes"
    documents = (manifest / "partyplan.yaml").read_text(encoding="utf-8").split("\n---\n")

    def one(kind: str, marker: str) -> str:
        found = [d for d in documents if f"\nkind: {kind}\n" in f"\n{d}" and marker in d]
        assert len(found) == 1, (kind, marker)
        return found[0]

    service = one("Deployment", "image: partyplan")
    job = one("Job", '["partyplan", "db", "upgrade"]')
    assert "PARTYPLAN_APP_DATABASE_URL" in service
    assert "PARTYPLAN_DATABASE_URL" not in service and "MIGRATE_ON_START" not in service
    assert "PARTYPLAN_DATABASE_URL" in job
    assert "PARTYPLAN_APP_DATABASE_URL" not in job
