"""Factories for the tests of PII-read auditing, download links and one's own account: rows
written as the owner, and the audit entries read back the same way."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


async def create_front_end_client(
    owner_engine: Any, world: Any, client_id: str, scopes: list[str], unit: str = "commission"
) -> str:
    """An active public OAuth2 client at ``unit`` (what binding a client's token asks for)."""
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO oauth_clients (client_id, name, kind, allowed_scopes, unit_id,"
                " unit_path, school_id, cost_budget, requests_per_minute)"
                " SELECT :client_id, '测试前端', 'front_end', :scopes, id, path, school_id,"
                " 1000, 600 FROM units WHERE id = :unit"
            ),
            {"client_id": client_id, "scopes": scopes, "unit": world.units[unit]},
        )
    return client_id


async def create_person(
    owner_engine: Any, username: str, home: int, *, role: str | None = None, at: int | None = None
) -> int:
    """An account homed at ``home``, holding ``role`` at ``at`` (default: at its home)."""
    async with owner_engine.begin() as conn:
        user_id = await conn.scalar(
            sa.text(
                "INSERT INTO users (username, display_name, home_unit_id, home_path, school_id)"
                " SELECT :u, :u, id, path, school_id FROM units WHERE id = :unit RETURNING id"
            ),
            {"u": username, "unit": home},
        )
        if role is not None:
            await conn.execute(
                sa.text(
                    "INSERT INTO role_bindings (user_id, role, unit_id, unit_path, school_id)"
                    " SELECT :user, :role, id, path, school_id FROM units WHERE id = :unit"
                ),
                {"user": user_id, "role": role, "unit": home if at is None else at},
            )
    return user_id


async def create_service_account(owner_engine: Any, username: str, home: int) -> int:
    """An account of kind 'service' (an OAuth2 service client's: it has no password)."""
    user_id = await create_person(owner_engine, username, home)
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE users SET kind = 'service' WHERE id = :id"), {"id": user_id}
        )
    return user_id


async def read_pii_entries(owner_engine: Any) -> list[Any]:
    """Every ``readPii`` audit entry, oldest first (as the owner: all schools)."""
    async with owner_engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT * FROM audit_log WHERE operation = 'readPii' ORDER BY id")
        )
        return list(rows.all())
