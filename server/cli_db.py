"""``partyplan db``, ``init`` and ``token``: migrating the database, creating a commission and
its administrator, minting a bearer token, each as the database owner."""

from __future__ import annotations

import argparse
import asyncio

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from . import cli_init, database_admin
from .cli_database import owner_database, settings_of
from .database import async_url
from .errors import StartupRefused

__all__ = ["cmd_db", "cmd_init", "cmd_token"]


def cmd_db(args: argparse.Namespace) -> int:
    settings = settings_of(args)

    async def run() -> None:
        from . import backfills, console_client

        async with owner_database(settings, migrate=args.action == "upgrade") as url:
            if args.action == "downgrade":
                await database_admin.downgrade(url, settings.app_role, args.revision)
            engine = create_async_engine(async_url(url))
            try:
                async with engine.begin() as conn:
                    revision = await database_admin.current_revision(conn)
                    if args.action == "upgrade" and revision == database_admin.head_revision():
                        # A service with the service role's URL alone cannot register the
                        # console's client: the upgrade (the migration Job) does.
                        await console_client.register(conn, settings)
                        # What a migration added and only the rule engine derives.
                        if rewritten := await backfills.fill(conn):
                            print(f"re-derived {rewritten} recruit(s) recorded before 0022")
                print(f"revision: {revision}")
            finally:
                await engine.dispose()

    asyncio.run(run())
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from partyplan.auth.tokens import TokenService

    settings = settings_of(args)
    longest = settings.token_max_ttl_seconds
    if not 0 < args.ttl <= longest:
        raise StartupRefused(
            f"--ttl {args.ttl}: a token lives 1 to {longest} seconds"
            " (PARTYPLAN_TOKEN_MAX_TTL_SECONDS); give a --ttl within them"
        )

    async def user_id() -> int | None:
        async with owner_database(settings) as url:
            engine = create_async_engine(async_url(url))
            try:
                async with engine.connect() as conn:
                    column = "id" if args.user.isdigit() else "username"
                    return await conn.scalar(
                        sa.text(f"SELECT id FROM users WHERE {column}::text = :u AND active"),
                        {"u": args.user},
                    )
            finally:
                await engine.dispose()

    found = asyncio.run(user_id())
    if found is None:
        raise StartupRefused(
            f"no active user {args.user!r}: give the username or user id of an active account"
            " (`partyplan init` creates the first administrator)"
        )
    tokens = TokenService.from_settings(settings)
    print(tokens.mint(str(found), args.ttl, client_id=args.client_id, scope=args.scope))
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    """Create a commission and its first administrator on an empty installation."""
    values = cli_init.checked(args)  # before the database is touched
    settings = settings_of(args)

    async def run() -> tuple[int, int]:
        async with owner_database(settings) as url:
            return await cli_init.create_commission(url, values)

    print(cli_init.created(values, *asyncio.run(run())))
    return 0
