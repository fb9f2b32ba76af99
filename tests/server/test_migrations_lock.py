"""Migrations run once however many start together: ``db upgrade`` holds an advisory lock."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from partyplan.server import database_admin
from partyplan.server.database import async_url, with_database


@pytest.fixture
async def fresh_url(server_url: str) -> AsyncIterator[str]:
    """The owner URL of a database that does not exist yet."""
    url = with_database(server_url, f"partyplan_lock_{os.getpid()}")
    await database_admin.drop_database(url)
    yield url
    await database_admin.drop_database(url)


def _upgrade(owner_url: str, data_dir: Path) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop("PARTYPLAN_APP_DATABASE_URL", None)
    env.update(PARTYPLAN_DATABASE_URL=owner_url, PARTYPLAN_DATA_DIR=str(data_dir))
    return subprocess.Popen(
        [sys.executable, "-m", "partyplan.server.cli", "db", "upgrade"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def test_three_concurrent_upgrades_of_a_fresh_database_all_succeed(
    fresh_url: str, tmp_path: Path
) -> None:
    head = database_admin.head_revision()
    runs = [_upgrade(fresh_url, tmp_path) for _ in range(3)]
    results = [(run.wait(timeout=180), *run.communicate()) for run in runs]
    for code, out, err in results:
        assert code == 0, err
        assert out.strip().endswith(f"revision: {head}"), out
    engine = create_async_engine(async_url(fresh_url))
    try:
        async with engine.connect() as conn:
            assert await database_admin.current_revision(conn) == head
            rows = await conn.scalar(sa.text("SELECT count(*) FROM alembic_version"))
            assert rows == 1
    finally:
        await engine.dispose()


async def test_the_lock_makes_a_second_upgrade_wait_for_the_first(fresh_url: str) -> None:
    """While one holder has the migration lock, another upgrade waits, then finds the database
    at head and has nothing left to do."""
    await database_admin.ensure_database(fresh_url)
    engine = create_async_engine(async_url(fresh_url))
    try:
        async with engine.connect() as holder:
            await database_admin.lock_migrations(holder)
            waiting = asyncio.create_task(database_admin.upgrade(fresh_url, "partyplan_app"))
            await asyncio.sleep(1.0)
            assert not waiting.done(), "the upgrade did not wait for the lock"
            await holder.rollback()  # the lock ends with the transaction
            await asyncio.wait_for(waiting, timeout=120)
        async with engine.connect() as conn:
            assert await database_admin.current_revision(conn) == database_admin.head_revision()
    finally:
        await engine.dispose()
