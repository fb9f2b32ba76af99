"""The maintenance commands never migrate: like the service, they check the schema revision and
refuse a database that is not at this release's, and leave it as it is. The daily ones run from
CronJobs of whatever image is scheduled; only ``db upgrade`` (the migration Job) migrates."""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import create_async_engine
from support import run_cli

from partyplan.server import database_admin
from partyplan.server.database import async_url, with_database

APP_ROLE = "partyplan_app"
COMMANDS = (
    ["warnings", "scan"],
    ["tallies", "rebuild"],
    ["doors", "prune"],
    ["feed", "prune"],
    ["sync", "prune"],
)


def _previous(revision: str) -> str:
    down = ScriptDirectory(str(database_admin.MIGRATIONS_DIR)).get_revision(revision).down_revision
    assert isinstance(down, str)
    return down


async def _revision(owner_url: str) -> str | None:
    engine = create_async_engine(async_url(owner_url))
    try:
        async with engine.connect() as conn:
            return await database_admin.current_revision(conn)
    finally:
        await engine.dispose()


@pytest.fixture
async def behind_url(server_url: str) -> AsyncIterator[str]:
    """The owner URL of a database one revision behind this release."""
    url = with_database(server_url, f"partyplan_scanbehind_{os.getpid()}")
    await database_admin.drop_database(url)
    await database_admin.upgrade(url, APP_ROLE, revision=_previous(database_admin.head_revision()))
    yield url
    await database_admin.drop_database(url)


@pytest.fixture
async def blank_url(server_url: str) -> AsyncIterator[str]:
    """The owner URL of a database that exists, without any schema."""
    url = with_database(server_url, f"partyplan_scanblank_{os.getpid()}")
    await database_admin.drop_database(url)
    await database_admin.ensure_database(url)
    yield url
    await database_admin.drop_database(url)


def _run(args: list[str], settings, database_url: str) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def,type-arg]
    return run_cli(settings, database_url, *args)


def _refused(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    for word in (*words, "partyplan db upgrade", "does not migrate"):
        assert word in line, (word, line)


async def test_a_warning_scan_refuses_a_database_behind_and_leaves_it_behind(
    behind_url: str, settings
) -> None:  # type: ignore[no-untyped-def]
    behind = await _revision(behind_url)
    head = database_admin.head_revision()
    assert behind != head
    _refused(_run(["warnings", "scan"], settings, behind_url), f"revision {behind}", head)
    assert await _revision(behind_url) == behind


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
async def test_no_maintenance_command_migrates_a_blank_database(
    blank_url: str, settings, command: list[str]
) -> None:  # type: ignore[no-untyped-def]
    _refused(_run(command, settings, blank_url), "revision none")
    assert await _revision(blank_url) is None


def test_a_warning_scan_runs_on_a_database_at_this_release(owner_url: str, settings) -> None:  # type: ignore[no-untyped-def]
    done = _run(["warnings", "scan"], settings, owner_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("raised: ") or "another scan is running" in done.stdout
