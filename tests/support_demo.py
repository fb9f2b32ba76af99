"""The demo data (server/demo.py) loaded into the test database through its own loader, with a
token for each demo account: tests that the demo's figures hold as a client reads them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


async def load(platform: Any, *, province: bool = False) -> dict[str, str]:
    """Load the demo (recruits too; with ``province``, the ten more schools) and return a token
    per demo username."""
    from partyplan.server.demo import load_demo

    accounts = await load_demo(platform.owner_url, platform.pii, province=province)
    return {a.username: platform.tokens.mint(str(a.user_id), 600) for a in accounts}


async def unit_id(owner_engine: Any, code: str) -> int:
    async with owner_engine.connect() as conn:
        return await conn.scalar(sa.text("SELECT id FROM units WHERE code = :c"), {"c": code})
