"""``partyplan recruits rederive``: re-derive stored recruits under the rules now in force, as
the owner, over every school (``resolvers/recruits/service/backfill.py``).

Like the other maintenance commands it never migrates and refuses a database that is not at
this release's schema. ``db upgrade`` runs the ``--missing-only`` form itself after migrating."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection

from .cli_database import run_as_owner
from .errors import StartupRefused

__all__ = ["add_parser"]


def add_parser(
    sub: argparse._SubParsersAction,
    with_data_dir: Callable[[argparse.ArgumentParser], argparse.ArgumentParser],
) -> None:
    recruits = with_data_dir(sub.add_parser("recruits", help="maintenance of recruit records"))
    recruits.add_argument("action", choices=["rederive"])
    recruits.add_argument(
        "--missing-only",
        action="store_true",
        help="only recruits whose admission columns were never derived (recorded before"
        " migration 0022); db upgrade runs this itself",
    )
    recruits.add_argument(
        "--commission", metavar="CODE", help="only the commission with this unit code"
    )
    recruits.set_defaults(func=cmd_recruits)


def cmd_recruits(args: argparse.Namespace) -> int:
    from partyplan.resolvers.recruits.service.backfill import (
        Rederived,
        UnknownCommission,
        rederive_commissions,
    )

    async def work(conn: AsyncConnection) -> list[Rederived]:
        return await rederive_commissions(
            conn, commission_code=args.commission, missing_only=args.missing_only
        )

    try:
        done = run_as_owner(args, work, migrate=False)
    except UnknownCommission as exc:
        raise StartupRefused(
            f"--commission {exc.args[0]}: no commission has this code"
            " (the code given to `partyplan init --commission-code`)"
        ) from None
    for line in done:
        print(f"commission {line.commission_code}: {line.rewritten} recruit(s) re-derived")
    return 0
