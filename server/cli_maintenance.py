"""The maintenance commands, each one owner's transaction over every school: ``audit``,
``tallies`` and ``plans verify`` (read), ``tallies rebuild``, ``warnings scan``, and the daily
prunes of ``doors``, ``feed`` and ``sync``.

None of them migrates: like the service, each checks the schema revision and refuses a database
that is not at this release's (``db upgrade`` or the migration Job migrates, once, under the
migration lock). A scheduled job (the warnings CronJob) that migrated would run the owner's
migrations from every job and every release's image, behind the operator's back."""

from __future__ import annotations

import argparse

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from .cli_database import run_as_owner, settings_of

__all__ = [
    "cmd_audit",
    "cmd_doors",
    "cmd_feed",
    "cmd_plans",
    "cmd_sync",
    "cmd_tallies",
    "cmd_warnings",
]


def cmd_audit(args: argparse.Namespace) -> int:
    from partyplan.resolvers.audit.repository import verify_chains

    broken = run_as_owner(args, verify_chains, migrate=False, commit=False)
    for chain, seq, what in broken:
        print(f"chain {chain} entry {seq}: {what} does not verify")
    print("audit log intact" if not broken else f"{len(broken)} problem(s) found")
    return 1 if broken else 0


def cmd_tallies(args: argparse.Namespace) -> int:
    """``verify``: compare every period's stored roll-up tallies with the recruits (and its
    placement tallies with the named targets), and the open-warning tallies with the warnings;
    ``rebuild``: recompute the open periods' tallies, the placement tallies and the
    open-warning tallies (after a bulk load that bypassed the triggers)."""
    from partyplan.resolvers.placements.repository import drift as placement_drift
    from partyplan.resolvers.placements.repository import rebuild as placement_rebuild
    from partyplan.resolvers.rollups.repository import drift, rebuild_open_periods
    from partyplan.resolvers.warnings.repository import tallies as warning_tallies

    from .observability.checks import record_tally_check

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
            for row in await placement_drift(conn, period.id, period.path):
                problems.append(
                    f"period {period.name}: named targets of unit {row.unit_id}: {row.side}"
                )
        rollups = len(problems)
        for tree in await warning_tallies.commissions(conn):
            for row in await warning_tallies.drift(conn, tree):
                problems.append(
                    f"open warnings: unit {row.unit_id} period {row.period_id or 'none'}"
                    f" {row.kind}: {row.side}"
                )
        # Every replica's /metrics shows what this found (server/observability/checks.py).
        await record_tally_check(conn, "rollups", rollups)
        await record_tally_check(conn, "warnings", len(problems) - rollups)
        return problems

    async def rebuild(conn: AsyncConnection) -> tuple[int, int]:
        await placement_rebuild(conn)  # named targets: every period, from the names
        return await rebuild_open_periods(conn), await warning_tallies.rebuild(conn)

    if args.action == "rebuild":
        count, trees = run_as_owner(args, rebuild, migrate=False)
        print(
            f"rebuilt the tallies of {count} open period(s), the open warnings' of {trees} tree(s)"
        )
        return 0
    # Only the finding is written (tally_checks); the tallies and what they count are read.
    problems = run_as_owner(args, verify, migrate=False)
    for problem in problems:
        print(f"{problem} row differs")
    agree = "tallies agree with the recruits and the warnings"
    print(agree if not problems else f"{len(problems)} difference(s)")
    return 1 if problems else 0


def cmd_plans(args: argparse.Namespace) -> int:
    """``verify``: compare every plan balance, every period (open or closed), with the quota
    ledger and the forecasts, and check the sub-quota bounds."""
    from partyplan.resolvers.plans.service.verify import problems

    found = run_as_owner(args, problems, migrate=False, commit=False)
    for problem in found:
        print(problem)
    print("plan balances agree with the ledger" if not found else f"{len(found)} problem(s)")
    return 1 if found else 0


def cmd_warnings(args: argparse.Namespace) -> int:
    """Run every enabled warning rule of every commission (for a scheduler; idempotent).

    The stored warnings are the live ones everybody reads: a scan judged as of another day
    than today is a dry run (its transaction rolled back) unless ``--force`` says to write it.
    A writing scan while another one runs (a CronJob's retry overlapping a slow run) does
    nothing and exits 0: the running one writes the same warnings."""
    from partyplan.resolvers.recruits.service.records import today
    from partyplan.resolvers.warnings.service.scan import ScanResult, claim, scan

    actual = today(settings_of(args).timezone)
    on = args.today or actual
    dry_run = on != actual and not args.force
    if dry_run:
        print(
            f"dry run as of {on} (today is {actual}): nothing is written;"
            " --force writes it to the live warnings"
        )

    async def alone(conn: AsyncConnection) -> ScanResult | None:
        # A dry run writes nothing that lasts: it needs no lock, and waits for none.
        return await scan(conn, on) if dry_run or await claim(conn) else None

    result = run_as_owner(args, alone, migrate=False, commit=not dry_run)
    if result is None:
        print("another scan is running; nothing done")
        return 0
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

    deleted = run_as_owner(args, lambda conn: prune(conn, datetime.now(UTC)), migrate=False)
    print(", ".join(f"{table} {count}" for table, count in deleted.items()))
    return 0


def cmd_feed(args: argparse.Namespace) -> int:
    """``prune``: delete the change feed's changes older than ``feed_retention_days`` (for a
    daily job; idempotent); cursors from before them then get CURSOR_EXPIRED."""
    from datetime import UTC, datetime, timedelta

    from partyplan.resolvers.feed.service import prune

    retention = timedelta(days=settings_of(args).feed_retention_days)
    deleted, mark = run_as_owner(
        args, lambda conn: prune(conn, datetime.now(UTC), retention), migrate=False
    )
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

    settings = settings_of(args)
    days = settings.sync_key_retention_days
    deleted = run_as_owner(args, lambda conn: prune(conn, datetime.now(UTC), days), migrate=False)
    print(f"sync_requests {deleted} (older than {days} days)")
    kept = settings.reconciliation_retention_days
    dropped = run_as_owner(
        args, lambda conn: reports.prune(conn, datetime.now(UTC), kept), migrate=False
    )
    print(f"reconciliation_reports {dropped} open (older than {kept} days)")
    return 0
