"""Concurrent warning scans (a CronJob's retry overlapping a slow run): the second does nothing.

The lock is held here from a test connection, as a running scan's transaction holds it."""

from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa

from partyplan.resolvers.warnings.service.scan import claim

RECRUIT = (
    "INSERT INTO recruits (school_id, branch_id, unit_path, name, gender, ethnicity,"
    " birth_date, id_number_enc, id_number_hash, id_number_masked, category, education,"
    " stage, stage_since, applied_on) SELECT school_id, id, path, '某某', 'male', '汉族',"
    " '2003-05-04', '\\x00', '\\x01', 'x', 'undergraduate', 'bachelor', 'applicant',"
    " '2024-01-02', '2024-01-02' FROM units WHERE id = :b"
)


def _scan(settings, *flags: str) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    env = dict(os.environ)
    env.pop("PARTYPLAN_APP_DATABASE_URL", None)
    env.update(
        PARTYPLAN_DATABASE_URL=settings.database_url,
        PARTYPLAN_KEY_DIR=str(settings.resolved_key_dir),
        PARTYPLAN_DATA_DIR=str(settings.data_dir),
    )
    return subprocess.run(
        [sys.executable, "-m", "partyplan.server.cli", "warnings", "scan", *flags],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def _stored(owner_engine) -> int:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        return await conn.scalar(sa.text("SELECT count(*) FROM warnings"))


async def test_a_scan_while_another_runs_does_nothing_and_says_so(
    settings, owner_engine, world
) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        await conn.execute(sa.text(RECRUIT), {"b": world.units["A1a"]})
    forced = ("--today", "2024-07-01", "--force")
    async with owner_engine.connect() as running:
        await running.begin()
        assert await claim(running)
        second = _scan(settings, *forced)
        assert second.returncode == 0, second.stderr
        assert second.stdout.splitlines() == ["another scan is running; nothing done"]
        assert await _stored(owner_engine) == 0
        # A dry run writes nothing that lasts: it neither takes nor waits for the lock.
        dry = _scan(settings, "--today", "2024-07-01")
        assert dry.returncode == 0, dry.stderr
        assert "raised: missing_data 1" in dry.stdout
        await running.rollback()  # the running scan ends: the lock with its transaction
    after = _scan(settings, *forced)
    assert after.returncode == 0, after.stderr
    assert "raised: missing_data 1" in after.stdout
    assert await _stored(owner_engine) == 1


async def test_the_scan_lock_is_one_transactions_at_a_time(owner_engine) -> None:
    async with owner_engine.connect() as first, owner_engine.connect() as second:
        await first.begin()
        await second.begin()
        assert await claim(first)
        assert await claim(first)  # its holder may take it again
        assert not await claim(second)
        await first.commit()
        assert await claim(second)
        await second.rollback()
