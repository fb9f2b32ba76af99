"""The warning scan (``partyplan warnings scan``): run every enabled rule of every commission
and bring the stored warnings in line, idempotently.

It runs as the owner (a scheduled maintenance job over every school), in one transaction.
For each rule: the candidates are upserted on (kind, dedupe_key) — a new one is raised, a
standing one whose evidence changed is updated, a resolved one that recurs is opened again,
an unchanged one is not written; then the standing warnings the rule judged and did not find
are resolved. Running it twice therefore changes nothing the second time.

A writing scan first ``claim``s the scan lock, a transaction-scoped advisory lock: two at once
(a scheduler's retry overlapping a slow run, two schedulers) would both judge the same warnings,
and the second would then wait on the first's rows only to write what the first just wrote. The
second therefore does nothing. Being transaction-scoped, the lock also holds behind PgBouncer in
transaction mode, and ends with the scan's transaction however it ends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from ..repository import figures, stored
from ..rules.detection import Detection, ScanContext
from ..rules.kinds import WarningKind, check_params
from . import datacall_checks, feasibility_checks, placement_checks, plan_checks, recruit_checks

Rule = Callable[[ScanContext, dict[str, Any]], Awaitable[Detection]]
RULES: dict[WarningKind, Rule] = {
    WarningKind.SLOW_PROGRESS: plan_checks.slow_progress,
    WarningKind.OVER_PLAN: plan_checks.over_plan,
    WarningKind.RUSHED: plan_checks.rushed,
    WarningKind.LONG_TERM_NONE: recruit_checks.long_term_none,
    WarningKind.LARGE_SWING: plan_checks.large_swing,
    WarningKind.OVERDUE_STEP: recruit_checks.overdue_step,
    WarningKind.MISSING_DATA: recruit_checks.missing_data,
    WarningKind.REPORT_OVERDUE: plan_checks.report_overdue,
    WarningKind.DATA_CALL_DUE: datacall_checks.data_call_due,
    WarningKind.DATA_CALL_OVERDUE: datacall_checks.data_call_overdue,
    WarningKind.PLACES_WITHOUT_NAMES: placement_checks.places_without_names,
    WarningKind.NAMES_WITHOUT_PLACES: placement_checks.names_without_places,
    WarningKind.INFEASIBLE_QUOTA: feasibility_checks.infeasible_quota,
}

#: The advisory lock key of a writing scan ("ppwscan!" in ASCII), in the scanned database.
SCAN_LOCK = 0x707077736361_6E21


async def claim(conn: AsyncConnection) -> bool:
    """Take the scan lock until the transaction ends, without waiting: False when another
    scan's transaction holds it."""
    return await stored.try_transaction_lock(conn, SCAN_LOCK)


@dataclass
class ScanResult:
    raised: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    resolved: dict[str, int] = field(default_factory=dict)

    def add(self, figure: dict[str, int], kind: WarningKind, count: int) -> None:
        if count:
            figure[kind.value] = figure.get(kind.value, 0) + count


async def rules_of(conn: AsyncConnection, commission_id: int) -> dict[WarningKind, dict | None]:
    """Each kind's parameters for the commission (None when switched off)."""
    stored_rules = await stored.rules(conn, commission_id)
    result: dict[WarningKind, dict | None] = {}
    for kind in WarningKind:
        row = stored_rules.get(kind)
        result[kind] = (
            None if row and not row.enabled else check_params(kind, row.params if row else {})
        )
    return result


async def scan(conn: AsyncConnection, today: date) -> ScanResult:
    result = ScanResult()
    for commission in await figures.commissions(conn):
        periods = await figures.periods(conn, commission.id)
        ctx = ScanContext(conn, commission.id, commission.path, today, periods)
        for kind, params in (await rules_of(conn, commission.id)).items():
            detection = Detection() if params is None else await RULES[kind](ctx, params)
            await _apply(ctx, kind, detection, result)
    return result


async def _apply(
    ctx: ScanContext, kind: WarningKind, detection: Detection, result: ScanResult
) -> None:
    rows = [c.as_json() for c in detection.candidates]
    if rows:
        inserted = await stored.raise_candidates(ctx.conn, kind.value, ctx.today, rows)
        result.add(result.raised, kind, sum(inserted))
        result.add(result.changed, kind, len(inserted) - sum(inserted))
    keys = [c.key for c in detection.candidates]
    resolved = await stored.resolve_cleared(
        ctx.conn, kind.value, ctx.commission_path, keys, detection.prefixes
    )
    result.add(result.resolved, kind, resolved)
