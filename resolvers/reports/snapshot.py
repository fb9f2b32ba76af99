"""The content of an execution report, from live figures: what a submitted report freezes.

A school's snapshot has one level per unit that has children (the school first, then its
committees in tree order), each with the unit's line, its children's lines and, when recruits
sit on the unit itself or it forecast for itself, an ``own`` line (the unit's line minus its
children's), so that every level's rows add up to its total; the places it reserved and has not
handed down are the line's ``reserve`` and ``unallocated``, rows of their own in the workbook.
A province snapshot has one level: the commission and a line
per school. Lines carry the roll-up's figures (workbook.py documents the shape); the content
hash is SHA-256 over the canonical JSON, so a stored snapshot can be checked at any time.

Every figure is counted as of one moment, ``generated_at``, whose date in the commission's time
zone is ``as_of``: the records as they stood then, findings included (those open at that moment,
whatever the date of the step they are about). A submitted report's moment is its submission
(``submitted_at``), so a finding raised or resolved later moves the live roll-up, never the
report; a preview's moment is when it is read. The tallies of a closed period stopped moving at
its close: a snapshot whose ``period.state`` is ``closed`` shows the figures of the close.
Format 1 snapshots (stored before ``as_of``) count as of their ``generated_at`` all the same.

A school's snapshot lists the admissions of the period annulled as irregular (``annulments``:
一律不予承认), which its figures no longer count; snapshots stored before the list carry none.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from partyplan.models.rollups import PERIOD_FIGURES
from partyplan.resolvers.annulments import service as annulments
from partyplan.resolvers.plans.repository import balances
from partyplan.resolvers.rollups import repository as tallies
from partyplan.resolvers.rollups.service import RollupLine, check_target
from partyplan.tenants.session import Session

FORMAT = 2
STRUCTURE = (
    "women",
    "ethnic_minority",
    "youth_35",
    "college_educated",
    "students",
    "staff",
    "high_knowledge",
    "professional_technical",
)
PIPELINE = ("applicants", "activists", "development_targets", "probationary", "converted")
TARGET_LABELS = {
    "youth_35": "35岁及以下青年",
    "college_educated": "大专及以上学历",
    "women": "女性",
    "ethnic_minority": "少数民族",
    "professional_technical": "专业技术人员",
}


def _counted(figures: Mapping[str, int]) -> dict[str, Any]:
    return {
        "admitted": figures["admitted"],
        "admitted_exempt": figures["admitted_exempt"],
        "structure": {k: figures[k] for k in STRUCTURE},
        "pipeline": {k: figures[k] for k in PIPELINE},
        "open_findings": figures["open_findings"],
    }


def line_of(line: RollupLine) -> dict[str, Any]:
    return {
        "unit_id": line.unit_id,
        "unit_name": line.unit_name,
        "unit_kind": line.unit_kind,
        "plan": line.plan,
        # The places of the plan kept back and not yet handed down: rows of their own in a
        # level, so that its 计划数 adds up.
        "reserve": line.reserve.total,
        "unallocated": line.unallocated.total,
        "forecast": line.forecast.total,
        "completion_rate": line.completion_rate,
        "remark": line.forecast_remark,
        **_counted(line.figures),
    }


def _own_line(line: RollupLine, figures: Mapping[str, int]) -> dict[str, Any]:
    """The unit itself beside its children: the recruits on it and its own forecast, with no
    quota of its own (its reserve and unallocated places are rows of their own)."""
    return {
        "unit_id": line.unit_id,
        "unit_name": "本级直属",
        "unit_kind": line.unit_kind,
        "plan": 0,
        "forecast": line.own_forecast.total,
        "completion_rate": None,
        "remark": line.forecast_remark if line.own_forecast.total else None,
        **_counted(figures),
    }


def own_figures(line: RollupLine, children: list[RollupLine]) -> dict[str, int] | None:
    """The recruits on the unit itself: its line minus its children's; None when all zero."""
    own = {k: line.figures[k] - sum(c.figures[k] for c in children) for k in PERIOD_FIGURES}
    return own if any(own.values()) else None


def _level(line: RollupLine, children: list[RollupLine]) -> dict[str, Any]:
    own = own_figures(line, children)
    if own is None and not line.own_forecast.is_zero:
        own = dict.fromkeys(PERIOD_FIGURES, 0)  # its own forecast alone
    return {
        "unit": {"id": line.unit_id, "name": line.unit_name, "kind": line.unit_kind},
        "line": line_of(line),
        "own": None if own is None else _own_line(line, own),
        "children": [line_of(c) for c in children],
    }


def _header(
    kind: str, period: sa.Row, unit: sa.Row, timezone: str, at: datetime | None
) -> dict[str, Any]:
    """``at``: the moment the figures are counted as of (now when None), aware."""
    moment = (at or datetime.now(UTC)).astimezone(ZoneInfo(timezone))
    return {
        "format": FORMAT,
        "kind": kind,
        "period": {
            "id": period.id,
            "name": period.name,
            "starts_on": period.starts_on.isoformat(),
            "ends_on": period.ends_on.isoformat(),
            "report_due_on": period.report_due_on.isoformat(),
            "state": period.state,
        },
        "unit": {"id": unit.id, "name": unit.name, "kind": unit.kind},
        "generated_at": moment.isoformat(timespec="seconds"),
        "as_of": moment.date().isoformat(),
    }


async def school_snapshot(
    session: Session,
    period: sa.Row,
    school: sa.Row,
    narrative: str,
    timezone: str,
    *,
    at: datetime | None = None,
) -> dict[str, Any]:
    """Two statements: every line of the school's subtree, the school's targets. ``at``: the
    moment the figures are read (the submission's), now when None."""
    rows = await tallies.subtree_lines(session, period.id, school.path)
    lines = {r.unit_id: RollupLine.of(r) for r in rows}
    children: dict[int, list[RollupLine]] = defaultdict(list)
    for row in rows:
        if row.parent_id in lines:
            children[row.parent_id].append(lines[row.unit_id])
    levels, queue = [], [school.id]
    while queue:  # breadth first: the school, then each level below it in tree order
        unit_id = queue.pop(0)
        if children[unit_id]:
            levels.append(_level(lines[unit_id], children[unit_id]))
            queue += [c.unit_id for c in children[unit_id]]
    if not levels:
        levels.append(_level(lines[school.id], []))
    targets = [
        check_target(t, lines[school.id])
        for t in await balances.targets(session, period.id, school.id)
    ]
    annulled = await annulments.for_report(session, school.id, period.starts_on, period.ends_on)
    return {
        **_header("school", period, school, timezone, at),
        "narrative": narrative,
        "levels": levels,
        "targets": [
            {
                "indicator": t.indicator,
                "label": TARGET_LABELS[t.indicator],
                "min_count": t.min_count,
                # The API's convention (a fraction) beside the percentage that reports frozen
                # before it carry, which the workbook reads.
                "min_share": None
                if t.min_share_percent is None
                else float(t.min_share_percent / 100),
                "min_share_percent": None
                if t.min_share_percent is None
                else float(t.min_share_percent),
                "actual": t.actual,
                "share": t.share,
                "met": t.met,
            }
            for t in targets
        ],
        "annulments": [annulment_of(a) for a in annulled],
    }


def annulment_of(row: sa.Row) -> dict[str, Any]:
    """One annulled admission as the report lists it."""
    return {
        "recruit_id": row.recruit_id,
        "recruit_name": row.recruit_name,
        "branch_id": row.branch_id,
        "branch_name": row.branch_name,
        "approved_on": row.approved_on.isoformat(),
        "annulled_on": row.annulled_on.isoformat(),
        "reason": row.reason,
        "document_no": row.document_no,
    }


async def province_snapshot(
    session: Session, period: sa.Row, commission: sa.Row, timezone: str
) -> dict[str, Any]:
    """One statement: the commission's line and one line per school."""
    rows = await tallies.lines(session, period.id, commission.id)
    line, schools = RollupLine.of(rows[0]), [RollupLine.of(r) for r in rows[1:]]
    return {
        **_header("province", period, commission, timezone, None),
        "narrative": "",
        "levels": [_level(line, schools)],
        "targets": [],
    }


def content_hash(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
