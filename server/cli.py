"""``partyplan`` command line: serve, db, token, init, schema, audit, tallies, plans, warnings,
assets."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from . import database_admin
from .database import async_url, with_database
from .settings import Settings

log = logging.getLogger("partyplan")

DEMO_TOKEN_TTL = 12 * 3600
T = TypeVar("T")


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def serving_settings(args: argparse.Namespace) -> Settings:
    """``serve``'s settings. The console's sign-in returns to the public URL: on a loopback
    host it is where this server listens, unless ``PARTYPLAN_PUBLIC_URL`` says otherwise."""
    settings = _settings(args)
    if "public_url" not in settings.model_fields_set and args.host in LOOPBACK_HOSTS:
        return settings.model_copy(update={"public_url": f"http://{args.host}:{args.port}"})
    return settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir).resolve()
    return Settings(**overrides)


@contextlib.asynccontextmanager
async def owner_database(settings: Settings, migrate: bool = True) -> AsyncIterator[str]:
    """The owner URL, starting the embedded server if needed — and stopping it afterwards only
    if this command started it (a running ``serve`` keeps its server)."""
    from .embedded import EmbeddedPostgres
    from .platform import EMBEDDED_DATABASE

    if settings.database_url:
        url, embedded, started = settings.database_url, None, False
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        embedded = EmbeddedPostgres(settings.data_dir)
        started = not embedded.running()
        url = with_database(embedded.start(), EMBEDDED_DATABASE)
    try:
        if migrate:
            await database_admin.upgrade(url, settings.app_role, settings.app_password)
        yield url
    finally:
        if embedded is not None and started:
            embedded.stop()


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app
    from .platform import Platform

    settings = serving_settings(args)
    base = f"http://{args.host}:{args.port}"

    async def on_ready(platform: Platform) -> None:
        where = (
            "external PostgreSQL"
            if settings.database_url
            else f"embedded PostgreSQL in {settings.data_dir}"
        )
        print(f"partyplan: {where}", flush=True)
        print(
            f"GraphQL:   {base}/graphql" + ("" if settings.is_production else "  (GraphiQL)"),
            flush=True,
        )
        print(f"Console:   {settings.public_url}/console/", flush=True)
        if args.demo:
            from .demo import load_demo
            from .demo_sign_in import demo_password

            assert platform.owner_url is not None
            password = demo_password(settings.data_dir)
            accounts = await load_demo(
                platform.owner_url,
                platform.pii,
                province=args.demo == "province",
                password=password,
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

    app = create_app(Platform(settings), on_ready=on_ready)
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning", lifespan="on")
    try:
        uvicorn.Server(config).run()
    except KeyboardInterrupt:
        # uvicorn re-raises a captured SIGINT after its graceful shutdown (the lifespan has
        # stopped the database by then); exit like a Ctrl-C'd program, without a traceback.
        return 130
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    settings = _settings(args)

    async def run() -> None:
        async with owner_database(settings, migrate=args.action == "upgrade") as url:
            if args.action == "downgrade":
                await database_admin.downgrade(url, settings.app_role, args.revision)
            engine = create_async_engine(async_url(url))
            try:
                async with engine.connect() as conn:
                    print(f"revision: {await database_admin.current_revision(conn)}")
            finally:
                await engine.dispose()

    asyncio.run(run())
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from partyplan.auth.tokens import TokenService

    settings = _settings(args)

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
        print(f"no active user {args.user!r}", file=sys.stderr)
        return 1
    tokens = TokenService.from_settings(settings)
    print(tokens.mint(str(found), args.ttl, client_id=args.client_id, scope=args.scope))
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    """Create a commission and its first administrator on an empty installation."""
    settings = _settings(args)

    async def run() -> None:
        async with owner_database(settings) as url:
            engine = create_async_engine(async_url(url))
            try:
                async with engine.begin() as conn:
                    unit_id = await conn.scalar(
                        sa.text(
                            "INSERT INTO units (kind, name, code, path) "
                            "VALUES ('commission', :n, :c, '0') RETURNING id"
                        ),
                        {"n": args.commission_name, "c": args.commission_code},
                    )
                    user_id = await conn.scalar(
                        sa.text(
                            "INSERT INTO users (username, display_name, home_unit_id, home_path) "
                            "SELECT :u, :d, id, path FROM units WHERE id = :unit RETURNING id"
                        ),
                        {"u": args.admin_username, "d": args.admin_name, "unit": unit_id},
                    )
                    await conn.execute(
                        sa.text(
                            "INSERT INTO role_bindings (user_id, role, unit_id, unit_path) "
                            "SELECT :user, 'commission_admin', id, path FROM units WHERE id = :unit"
                        ),
                        {"user": user_id, "unit": unit_id},
                    )
                print(
                    f"commission {unit_id} and administrator {args.admin_username} (user {user_id}) created"
                )
            finally:
                await engine.dispose()

    asyncio.run(run())
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from partyplan.schema.schema import SCHEMA_FILE, build_schema, print_schema

    text = print_schema(build_schema(Settings()))
    if args.write:
        SCHEMA_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {SCHEMA_FILE.name}")
    else:
        sys.stdout.write(text)
    return 0


def run_as_owner(args: argparse.Namespace, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    """Run ``work`` in one transaction as the migrating owner (maintenance: every school)."""
    settings = _settings(args)

    async def run() -> T:
        async with owner_database(settings) as url:
            engine = create_async_engine(async_url(url))
            try:
                async with engine.begin() as conn:
                    return await work(conn)
            finally:
                await engine.dispose()

    return asyncio.run(run())


def cmd_audit(args: argparse.Namespace) -> int:
    from partyplan.resolvers.audit.repository import verify_chains

    broken = run_as_owner(args, verify_chains)
    for chain, seq, what in broken:
        print(f"chain {chain} entry {seq}: {what} does not verify")
    print("audit log intact" if not broken else f"{len(broken)} problem(s) found")
    return 1 if broken else 0


def cmd_tallies(args: argparse.Namespace) -> int:
    """``verify``: compare every period's stored roll-up tallies with the recruits, and the
    open-warning tallies with the warnings; ``rebuild``: recompute the open periods' tallies
    and the open-warning tallies (after a bulk load that bypassed the triggers)."""
    from partyplan.resolvers.rollups.repository import drift, rebuild_open_periods
    from partyplan.resolvers.warnings.repository import tallies as warning_tallies

    async def verify(conn: AsyncConnection) -> list[str]:
        periods = await conn.execute(
            sa.text(
                "SELECT id, name, commission_path::text AS path"
                " FROM plan_periods WHERE state <> 'closed'"
            )
        )
        problems = []
        for period in periods.all():
            for row in await drift(conn, period.id, period.path):
                where = f" month {row.month}" if row.month else ""
                problems.append(f"period {period.name}: unit {row.unit_id}{where}: {row.side}")
        for tree in await warning_tallies.commissions(conn):
            for row in await warning_tallies.drift(conn, tree):
                problems.append(
                    f"open warnings: unit {row.unit_id} period {row.period_id or 'none'}"
                    f" {row.kind}: {row.side}"
                )
        return problems

    async def rebuild(conn: AsyncConnection) -> tuple[int, int]:
        return await rebuild_open_periods(conn), await warning_tallies.rebuild(conn)

    if args.action == "rebuild":
        count, trees = run_as_owner(args, rebuild)
        print(
            f"rebuilt the tallies of {count} open period(s), the open warnings' of {trees} tree(s)"
        )
        return 0
    problems = run_as_owner(args, verify)
    for problem in problems:
        print(f"{problem} row differs")
    agree = "tallies agree with the recruits and the warnings"
    print(agree if not problems else f"{len(problems)} difference(s)")
    return 1 if problems else 0


def cmd_plans(args: argparse.Namespace) -> int:
    """``verify``: compare every plan balance, every period (open or closed), with the quota
    ledger and the forecasts, and check the sub-quota bounds."""
    from partyplan.resolvers.plans.service.verify import problems

    found = run_as_owner(args, problems)
    for problem in found:
        print(problem)
    print("plan balances agree with the ledger" if not found else f"{len(found)} problem(s)")
    return 1 if found else 0


def cmd_warnings(args: argparse.Namespace) -> int:
    """Run every enabled warning rule of every commission (for a scheduler; idempotent)."""
    from partyplan.resolvers.recruits.service.records import today
    from partyplan.resolvers.warnings.service.scan import scan

    on = date.fromisoformat(args.today) if args.today else today(_settings(args).timezone)
    result = run_as_owner(args, lambda conn: scan(conn, on))
    for label, figures in (
        ("raised", result.raised),
        ("changed", result.changed),
        ("resolved", result.resolved),
    ):
        shown = ", ".join(f"{kind} {count}" for kind, count in sorted(figures.items()))
        print(f"{label}: {shown or 'none'}")
    return 0


def cmd_doors(args: argparse.Namespace) -> int:
    """``prune``: delete ended grants with their codes and refresh tokens, expired codes, ended
    sign-in sessions and revoked token ids past their expiry (for a daily job; idempotent)."""
    from datetime import UTC, datetime

    from partyplan.resolvers.oauth.service.prune import prune

    deleted = run_as_owner(args, lambda conn: prune(conn, datetime.now(UTC)))
    print(", ".join(f"{table} {count}" for table, count in deleted.items()))
    return 0


def cmd_feed(args: argparse.Namespace) -> int:
    """``prune``: delete the change feed's changes older than ``feed_retention_days`` (for a
    daily job; idempotent); cursors from before them then get CURSOR_EXPIRED."""
    from datetime import UTC, datetime, timedelta

    from partyplan.resolvers.feed.service import prune

    retention = timedelta(days=_settings(args).feed_retention_days)
    deleted, mark = run_as_owner(args, lambda conn: prune(conn, datetime.now(UTC), retention))
    through = "" if mark is None else f" (through {mark.xid}/{mark.seq})"
    print(f"change_outbox {deleted}{through}")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    """``prune``: delete the sync answers kept longer than ``SYNC_KEY_RETENTION_DAYS`` and the
    reconciliation reports never applied older than ``RECONCILIATION_RETENTION_DAYS`` (for a
    daily job; idempotent)."""
    from datetime import UTC, datetime

    from partyplan.resolvers.reconciliation.service import prune as reports
    from partyplan.resolvers.sync.service import prune

    settings = _settings(args)
    days = settings.sync_key_retention_days
    deleted = run_as_owner(args, lambda conn: prune(conn, datetime.now(UTC), days))
    print(f"sync_requests {deleted} (older than {days} days)")
    kept = settings.reconciliation_retention_days
    dropped = run_as_owner(args, lambda conn: reports.prune(conn, datetime.now(UTC), kept))
    print(f"reconciliation_reports {dropped} open (older than {kept} days)")
    return 0


def cmd_assets(args: argparse.Namespace) -> int:
    """``verify``: the vendored browser files against their manifest (offline); ``fetch``: the
    same against freshly downloaded npm tarballs (``--write`` refreshes files and hashes)."""
    from .assets import command

    return command(args.action, write=args.write)


def _bench_unavailable(args: argparse.Namespace) -> int:
    print("partyplan bench runs from a source checkout (pip install -e .)", file=sys.stderr)
    return 2


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="partyplan", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)

    def with_data_dir(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--data-dir", help="embedded database and keys (PARTYPLAN_DATA_DIR)")
        return p

    serve = with_data_dir(sub.add_parser("serve", help="run the service"))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--demo",
        nargs="?",
        const="basic",
        choices=["basic", "province"],
        help="load demo data and print tokens: basic (two schools, the default; ready in "
        "seconds) or province (ten more Shanxi schools dated from today, recruits in every "
        "stage, warnings of every kind; about a minute the first time)",
    )
    serve.set_defaults(func=cmd_serve)

    db = with_data_dir(sub.add_parser("db", help="migrations"))
    db.add_argument("action", choices=["upgrade", "downgrade", "current"])
    db.add_argument("revision", nargs="?", default="head")
    db.set_defaults(func=cmd_db)

    token = with_data_dir(sub.add_parser("token", help="mint a bearer token for a user"))
    token.add_argument("--user", required=True, help="username or user id")
    token.add_argument("--ttl", type=int, default=3600, help="seconds")
    token.add_argument(
        "--client-id",
        default=None,
        help="a registered client the token acts through: refused once the client is disabled,"
        " and narrowed to --scope",
    )
    token.add_argument(
        "--scope", default=None, help="space-separated scopes (read record manage pii sync)"
    )
    token.set_defaults(func=cmd_token)

    init = with_data_dir(sub.add_parser("init", help="create a commission and its administrator"))
    init.add_argument("--commission-name", required=True)
    init.add_argument("--commission-code", required=True)
    init.add_argument("--admin-username", required=True)
    init.add_argument("--admin-name", required=True)
    init.set_defaults(func=cmd_init)

    schema = sub.add_parser("schema", help="print the GraphQL schema (SDL)")
    schema.add_argument("--write", action="store_true", help="write schema.graphql")
    schema.set_defaults(func=cmd_schema)

    audit = with_data_dir(sub.add_parser("audit", help="verify the audit log's hash chains"))
    audit.add_argument("action", choices=["verify"])
    audit.set_defaults(func=cmd_audit)

    tallies = with_data_dir(sub.add_parser("tallies", help="check or rebuild roll-up tallies"))
    tallies.add_argument("action", choices=["verify", "rebuild"])
    tallies.set_defaults(func=cmd_tallies)

    plans = with_data_dir(sub.add_parser("plans", help="check plan balances against the ledger"))
    plans.add_argument("action", choices=["verify"])
    plans.set_defaults(func=cmd_plans)

    doors = with_data_dir(sub.add_parser("doors", help="housekeeping of the OAuth2 doors"))
    doors.add_argument("action", choices=["prune"])
    doors.set_defaults(func=cmd_doors)

    feed = with_data_dir(sub.add_parser("feed", help="housekeeping of the change feed"))
    feed.add_argument("action", choices=["prune"])
    feed.set_defaults(func=cmd_feed)

    sync = with_data_dir(sub.add_parser("sync", help="housekeeping of the sync API"))
    sync.add_argument("action", choices=["prune"])
    sync.set_defaults(func=cmd_sync)

    warnings = with_data_dir(sub.add_parser("warnings", help="run the warning rules"))
    warnings.add_argument("action", choices=["scan"])
    warnings.add_argument("--today", help="judge as of this date (YYYY-MM-DD; default: today)")
    warnings.set_defaults(func=cmd_warnings)

    assets = sub.add_parser("assets", help="vendored browser files (server/static/vendor.json)")
    assets.add_argument("action", choices=["verify", "fetch"])
    assets.add_argument(
        "--write", action="store_true", help="fetch: rewrite the files and hashes from npm"
    )
    assets.set_defaults(func=cmd_assets)

    bench = sub.add_parser("bench", help="benchmarks: scale data and scenario runs (checkout only)")
    bench_actions = bench.add_subparsers(dest="bench_action", required=True)
    try:
        from partyplan.bench import generate as bench_generate
        from partyplan.bench import runner as bench_runner
    except ImportError:  # an installed wheel: bench/ ships only with the source checkout
        bench_actions.required = False
        bench.set_defaults(func=_bench_unavailable)
    else:
        bench_generate.add_parser(bench_actions)
        bench_runner.add_parser(bench_actions)
    return root


def main(argv: list[str] | None = None) -> int:
    # platformdirs warns when XDG_RUNTIME_DIR is unset; keep the serve output clean.
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
