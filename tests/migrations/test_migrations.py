"""Migrations: empty → head → base → head on a database of their own, and the models (used by
resolvers) describe exactly what the migrations build."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from partyplan.models import metadata
from partyplan.server import database_admin
from partyplan.server.database import async_url


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
            return {r.tablename for r in rows}
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade(scratch_url: str) -> None:
    await database_admin.upgrade(scratch_url, "partyplan_app")
    assert {"units", "users", "roles", "role_bindings", "audit_log"} <= await _tables(scratch_url)
    await database_admin.downgrade(scratch_url, "partyplan_app", "base")
    assert await _tables(scratch_url) == {"alembic_version"}
    await database_admin.upgrade(scratch_url, "partyplan_app")
    assert "units" in await _tables(scratch_url)


async def test_models_match_migrations(owner_engine) -> None:  # type: ignore[no-untyped-def]
    def compare(sync_conn):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(sync_conn, opts={"compare_type": False})
        return compare_metadata(context, metadata)

    async with owner_engine.connect() as conn:
        differences = await conn.run_sync(compare)
    assert differences == []


async def test_service_role_is_neither_superuser_nor_owner(owner_engine) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        role = (
            await conn.execute(
                sa.text(
                    "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'partyplan_app'"
                )
            )
        ).one()
        assert (role.rolsuper, role.rolbypassrls) == (False, False)
        owned = await conn.scalar(
            sa.text("SELECT count(*) FROM pg_tables WHERE tableowner = 'partyplan_app'")
        )
        assert owned == 0
        unprotected = await conn.scalars(
            sa.text(
                "SELECT relname FROM pg_class WHERE relname = ANY(:t) "
                "AND NOT (relrowsecurity AND relforcerowsecurity)"
            ),
            {"t": ["units", "users", "role_bindings", "audit_log"]},
        )
        assert list(unprotected) == []
