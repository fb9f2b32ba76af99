"""The peers' side of the database: connection parts node-postgres understands, and
``setup.sql`` applied as the owner.

A DSN here is any URL the project uses (``postgresql://`` or ``postgresql+asyncpg://``). The
embedded server listens on a unix socket only and names its directory in the query string
(``postgresql://postgres@/partyplan?host=/tmp/…/run``); an external server is reached over
TCP. The parts are handed to node as separate fields rather than as a URL, so that both
PostGraphiles' ``pg`` versions read the socket directory the same way.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from partyplan.server.database import app_url_from_owner

from . import plans, tallies

SETUP_SQL = Path(__file__).with_name("setup.sql")
APP_ROLE = "partyplan_app"


def connection(dsn: str) -> dict[str, Any]:
    """``{host, port, user, password, database}``; ``host`` is the socket directory when the
    DSN names one (a ``host`` query parameter or no host at all), else the TCP host."""
    url = make_url(dsn)
    query = {k: v if isinstance(v, str) else v[0] for k, v in url.query.items()}
    host = query.get("host") or url.host or "/var/run/postgresql"
    port = int(query.get("port") or url.port or 5432)
    return {
        "host": host,
        "port": port,
        "user": url.username or "postgres",
        "password": url.password,
        "database": url.database or "postgres",
    }


def app_dsn(owner_dsn: str, role: str = APP_ROLE, password: str | None = None) -> str:
    """The DSN of the service role on the owner's server and database: the role the peers
    connect as, so that row-level security treats them exactly as it treats our service."""
    return app_url_from_owner(owner_dsn, role, password)


async def aprepare(owner_dsn: str) -> None:
    """Apply ``setup.sql`` as the owner, in one transaction; idempotent (it replaces the
    ``bench_peer`` schema)."""
    conn = await asyncpg.connect(**connection(owner_dsn))
    try:
        async with conn.transaction():
            # No arguments: asyncpg sends the script as one simple query, statements and all.
            await conn.execute(SETUP_SQL.read_text())
            # Q1's fair peer: our roll-up's own statement over the tallies (tallies.py).
            await conn.execute(tallies.function_sql())
            # Q2's peer: our plan resolver's own statements (plans.py).
            await conn.execute(plans.function_sql())
    finally:
        await conn.close()


def prepare(owner_dsn: str) -> None:
    """``aprepare`` for synchronous callers; from inside a running event loop it runs on a
    thread of its own (``asyncio.run`` refuses a nested loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(aprepare(owner_dsn))
        return
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(aprepare(owner_dsn))
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
