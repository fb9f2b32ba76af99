"""Warning rules over the plan's figures: slow progress, over plan, rushed admissions, large
swings, an overdue execution report. They read the roll-up tallies and balances (small
pre-aggregated rows), except the rushed-admissions rule, which counts approval dates; the SQL
is ``repository.figures``'s."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..repository import figures
from ..rules.detection import Candidate, Detection, ScanContext, percent


def quarter_ends(starts: date, ends: date) -> list[date]:
    """The period's quarter ends: every three months from its start, its own end last.

    >>> quarter_ends(date(2024, 1, 1), date(2024, 12, 31))[:2]
    [datetime.date(2024, 3, 31), datetime.date(2024, 6, 30)]
    """
    result, k = [], 1
    while True:
        month = starts.month - 1 + 3 * k
        first_after = date(starts.year + month // 12, month % 12 + 1, 1).replace(
            day=min(starts.day, 28)
        )
        end = first_after - timedelta(days=1)
        if end >= ends:
            result.append(ends)
            return result
        result.append(end)
        k += 1


async def slow_progress(ctx: ScanContext, params: dict[str, Any]) -> Detection:
    detection = Detection(prefixes=[])
    for period in (p for p in ctx.periods if p.state == "issued" and p.starts_on <= ctx.today):
        passed = [q for q in quarter_ends(period.starts_on, period.ends_on) if q <= ctx.today]
        if not passed:
            continue
        quarter, quarter_end = len(passed), passed[-1]
        pace = params["pace"]
        if pace and quarter <= len(pace):
            expected = float(pace[quarter - 1])
        else:
            elapsed = (quarter_end - period.starts_on).days + 1
            expected = elapsed / ((period.ends_on - period.starts_on).days + 1)
        prefix = f"{period.id}:{quarter_end.isoformat()}:"
        detection.prefixes.append(prefix)  # type: ignore[union-attr]
        for row in await figures.admitted_by(ctx.conn, period.id, quarter_end):
            floor = row.plan * expected * params["tolerance"]
            if row.admitted < floor:
                detection.candidates.append(
                    Candidate(
                        key=f"{prefix}{row.unit_id}",
                        unit_id=row.unit_id,
                        unit_path=row.path,
                        school_id=row.school_id,
                        period_id=period.id,
                        message=(
                            f"{row.name}：截至 {quarter_end} 完成 {row.admitted} 名，计划 "
                            f"{row.plan} 名，低于应有进度 {percent(expected)} 的 "
                            f"{percent(params['tolerance'])}"
                        ),
                        evidence={
                            "quarter": quarter,
                            "quarter_end": quarter_end.isoformat(),
                            "plan": row.plan,
                            "admitted": row.admitted,
                            "expected_share": round(expected, 4),
                            "tolerance": params["tolerance"],
                        },
                    )
                )
    return detection


async def over_plan(ctx: ScanContext, params: dict[str, Any]) -> Detection:
    detection = Detection(prefixes=[])
    for period in (p for p in ctx.periods if p.state == "issued"):
        detection.prefixes.append(f"{period.id}:")  # type: ignore[union-attr]
        for row in await figures.over_plan(ctx.conn, period.id, params["margin"]):
            detection.candidates.append(
                Candidate(
                    key=f"{period.id}:{row.unit_id}",
                    unit_id=row.unit_id,
                    unit_path=row.path,
                    school_id=row.school_id,
                    period_id=period.id,
                    message=f"{row.name}：{period.name}已接收 {row.admitted} 名，超出计划 {row.plan} 名",
                    evidence={
                        "plan": row.plan,
                        "admitted": row.admitted,
                        "margin": params["margin"],
                    },
                )
            )
    return detection


async def rushed(ctx: ScanContext, params: dict[str, Any]) -> Detection:
    detection = Detection(prefixes=[])
    for period in (p for p in ctx.periods if p.state != "draft"):
        window_start = period.ends_on - timedelta(weeks=params["last_weeks"]) + timedelta(days=1)
        if ctx.today < window_start:
            continue
        detection.prefixes.append(f"{period.id}:")  # type: ignore[union-attr]
        rows = await figures.approvals_by_school(
            ctx.conn, ctx.commission_path, period.starts_on, period.ends_on, window_start
        )
        for row in rows:
            share = row.late / row.total
            if row.total >= params["min_admissions"] and share >= params["max_share"]:
                detection.candidates.append(
                    Candidate(
                        key=f"{period.id}:{row.school_id}",
                        unit_id=row.school_id,
                        unit_path=row.path,
                        school_id=row.school_id,
                        period_id=period.id,
                        message=(
                            f"{row.name}：{period.name}接收 {row.total} 名，其中 {row.late} 名"
                            f"（{percent(share)}）集中在最后 {params['last_weeks']} 周"
                        ),
                        evidence={
                            "total": row.total,
                            "late": row.late,
                            "share": round(share, 4),
                            "window_start": window_start.isoformat(),
                        },
                    )
                )
    return detection


async def large_swing(ctx: ScanContext, params: dict[str, Any]) -> Detection:
    detection = Detection()
    ended = sorted((p for p in ctx.periods if p.ends_on < ctx.today), key=lambda p: p.starts_on)
    for period in ended:
        earlier = [p for p in ctx.periods if p.kind == period.kind and p.ends_on < period.starts_on]
        if not earlier:
            continue
        before = max(earlier, key=lambda p: p.starts_on)
        for row in await figures.school_admissions(
            ctx.conn, ctx.commission_path, period.id, before.id
        ):
            if max(row.current, row.previous) < params["min_base"] or row.current == row.previous:
                continue
            change = None if row.previous == 0 else (row.current - row.previous) / row.previous
            if change is not None and abs(change) <= params["max_change"]:
                continue
            shown = "从 0 起" if change is None else f"{change:+.1%}"
            detection.candidates.append(
                Candidate(
                    key=f"{period.id}:{row.school_id}",
                    unit_id=row.school_id,
                    unit_path=row.path,
                    school_id=row.school_id,
                    period_id=period.id,
                    message=(
                        f"{row.name}：{period.name}接收 {row.current} 名，{before.name} "
                        f"{row.previous} 名，变化 {shown}"
                    ),
                    evidence={
                        "current": row.current,
                        "previous": row.previous,
                        "previous_period_id": before.id,
                        "change": None if change is None else round(change, 4),
                    },
                )
            )
    return detection


async def report_overdue(ctx: ScanContext, params: dict[str, Any]) -> Detection:
    detection = Detection()
    for period in ctx.periods:
        if (
            period.state == "draft"
            or period.report_due_on + timedelta(days=params["grace_days"]) >= ctx.today
        ):
            continue
        for row in await figures.schools_without_report(ctx.conn, ctx.commission_path, period.id):
            detection.candidates.append(
                Candidate(
                    key=f"{period.id}:{row.id}",
                    unit_id=row.id,
                    unit_path=row.path,
                    school_id=row.id,
                    period_id=period.id,
                    message=f"{row.name}：{period.name}执行情况报告应于 {period.report_due_on} 前报送，尚未报送",
                    evidence={"report_due_on": period.report_due_on.isoformat()},
                )
            )
    return detection
