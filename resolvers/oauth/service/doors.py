"""Opening a door: the one statement every door transaction starts with."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from .. import repository


async def open_door(conn: AsyncConnection) -> None:
    """Declare ``conn``'s transaction a door: the grants, codes, refresh tokens, revoked ids
    and sessions become visible to it (and every client), until the transaction ends."""
    await repository.open_door(conn)
