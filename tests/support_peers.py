"""What the benchmark's tests share: a plan period as the owner writes it, and the peers'
functions (``bench/peers``) called as the peers call them — the service role, a principal bound
in the transaction — with the ``bench_peer`` schema dropped afterwards."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg
import sqlalchemy as sa

from partyplan.bench import peers
from partyplan.server.database import app_url_from_owner


async def insert_period(conn: Any, commission_id: int) -> int:
    """An issued calendar year 2024 of the commission; its id."""
    return await conn.scalar(
        sa.text(
            "INSERT INTO plan_periods (commission_id, commission_path, name, kind, starts_on,"
            " ends_on, report_due_on, state) SELECT id, path, '2024', 'calendar_year',"
            " :s, :e, :e, 'issued' FROM units WHERE id = :c RETURNING id"
        ),
        {"s": date(2024, 1, 1), "e": date(2024, 12, 31), "c": commission_id},
    )


async def as_peer(
    owner_url: str, owner_engine: Any, user_id: int, query: str, *args: Any
) -> list[asyncpg.Record]:
    """``query``'s rows as a peer reads them: its functions made (``peers.aprepare``), then
    called by the service role with ``user_id``'s principal bound in the transaction."""
    await peers.aprepare(owner_url)
    conn = await asyncpg.connect(
        app_url_from_owner(owner_url, "partyplan_app", None).replace("+asyncpg", "")
    )
    try:
        async with conn.transaction():
            await conn.fetch("SELECT * FROM app_bind_principal($1)", user_id)
            return await conn.fetch(query, *args)
    finally:
        await conn.close()
        async with owner_engine.begin() as owner:
            await owner.execute(sa.text("DROP SCHEMA IF EXISTS bench_peer CASCADE"))
