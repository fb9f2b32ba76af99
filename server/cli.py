"""``partyplan`` command line: serve (``cli_serve.py``); db, init, token (``cli_db.py``);
schema; audit, tallies, plans, warnings, doors, feed, sync (``cli_maintenance.py``); keys and
pii (``cli_keys.py``); assets; bench."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import date

from . import cli_init
from .cli_database import owner_database, run_as_owner, settings_of
from .cli_db import cmd_db, cmd_init, cmd_token
from .cli_errors import known_error
from .cli_maintenance import (
    cmd_audit,
    cmd_doors,
    cmd_feed,
    cmd_plans,
    cmd_sync,
    cmd_tallies,
    cmd_warnings,
)
from .cli_serve import cmd_serve, serving_settings
from .settings import load_settings

# Importable from here as before the commands moved to their modules (tests, scripts).
__all__ = ["main", "owner_database", "parser", "run_as_owner", "serving_settings"]

log = logging.getLogger("partyplan")


def cmd_schema(args: argparse.Namespace) -> int:
    from partyplan.schema.schema import SCHEMA_FILE, build_schema, print_schema

    text = print_schema(build_schema(load_settings()))
    if args.write:
        SCHEMA_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {SCHEMA_FILE.name}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_assets(args: argparse.Namespace) -> int:
    """``verify``: the vendored browser files against their manifest (offline); ``fetch``: the
    same against freshly downloaded npm tarballs (``--write`` refreshes files and hashes)."""
    from .assets import command

    return command(args.action, write=args.write)


def _bench_unavailable(args: argparse.Namespace) -> int:
    print("partyplan bench runs from a source checkout (pip install -e .)", file=sys.stderr)
    return 2


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


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
    cli_init.add_arguments(init)
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
    warnings.add_argument(
        "--today",
        type=_iso_date,
        help="judge as of this date (YYYY-MM-DD; default: today); another day than today is a"
        " dry run that writes nothing, unless --force",
    )
    warnings.add_argument(
        "--force", action="store_true", help="with --today: write that day's scan all the same"
    )
    warnings.set_defaults(func=cmd_warnings)

    from . import cli_recruits  # recruits rederive

    cli_recruits.add_parser(sub, with_data_dir)

    from .cli_keys import add_parsers as add_key_parsers  # keys init, pii add-key/use/rotate

    add_key_parsers(sub, with_data_dir, settings_of)

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
    try:
        return int(args.func(args))
    except Exception as error:
        # What the operator can fix is one line and status 2 (as argparse's usage errors);
        # anything else is a bug and keeps its traceback, status 1 (cli_errors.py).
        message = known_error(error)
        if message is None:
            raise
        print(f"partyplan: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
