"""What the command line's commands share: their settings, and the database as its owner.

A command never owns the embedded server, it attaches to it (``server/embedded/ownership.py``):
a running ``serve`` keeps its server, and without one the last command using it stops it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from . import database_admin
from .cli_errors import require_current_schema
from .database import async_url, with_database
from .errors import StartupRefused
from .settings import Settings, load_settings

__all__ = ["owner_database", "run_as_owner", "settings_of"]

T = TypeVar("T")


def settings_of(args: argparse.Namespace) -> Settings:
    """A command's settings: the environment's, with ``--data-dir`` if given."""
    overrides = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir).resolve()
    return load_settings(**overrides)


@contextlib.asynccontextmanager
async def owner_database(settings: Settings, migrate: bool = True) -> AsyncIterator[str]:
    """The owner URL. The embedded server is attached to, never owned: a running ``serve``
    keeps its server; without one, the server is started if needed and stopped by the last
    command using it (``server/embedded/ownership.py``)."""
    from .embedded import EmbeddedPostgres
    from .platform import EMBEDDED_DATABASE

    if settings.database_url:
        url, embedded = settings.database_url, None
    elif settings.database_mode == "service":
        raise StartupRefused(
            "this command works as the database owner: set PARTYPLAN_DATABASE_URL "
            "(PARTYPLAN_APP_DATABASE_URL alone is the service's, and no embedded server starts)"
        )
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        embedded = EmbeddedPostgres(settings.data_dir)
        grants = embedded.traverse_grants()
        if grants:  # on stderr: a command's stdout may be read by a script (a token)
            print(f"partyplan: adding o+x to {', '.join(map(str, grants))}", file=sys.stderr)
        url = with_database(embedded.attach(), EMBEDDED_DATABASE)
    try:
        if migrate:
            await database_admin.upgrade(url, settings.app_role, settings.app_password)
        yield url
    finally:
        if embedded is not None:
            embedded.detach()


def run_as_owner(
    args: argparse.Namespace,
    work: Callable[[AsyncConnection], Awaitable[T]],
    *,
    migrate: bool = True,
    commit: bool = True,
) -> T:
    """Run ``work`` in one transaction as the owner (maintenance: every school). ``migrate``
    False: the database is not migrated, and refused unless its schema is this release's (the
    verify commands only read). ``commit`` False: the transaction is rolled back (a dry run)."""
    settings = settings_of(args)

    async def run() -> T:
        async with owner_database(settings, migrate=migrate) as url:
            engine = create_async_engine(async_url(url))
            try:
                async with engine.connect() as conn, conn.begin() as transaction:
                    if not migrate:
                        await require_current_schema(conn)
                    done = await work(conn)
                    if not commit:
                        await transaction.rollback()
                    return done
            finally:
                await engine.dispose()

    return asyncio.run(run())
