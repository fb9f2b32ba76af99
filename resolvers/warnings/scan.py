"""The warning scan (``partyplan warnings scan``): run every enabled rule of every commission
and bring the stored warnings in line, idempotently.

It runs as the owner (a scheduled maintenance job over every school), in one transaction.
For each rule: the candidates are upserted on (kind, dedupe_key) — a new one is raised, a
standing one whose evidence changed is updated, a resolved one that recurs is opened again,
an unchanged one is not written; then the standing warnings the rule judged and did not find
are resolved. Running it twice therefore changes nothing the second time.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from . import plan_rules, recruit_rules
from .detection import Detection, ScanContext
from .kinds import WarningKind, check_params

Rule = Callable[[ScanContext, dict[str, Any]], Awaitable[Detection]]
RULES: dict[WarningKind, Rule] = {
    WarningKind.SLOW_PROGRESS: plan_rules.slow_progress,
    WarningKind.OVER_PLAN: plan_rules.over_plan,
    WarningKind.RUSHED: plan_rules.rushed,
    WarningKind.LONG_TERM_NONE: recruit_rules.long_term_none,
    WarningKind.LARGE_SWING: plan_rules.large_swing,
    WarningKind.OVERDUE_STEP: recruit_rules.overdue_step,
    WarningKind.MISSING_DATA: recruit_rules.missing_data,
    WarningKind.REPORT_OVERDUE: plan_rules.report_overdue,
}


@dataclass
class ScanResult:
    raised: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    resolved: dict[str, int] = field(default_factory=dict)

    def add(self, figure: dict[str, int], kind: WarningKind, count: int) -> None:
        if count:
            figure[kind.value] = figure.get(kind.value, 0) + count


_UPSERT = sa.text("""
INSERT INTO warnings AS w (kind, dedupe_key, unit_id, unit_path, school_id, period_id,
                           recruit_id, message, evidence, seen_on)
SELECT :kind, c.key, c.unit_id, CAST(c.unit_path AS ltree), c.school_id, c.period_id,
       c.recruit_id, c.message, c.evidence, :today
  FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS c(key text, unit_id bigint, unit_path text,
       school_id bigint, period_id bigint, recruit_id bigint, message text, evidence jsonb)
ON CONFLICT (kind, dedupe_key) DO UPDATE
   SET message = excluded.message, evidence = excluded.evidence, unit_id = excluded.unit_id,
       unit_path = excluded.unit_path, school_id = excluded.school_id, seen_on = excluded.seen_on,
       status = CASE WHEN w.status = 'resolved' THEN 'open' ELSE w.status END,
       raised_at = CASE WHEN w.status = 'resolved' THEN now() ELSE w.raised_at END,
       resolved_at = NULL
 WHERE w.status = 'resolved' OR w.evidence IS DISTINCT FROM excluded.evidence
       OR w.message IS DISTINCT FROM excluded.message OR w.unit_path <> excluded.unit_path
RETURNING (xmax = 0) AS inserted
""")

_RESOLVE = sa.text("""
UPDATE warnings SET status = 'resolved', resolved_at = now()
 WHERE kind = :kind AND status <> 'resolved' AND unit_path <@ CAST(:c AS ltree)
   AND NOT (dedupe_key = ANY(CAST(:keys AS text[])))
   AND (CAST(:all AS boolean) OR dedupe_key LIKE ANY(CAST(:patterns AS text[])))
""")


async def rules_of(conn: AsyncConnection, commission_id: int) -> dict[WarningKind, dict | None]:
    """Each kind's parameters for the commission (None when switched off)."""
    rows = await conn.execute(
        sa.text("SELECT kind, enabled, params FROM warning_rules WHERE commission_id = :c"),
        {"c": commission_id},
    )
    stored = {WarningKind(r.kind): r for r in rows}
    result: dict[WarningKind, dict | None] = {}
    for kind in WarningKind:
        row = stored.get(kind)
        result[kind] = (
            None if row and not row.enabled else check_params(kind, row.params if row else {})
        )
    return result


async def scan(conn: AsyncConnection, today: date) -> ScanResult:
    result = ScanResult()
    commissions = await conn.execute(
        sa.text(
            "SELECT id, path::text AS path FROM units WHERE kind = 'commission' AND parent_id IS NULL"
            " ORDER BY id"
        )
    )
    for commission in commissions.all():
        periods = await conn.execute(
            sa.text("SELECT * FROM plan_periods WHERE commission_id = :c ORDER BY starts_on, id"),
            {"c": commission.id},
        )
        ctx = ScanContext(conn, commission.id, commission.path, today, list(periods.all()))
        for kind, params in (await rules_of(conn, commission.id)).items():
            detection = Detection() if params is None else await RULES[kind](ctx, params)
            await _apply(ctx, kind, detection, result)
    return result


async def _apply(
    ctx: ScanContext, kind: WarningKind, detection: Detection, result: ScanResult
) -> None:
    rows = [c.as_json() for c in detection.candidates]
    if rows:
        written = await ctx.conn.execute(
            _UPSERT, {"kind": kind.value, "today": ctx.today, "rows": json.dumps(rows)}
        )
        inserted = [r.inserted for r in written]
        result.add(result.raised, kind, sum(inserted))
        result.add(result.changed, kind, len(inserted) - sum(inserted))
    prefixes = detection.prefixes
    resolved = await ctx.conn.execute(
        _RESOLVE,
        {
            "kind": kind.value,
            "c": ctx.commission_path,
            "keys": [c.key for c in detection.candidates],
            "all": prefixes is None,
            "patterns": [p.replace("%", r"\%") + "%" for p in prefixes or []],
        },
    )
    result.add(result.resolved, kind, resolved.rowcount)
