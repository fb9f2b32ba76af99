"""Clients as the doors see them: only an active one exists."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from .. import repository, rules


async def find_client(conn: AsyncConnection, client_id: str | None) -> rules.Client | None:
    """The active client registered as ``client_id``; None for anything else (unknown,
    disabled, or a string no client_id could be), so a disabled client can do nothing."""
    if client_id is None or not rules.plausible_client_id(client_id):
        return None
    row = await repository.client_by_client_id(conn, client_id)
    if row is None or not row.active:
        return None
    return rules.Client(
        pk=row.id,
        client_id=row.client_id,
        name=row.name,
        kind=row.kind,
        secret_hash=row.secret_hash,
        redirect_uris=tuple(row.redirect_uris),
        allowed_scopes=tuple(row.allowed_scopes),
        unit_path=row.unit_path,
        service_user_id=row.service_user_id,
    )
