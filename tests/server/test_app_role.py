"""The service role's password (``APP_PASSWORD``) is set by ``db upgrade``: ALTER ROLE takes no
bind parameters, so the literal is quoted by the server, whatever the password holds."""

from __future__ import annotations

import os

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from partyplan.server import database_admin
from partyplan.server.database import async_url

HOSTILE = "pa'ss\"wo%s:rd $1 -- ;DROP 甲"


async def test_a_password_of_any_text_is_set_on_the_service_role(owner_url: str) -> None:
    role = f"partyplan_pw_{os.getpid()}"
    engine = create_async_engine(async_url(owner_url))
    try:
        async with engine.begin() as conn:
            await database_admin.ensure_app_role(conn, role, HOSTILE)
            stored = await conn.scalar(
                sa.text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"), {"r": role}
            )
            assert stored and stored.startswith("SCRAM-SHA-256$")
            # The same password again leaves the role as it is (no error, still one role).
            await database_admin.ensure_app_role(conn, role, HOSTILE)
            assert (
                await conn.scalar(
                    sa.text("SELECT count(*) FROM pg_roles WHERE rolname = :r"), {"r": role}
                )
                == 1
            )
            await conn.exec_driver_sql(f"DROP ROLE {role}")
    finally:
        await engine.dispose()
