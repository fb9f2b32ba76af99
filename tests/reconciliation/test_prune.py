"""Reports never applied are forgotten after their retention; applied ones are evidence."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from support import scalar

from partyplan.resolvers.reconciliation.service.prune import prune


async def report(conn, world, status: str, age_days: int) -> int:  # type: ignore[no-untyped-def]
    applied = "now()" if status == "applied" else "NULL"
    report_id = await conn.scalar(
        sa.text(
            "INSERT INTO reconciliation_reports (school_id, unit_path, file_name, file_sha256,"
            " file_bytes, stages, rows_read, status, applied_at, created_at)"
            f" SELECT id, path, 'f.xlsx', '\\x00', 1, '{{applicant}}', 1, :status, {applied},"
            " now() - make_interval(days => :age) FROM units WHERE id = :school RETURNING id"
        ),
        {"status": status, "age": age_days, "school": world.units["A"]},
    )
    await conn.execute(
        sa.text(
            "INSERT INTO reconciliation_entries (report_id, ordinal, unit_path, kind, stage,"
            " name, id_number_masked, id_number_enc)"
            " SELECT :r, 1, unit_path, 'only_12371', 'applicant', '某人', '140***', '\\x01'"
            " FROM reconciliation_reports WHERE id = :r"
        ),
        {"r": report_id},
    )
    return report_id


async def test_prune_forgets_old_open_reports_only(world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        old_open = await report(conn, world, "open", 40)
        recent_open = await report(conn, world, "open", 5)
        old_applied = await report(conn, world, "applied", 400)
    async with owner_engine.begin() as conn:
        assert await prune(conn, datetime.now(UTC), 30) == 1
    remaining = await scalar(
        owner_engine, "SELECT array_agg(id ORDER BY id) FROM reconciliation_reports"
    )
    assert remaining == sorted([recent_open, old_applied])
    entries = await scalar(
        owner_engine, "SELECT array_agg(DISTINCT report_id) FROM reconciliation_entries"
    )
    assert old_open not in entries and len(entries) == 2
    async with owner_engine.begin() as conn:
        with pytest.raises(ValueError):
            await prune(conn, datetime.now(UTC), 0)
