"""Migration 0010: the sub-quota bounds of ``unit_quotas`` over an installation that already
holds balances breaking them."""

from __future__ import annotations

import importlib

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from partyplan.server import database_admin
from partyplan.server.database import async_url

# A commission, a school and a period in which the school holds a student place and no place.
_OLD_BALANCE = [
    "INSERT INTO units (kind, name, path) VALUES ('commission', '工委', '0')",
    "INSERT INTO units (kind, name, parent_id, path) SELECT 'school', '学校', id, '0' FROM units",
    "INSERT INTO plan_periods (commission_id, commission_path, name, kind, starts_on, ends_on,"
    " report_due_on) SELECT id, path, '2023', 'calendar_year', '2023-01-01', '2023-12-31',"
    " '2023-12-15' FROM units WHERE kind = 'commission'",
    "INSERT INTO unit_quotas (period_id, unit_id, unit_path, unit_kind, school_id,"
    " received_students) SELECT p.id, u.id, u.path, u.kind, u.school_id, 1"
    " FROM plan_periods p, units u WHERE u.kind = 'school'",
]

_CONSTRAINTS = sa.text(
    "SELECT conname, convalidated FROM pg_constraint"
    " WHERE conrelid = 'unit_quotas'::regclass AND conname LIKE '%subquotas'"
)


async def test_a_clean_installation_validates_every_bound(owner_engine) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        rows = (await conn.execute(_CONSTRAINTS)).all()
    assert sorted(rows) == [
        (f"ck_unit_quotas_{figure}_subquotas", True)
        for figure in sorted(("received", "handed", "reserve", "forecast", "available"))
    ]


async def test_sub_quota_bounds_stay_unvalidated_only_where_old_balances_break_them(
    scratch_url: str,
) -> None:  # type: ignore[no-untyped-def]
    """0010 over a balance written before the bounds (a return of the total alone): the
    migration goes through, the constraints that balance breaks stay NOT VALID (enforced on
    new writes), the others are validated."""
    bounds = importlib.import_module("partyplan.migrations.versions.0010_subquota_bounds")
    await database_admin.upgrade(scratch_url, "partyplan_app", revision=bounds.down_revision)
    engine = create_async_engine(async_url(scratch_url))
    try:
        async with engine.begin() as conn:
            for statement in _OLD_BALANCE:
                await conn.execute(sa.text(statement))
        await database_admin.upgrade(scratch_url, "partyplan_app")
        async with engine.connect() as conn:
            rows = await conn.execute(_CONSTRAINTS)
            validated = {r.conname.split("_")[3]: r.convalidated for r in rows}
            assert validated == {
                "received": False,
                "available": False,
                "handed": True,
                "reserve": True,
                "forecast": True,
            }
            with pytest.raises(sa.exc.IntegrityError, match="ck_unit_quotas_.*_subquotas"):
                await conn.execute(sa.text("UPDATE unit_quotas SET received_staff = 1"))
    finally:
        await engine.dispose()
