"""``partyplan serve``: the service, its embedded database owned, with demo data on demand."""

from __future__ import annotations

import argparse
import asyncio
import sys

from .cli_database import settings_of
from .errors import StartupRefused
from .settings import Settings

__all__ = ["cmd_serve", "serving_settings"]

DEMO_TOKEN_TTL = 12 * 3600
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def serving_settings(args: argparse.Namespace) -> Settings:
    """``serve``'s settings. The console's sign-in returns to the public URL: on a loopback
    host it is where this server listens, unless ``PARTYPLAN_PUBLIC_URL`` says otherwise."""
    settings = settings_of(args)
    if "public_url" not in settings.model_fields_set and args.host in LOOPBACK_HOSTS:
        return settings.model_copy(update={"public_url": f"http://{args.host}:{args.port}"})
    return settings


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from . import serving
    from .app import create_app
    from .observability import configure_logging
    from .platform import Platform

    settings = serving_settings(args)
    base = f"http://{args.host}:{args.port}"
    # uvloop and httptools unless told otherwise; one named but missing refuses here, before
    # anything starts.
    serving.loop_and_http(settings)

    if args.demo and settings.database_mode == "service":
        raise StartupRefused(
            "serve --demo loads its data as the owner: it needs the embedded database or "
            "PARTYPLAN_DATABASE_URL"
        )

    async def on_ready(platform: Platform) -> None:
        where = {
            "embedded": f"embedded PostgreSQL in {settings.data_dir}",
            "external": "external PostgreSQL",
            "service": "external PostgreSQL, as the service role only",
        }[settings.database_mode]
        print(f"partyplan: {where}", flush=True)
        print(
            f"GraphQL:   {base}/graphql" + ("" if settings.is_production else "  (GraphiQL)"),
            flush=True,
        )
        print(f"Console:   {settings.public_url}/console/", flush=True)
        if args.demo:
            from partyplan.resolvers.attachments.storage import store_for

            from .demo import load_demo
            from .demo_sign_in import demo_password

            assert platform.owner_url is not None
            password = demo_password(settings.data_dir)
            accounts = await load_demo(
                platform.owner_url,
                platform.pii,
                province=args.demo == "province",
                password=password,
                store=store_for(settings),
            )
            print(f"Demo password of every account below: {password}", flush=True)
            print(
                f"Demo bearer tokens (valid {DEMO_TOKEN_TTL // 3600} h), header 'Authorization: Bearer <token>':"
            )
            for account in accounts:
                token = platform.tokens.mint(str(account.user_id), DEMO_TOKEN_TTL)
                print(
                    f"  {account.role:<18} {account.username:<16} {account.unit_name}\n    {token}"
                )
        print("Ready. Ctrl-C stops the service and its database.", flush=True)

    # Bound before anything starts: a taken port is refused in one line, never after "Ready".
    listener = serving.listen(args.host, args.port)
    try:
        platform = Platform(settings)
        if settings.database_mode == "embedded":
            # One server per data directory: a second is refused before it changes anything.
            serving.announce_traverse(platform.claim_data_dir())
        # The database is started, migrated or its revision checked before anything listens:
        # a refusal (StartupRefused) is one line, not a failed ASGI lifespan.
        asyncio.run(platform.prepare())
    except BaseException:
        listener.close()
        raise
    app = create_app(platform, on_ready=on_ready)
    # Our handler formats every line (JSON in production); the access middleware writes the
    # access lines (server/observability), so uvicorn's own are off (serving.uvicorn_config).
    configure_logging(settings, replace=True)
    server = uvicorn.Server(serving.uvicorn_config(app, settings, args.host, args.port))
    lost: list[bool] = []

    def database_lost() -> None:  # the watchdog could not start the embedded server again
        lost.append(True)
        server.should_exit = True

    platform.on_database_failed = database_lost
    try:
        server.run(sockets=[listener])
    except KeyboardInterrupt:
        # uvicorn re-raises a captured SIGINT after its graceful shutdown (the lifespan has
        # stopped the database by then); exit like a Ctrl-C'd program, without a traceback.
        return 130
    finally:
        if platform.embedded is not None:  # the lifespan never ran to stop it
            platform.embedded.stop()
    if lost:
        print(
            "partyplan: the embedded PostgreSQL died and could not be started again (its log: "
            f"{settings.data_dir / 'pg' / 'log' / 'postgres.log'}); exiting so that a "
            "supervisor restarts the service",
            file=sys.stderr,
        )
        return 1
    return 0
