"""The content of an execution report, from live figures: what a submitted report freezes.

A school's snapshot has one level per unit that has children (the school first, then its
committees in tree order), each with the unit's line, its children's lines and, when recruits
sit on the unit itself, an ``own`` line (the unit's line minus its children's), so that every
level's rows add up to its total. A province snapshot has one level: the commission and a line
per school. Lines carry the roll-up's figures (workbook.py documents the shape); the content
hash is SHA-256 over the canonical JSON, so a stored snapshot can be checked at any time.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from partyplan.models.rollups import PERIOD_FIGURES
from partyplan.resolvers.plans.repository import balances
from partyplan.resolvers.rollups import repository as tallies
from partyplan.resolvers.rollups.service import RollupLine, check_target
from partyplan.tenants.session import Session

FORMAT = 1
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
        "forecast": line.forecast.total,
        "completion_rate": line.completion_rate,
        "remark": line.forecast_remark,
        **_counted(line.figures),
    }


def _own_line(line: RollupLine, figures: Mapping[str, int]) -> dict[str, Any]:
    """The recruits on the unit itself: no quota or forecast of their own."""
    return {
        "unit_id": line.unit_id,
        "unit_name": "本级直属",
        "unit_kind": line.unit_kind,
        "plan": 0,
        "forecast": 0,
        "completion_rate": None,
        "remark": None,
        **_counted(figures),
    }


def own_figures(line: RollupLine, children: list[RollupLine]) -> dict[str, int] | None:
    """The recruits on the unit itself: its line minus its children's; None when all zero."""
    own = {k: line.figures[k] - sum(c.figures[k] for c in children) for k in PERIOD_FIGURES}
    return own if any(own.values()) else None


def _level(line: RollupLine, children: list[RollupLine]) -> dict[str, Any]:
    own = own_figures(line, children)
    return {
        "unit": {"id": line.unit_id, "name": line.unit_name, "kind": line.unit_kind},
        "line": line_of(line),
        "own": None if own is None else _own_line(line, own),
        "children": [line_of(c) for c in children],
    }


def _header(kind: str, period: sa.Row, unit: sa.Row, timezone: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "kind": kind,
        "period": {
            "id": period.id,
            "name": period.name,
            "starts_on": period.starts_on.isoformat(),
            "ends_on": period.ends_on.isoformat(),
            "report_due_on": period.report_due_on.isoformat(),
        },
        "unit": {"id": unit.id, "name": unit.name, "kind": unit.kind},
        "generated_at": datetime.now(ZoneInfo(timezone)).isoformat(timespec="seconds"),
    }


async def school_snapshot(
    session: Session, period: sa.Row, school: sa.Row, narrative: str, timezone: str
) -> dict[str, Any]:
    """Two statements: every line of the school's subtree, the school's targets."""
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
    return {
        **_header("school", period, school, timezone),
        "narrative": narrative,
        "levels": levels,
        "targets": [
            {
                "indicator": t.indicator,
                "label": TARGET_LABELS[t.indicator],
                "min_count": t.min_count,
                "min_share_percent": None
                if t.min_share_percent is None
                else float(t.min_share_percent),
                "actual": t.actual,
                "share": t.share,
                "met": t.met,
            }
            for t in targets
        ],
    }


async def province_snapshot(
    session: Session, period: sa.Row, commission: sa.Row, timezone: str
) -> dict[str, Any]:
    """One statement: the commission's line and one line per school."""
    rows = await tallies.lines(session, period.id, commission.id)
    line, schools = RollupLine.of(rows[0]), [RollupLine.of(r) for r in rows[1:]]
    return {
        **_header("province", period, commission, timezone),
        "narrative": "",
        "levels": [_level(line, schools)],
        "targets": [],
    }


def content_hash(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
