"""Warning rules over data calls: a reminder before the due date to each unit that has not
answered (``data_call_due``), and an overdue warning after it (``data_call_overdue``). What a
unit has to answer, and when a reminder opens on the working-day calendar, is the data calls'
(``datacalls/service/reminders.py``); the notices of the warnings raised anew go to its
notifier. A warning is keyed by call and unit, and every key of the kind is judged: an answer
or a closed call resolves it at the next scan."""

from __future__ import annotations

from typing import Any

from partyplan.resolvers.datacalls.service import reminders

from ..repository.standing import standing_keys
from ..rules.detection import Candidate, Detection, ScanContext


def _candidate(pending: reminders.Pending, message: str, evidence: dict[str, Any]) -> Candidate:
    return Candidate(
        key=f"{pending.call_id}:{pending.unit_id}",
        unit_id=pending.unit_id,
        unit_path=pending.unit_path,
        school_id=pending.school_id,
        message=message,
        evidence={
            "data_call_id": pending.call_id,
            "due_on": pending.due_on.isoformat(),
            **evidence,
        },
    )


async def _notify(
    ctx: ScanContext, kind: str, candidates: list[Candidate], pending: list[reminders.Pending]
) -> None:
    if not candidates:
        return
    standing = await standing_keys(ctx.conn, kind, ctx.commission_path)
    notices = [
        reminders.Notice(
            kind=kind,
            call_id=p.call_id,
            title=p.title,
            due_on=p.due_on,
            unit_id=p.unit_id,
            unit_name=p.unit_name,
            message=c.message,
        )
        for c, p in zip(candidates, pending, strict=True)
        if c.key not in standing
    ]
    if notices:
        await reminders.notifier().send(notices)


async def data_call_due(ctx: ScanContext, params: dict[str, Any]) -> Detection:
    pending = await reminders.due_soon(
        ctx.conn,
        commission_id=ctx.commission_id,
        commission_path=ctx.commission_path,
        today=ctx.today,
        working_days=params["working_days"],
    )
    candidates = [
        _candidate(
            p,
            f"{p.unit_name}：{p.issuer}的数据征集“{p.title}”应于 {p.due_on} 前填报，尚未填报",
            {"remind_from": p.remind_from.isoformat() if p.remind_from else None},
        )
        for p in pending
    ]
    await _notify(ctx, "data_call_due", candidates, pending)
    return Detection(candidates=candidates)


async def data_call_overdue(ctx: ScanContext, params: dict[str, Any]) -> Detection:
    pending = await reminders.overdue(
        ctx.conn,
        commission_path=ctx.commission_path,
        today=ctx.today,
        grace_days=params["grace_days"],
    )
    candidates = [
        _candidate(
            p,
            f"{p.unit_name}：{p.issuer}的数据征集“{p.title}”应于 {p.due_on} 前填报，已逾期未报",
            {},
        )
        for p in pending
    ]
    await _notify(ctx, "data_call_overdue", candidates, pending)
    return Detection(candidates=candidates)
