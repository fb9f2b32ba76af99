"""Warning rules over the named targets (docs/named-targets.md): places without names, names
without places, each judged late in the period only (the last ``last_weeks`` weeks, a
parameter the commission edits), when a branch should long have settled who its places are
for. Early in the period a place not yet named is the ordinary state of a plan being made."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from ..repository import placements
from ..rules.detection import Candidate, Detection, ScanContext


def late_window(period: sa.Row, last_weeks: int) -> date:
    """The first day of the period's last ``last_weeks`` weeks."""
    return period.ends_on - timedelta(weeks=last_weeks) + timedelta(days=1)


def _judged(ctx: ScanContext, params: dict[str, Any]) -> list[tuple[sa.Row, date]]:
    """The issued periods whose late window holds today (a period ended is left as it stood)."""
    judged = []
    for period in ctx.periods:
        start = late_window(period, params["last_weeks"])
        if period.state == "issued" and start <= ctx.today <= period.ends_on:
            judged.append((period, start))
    return judged


async def places_without_names(ctx: ScanContext, params: dict[str, Any]) -> Detection:
    """A branch holding places no named development target holds (and no admission used)."""
    detection = Detection(prefixes=[])
    for period, start in _judged(ctx, params):
        detection.prefixes.append(f"{period.id}:")  # type: ignore[union-attr]
        for row in await placements.places_without_names(ctx.conn, period):
            idle = row.available - row.named - row.admitted_unnamed
            if idle <= 0:
                continue
            detection.candidates.append(
                Candidate(
                    key=f"{period.id}:{row.unit_id}",
                    unit_id=row.unit_id,
                    unit_path=row.path,
                    school_id=row.school_id,
                    period_id=period.id,
                    message=(
                        f"{row.name}：{period.name}尚有 {idle} 个名额未落实到发展对象"
                        f"（可用 {row.available} 个，已落实 {row.named} 个），"
                        f"距期末 {period.ends_on} 已不足 {params['last_weeks']} 周"
                    ),
                    evidence={
                        "available": row.available,
                        "named": row.named,
                        "admitted_unnamed": row.admitted_unnamed,
                        "without_names": idle,
                        "window_start": start.isoformat(),
                    },
                )
            )
    return detection


async def names_without_places(ctx: ScanContext, params: dict[str, Any]) -> Detection:
    """A branch whose forecast names development targets that hold no place."""
    detection = Detection(prefixes=[])
    for period, start in _judged(ctx, params):
        detection.prefixes.append(f"{period.id}:")  # type: ignore[union-attr]
        for row in await placements.names_without_places(ctx.conn, period.id):
            detection.candidates.append(
                Candidate(
                    key=f"{period.id}:{row.unit_id}",
                    unit_id=row.unit_id,
                    unit_path=row.path,
                    school_id=row.school_id,
                    period_id=period.id,
                    message=(
                        f"{row.name}：{period.name}预计名单中有 {row.unplaced} 名发展对象尚未落实"
                        f"名额，距期末 {period.ends_on} 已不足 {params['last_weeks']} 周"
                    ),
                    evidence={"without_place": row.unplaced, "window_start": start.isoformat()},
                )
            )
    return detection
