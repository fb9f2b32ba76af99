"""Migration 0016 on a database of its own: the open-warning tallies are backfilled from the
warnings already raised; down to 0015 they are gone (and the warnings writable without them),
and up again they count what was written in between."""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from partyplan.server import database_admin
from partyplan.server.database import async_url

_TREE = (
    ("commission", "commission", None),
    ("A", "school", "commission"),
    ("A1", "committee", "A"),
    ("A1a", "branch", "A1"),
    ("B", "school", "commission"),
)
_WARNING = (
    "INSERT INTO warnings (kind, dedupe_key, unit_id, unit_path, school_id, period_id, message,"
    " evidence, status, seen_on) SELECT :kind, :key, id, path, school_id, :period, '预警',"
    " '{}'::jsonb, :status, DATE '2024-07-01' FROM units WHERE id = :unit"
)
_ROWS = sa.text(
    "SELECT unit_id, period_id, kind, open_count FROM warning_tallies WHERE open_count <> 0"
)
_DRIFT = sa.text(
    "(SELECT unit_id, period_id, kind, unit_path, school_id, open_count FROM warning_tallies"
    "  WHERE open_count <> 0"
    " EXCEPT SELECT * FROM warning_tallies_computed('1'))"
    " UNION ALL (SELECT * FROM warning_tallies_computed('1')"
    " EXCEPT SELECT unit_id, period_id, kind, unit_path, school_id, open_count"
    " FROM warning_tallies WHERE open_count <> 0)"
)


async def _warn(conn: AsyncConnection, units: dict[str, int], n: int, *args: object) -> None:
    unit, kind, period, status = args
    await conn.execute(
        sa.text(_WARNING),
        {"kind": kind, "key": f"k{n}", "unit": units[unit], "period": period, "status": status},
    )


async def _tables(conn: AsyncConnection) -> set[str]:
    rows = await conn.execute(
        sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    )
    return {r.tablename for r in rows}


async def test_backfill_downgrade_and_upgrade_again(scratch_url: str) -> None:
    tallies = importlib.import_module("partyplan.migrations.versions.0016_warning_tallies")
    await database_admin.upgrade(scratch_url, "partyplan_app", revision=tallies.down_revision)
    engine = create_async_engine(async_url(scratch_url))
    try:
        units: dict[str, int] = {}
        async with engine.begin() as conn:
            for key, kind, parent in _TREE:
                units[key] = await conn.scalar(
                    sa.text(
                        "INSERT INTO units (kind, name, parent_id, path) VALUES (:k, :n, :p, '0')"
                        " RETURNING id"
                    ),
                    {"k": kind, "n": key, "p": units.get(parent) if parent else None},
                )
            period = await conn.scalar(
                sa.text(
                    "INSERT INTO plan_periods (commission_id, commission_path, name, kind,"
                    " starts_on, ends_on, report_due_on) SELECT id, path, '2024', 'calendar_year',"
                    " '2024-01-01', '2024-12-31', '2025-01-31' FROM units WHERE id = :c"
                    " RETURNING id"
                ),
                {"c": units["commission"]},
            )
            assert units["commission"] == 1
            for n, warning in enumerate(
                (
                    ("A1a", "missing_data", None, "open"),
                    ("A1a", "missing_data", None, "open"),
                    ("A1", "over_plan", period, "open"),
                    ("A1a", "overdue_step", None, "acknowledged"),
                    ("B", "report_overdue", period, "resolved"),
                )
            ):
                await _warn(conn, units, n, *warning)

        await database_admin.upgrade(scratch_url, "partyplan_app")
        u = units
        async with engine.connect() as conn:
            rows = {
                (r.unit_id, r.period_id, r.kind): r.open_count for r in await conn.execute(_ROWS)
            }
            assert rows == {
                (u["A"], 0, "missing_data"): 2,
                (u["A1"], 0, "missing_data"): 2,
                (u["A1a"], 0, "missing_data"): 2,
                (u["A"], period, "over_plan"): 1,
                (u["A1"], period, "over_plan"): 1,
            }
            assert (await conn.execute(_DRIFT)).all() == []

        await database_admin.downgrade(scratch_url, "partyplan_app", tallies.down_revision)
        async with engine.begin() as conn:
            assert "warning_tallies" not in await _tables(conn)
            await _warn(conn, units, 9, "B", "missing_data", None, "open")  # no trigger left
            await conn.execute(
                sa.text("UPDATE warnings SET status = 'resolved' WHERE kind = 'over_plan'")
            )

        await database_admin.upgrade(scratch_url, "partyplan_app")
        async with engine.begin() as conn:
            await _warn(conn, units, 10, "A1a", "missing_data", period, "open")
            rows = {
                (r.unit_id, r.period_id, r.kind): r.open_count for r in await conn.execute(_ROWS)
            }
            assert rows == {
                **{(u[unit], 0, "missing_data"): 2 for unit in ("A", "A1", "A1a")},
                **{(u[unit], period, "missing_data"): 1 for unit in ("A", "A1", "A1a")},
                (u["B"], 0, "missing_data"): 1,
            }
            assert (await conn.execute(_DRIFT)).all() == []
    finally:
        await engine.dispose()
