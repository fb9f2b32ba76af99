"""Reminders open a number of working days before the due date, counted on the commission's
working-day calendar (holidays and make-up working days); the number is the commission's rule
(`working_days`) unless the call sets its own; a closed call reminds no one."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from support import raw_id
from support_datacalls import CLOSE, issue

from partyplan.resolvers.warnings.service.scan import scan


def _weekday_after(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7 or 7)


async def _open_reminders(owner_engine, day: date) -> list[str]:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        await scan(conn, day)
        rows = await conn.execute(
            sa.text(
                "SELECT u.name FROM warnings w JOIN units u ON u.id = w.unit_id"
                " WHERE w.kind = 'data_call_due' AND w.status = 'open' ORDER BY u.name"
            )
        )
        return list(rows.scalars())


async def _set_due(owner_engine, call: str, due: date, days: int | None) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE data_calls SET due_on = :d, remind_working_days = :n WHERE id = :id"),
            {"d": due, "n": days, "id": raw_id(call)},
        )


async def test_the_window_counts_working_days_on_the_calendar(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    call = await issue(gql, world, "commission", ["A", "B"], "commission_admin")
    # Due on a Friday five weeks ahead; the default rule: 3 working days before (Tuesday).
    due = _weekday_after(date.today() + timedelta(days=28), 4)
    await _set_due(owner_engine, call, due, None)
    assert await _open_reminders(owner_engine, due - timedelta(days=4)) == []  # Monday
    assert await _open_reminders(owner_engine, due - timedelta(days=3)) == [
        "学校乙党委",
        "学校甲党委",
    ]
    # Tuesday and Wednesday become holidays, the Saturday before a make-up working day: three
    # working days before Friday are now Thursday, Saturday and Monday.
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO calendar_days (commission_id, commission_path, day, kind)"
                " SELECT id, path, d, k FROM units,"
                " (VALUES (CAST(:h1 AS date), 'holiday'), (CAST(:h2 AS date), 'holiday'),"
                "         (CAST(:w AS date), 'workday')) AS x(d, k) WHERE id = :c"
            ),
            {
                "h1": due - timedelta(days=3),
                "h2": due - timedelta(days=2),
                "w": due - timedelta(days=6),
                "c": world.units["commission"],
            },
        )
    assert await _open_reminders(owner_engine, due - timedelta(days=7)) == []  # Friday before
    assert len(await _open_reminders(owner_engine, due - timedelta(days=6))) == 2  # make-up Sat.
    # The call's own number: 1 working day (Thursday is a holiday-free working day).
    await _set_due(owner_engine, call, due, 1)
    assert await _open_reminders(owner_engine, due - timedelta(days=2)) == []
    assert len(await _open_reminders(owner_engine, due - timedelta(days=1))) == 2
    assert len(await _open_reminders(owner_engine, due)) == 2  # the due date itself
    # Past the due date, the reminder gives way to the overdue warning.
    assert await _open_reminders(owner_engine, due + timedelta(days=1)) == []


async def test_a_closed_call_reminds_no_one(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    call = await issue(gql, world, "A", ["A1", "A2"], "school_admin")
    due = date.today() + timedelta(days=10)
    await _set_due(owner_engine, call, due, 0)
    assert len(await _open_reminders(owner_engine, due)) == 2
    await gql(CLOSE, {"c": call}, world.tokens["school_admin"])
    assert await _open_reminders(owner_engine, due) == []
    async with owner_engine.connect() as conn:
        overdue = await conn.scalar(
            sa.text("SELECT count(*) FROM warnings WHERE kind = 'data_call_overdue'")
        )
    async with owner_engine.begin() as conn:
        await scan(conn, due + timedelta(days=5))
        after = await conn.scalar(
            sa.text("SELECT count(*) FROM warnings WHERE kind = 'data_call_overdue'")
        )
    assert overdue == after == 0
