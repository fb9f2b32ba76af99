"""Migration 0022 added the admission columns; a recruit recorded before it has them NULL. On a
database of its own, a 0021 database with a recruit written the way the service did then is
upgraded by the command an operator runs (``partyplan db upgrade``), which derives them after
migrating, and a second upgrade finds nothing left to derive."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from support import run_cli

from partyplan.server import database_admin
from partyplan.server.database import async_url
from partyplan.server.platform import Platform

LEGACY_RECRUIT = (
    "INSERT INTO recruits (school_id, branch_id, unit_path, name, gender, ethnicity, birth_date,"
    " id_number_enc, id_number_hash, id_number_masked, category, education, stage, stage_since,"
    " applied_on) SELECT school_id, id, path, '甲', 'male', '汉族', '2000-01-01', '\\x00',"
    " decode(md5('甲'), 'hex'), 'x', 'undergraduate', 'bachelor', 'activist', :since, :applied"
    " FROM units WHERE id = :branch RETURNING id"
)
LEGACY_STEP = (
    "INSERT INTO recruit_steps (recruit_id, school_id, unit_path, step_code, on_date, data,"
    " rule_version) SELECT id, school_id, unit_path, :code, :on, CAST(:data AS jsonb), 'v1'"
    " FROM recruits WHERE id = :r"
)


DESIGNATED = date(2026, 3, 2)


async def legacy_recruit(url: str) -> int:
    """A 0021 database at ``url`` holding one activist, written the way the service did then."""
    await database_admin.upgrade(url, "partyplan_app", revision="0021")
    engine = create_async_engine(async_url(url))
    try:
        async with engine.begin() as conn:
            unit: dict[str, int] = {}
            for key, kind, parent in (
                ("commission", "commission", None),
                ("school", "school", "commission"),
                ("branch", "branch", "school"),
            ):
                unit[key] = await conn.scalar(
                    sa.text(
                        "INSERT INTO units (kind, name, parent_id, path, region_code)"
                        " VALUES (:k, :n, :p, '0', '14') RETURNING id"
                    ),
                    {"k": kind, "n": key, "p": unit.get(parent) if parent else None},
                )
            recruit = await conn.scalar(
                sa.text(LEGACY_RECRUIT),
                {"since": DESIGNATED, "applied": date(2025, 6, 1), "branch": unit["branch"]},
            )
            for code, on in (
                ("application", date(2025, 6, 1)),
                ("talk", date(2025, 6, 20)),
                ("activist", DESIGNATED),
            ):
                await conn.execute(
                    sa.text(LEGACY_STEP), {"code": code, "on": on, "data": "{}", "r": recruit}
                )
        return recruit
    finally:
        await engine.dispose()


async def assert_derived(url: str, recruit: int) -> None:
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.text(
                        "SELECT admission_earliest_on, admission_steps_left FROM recruits"
                        " WHERE id = :r"
                    ),
                    {"r": recruit},
                )
            ).one()
    finally:
        await engine.dispose()
    assert row.admission_steps_left is not None
    # 细则第十三条: a development target after a year as an activist, at the earliest.
    assert row.admission_earliest_on >= date(2027, 3, 2)


async def test_db_upgrade_derives_the_columns_0022_added(scratch_url: str, settings) -> None:  # type: ignore[no-untyped-def]
    recruit = await legacy_recruit(scratch_url)
    done = run_cli(settings, scratch_url, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert "re-derived 1 recruit(s) recorded before 0022" in done.stdout, done.stdout
    await assert_derived(scratch_url, recruit)
    again = run_cli(settings, scratch_url, "db", "upgrade")
    assert again.returncode == 0 and "re-derived" not in again.stdout, again.stdout


async def test_a_start_that_migrates_derives_them_too(scratch_url: str, settings) -> None:  # type: ignore[no-untyped-def]
    """A development start migrates (``migrates_on_start``), and fills the columns the same way."""
    recruit = await legacy_recruit(scratch_url)
    platform = Platform(settings.model_copy(update={"database_url": scratch_url}), migrate=True)
    try:
        await platform.start_database()
    finally:
        await platform.stop()
    await assert_derived(scratch_url, recruit)
