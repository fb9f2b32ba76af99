"""Demo data of data calls (docs/data-calls.md), dated from today, through the real services and
idempotently (each call only once):

* the Shanxi commission's first-half statistics (上半年发展党员工作情况统计), sent to 忻州师院
  forty days ago and due ten days ago, unanswered: an overdue warning;
* 忻州师院's survey of its high-knowledge group, due in two days, sent to its four committees,
  of which 中文系党总支 has answered: reminders on the other three;
* 重庆幼专's survey of its high-knowledge group, due at the end of May (Chongqing 2019: 摸底，
  5 月底前报学校党委), sent to its five units; 学前教育系党总支 has answered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.resolvers.datacalls.service import answers, calls
from partyplan.tenants.session import Session

SURVEY = [
    {"key": "teachers", "label": "高知群体教师人数", "kind": "number", "min": 0},
    {"key": "applicants", "label": "其中已递交入党申请书人数", "kind": "number", "min": 0},
    {"key": "targets", "label": "其中列为发展对象人数", "kind": "number", "min": 0},
    {"key": "outlook", "label": "发展潜力", "kind": "choice", "options": ["较大", "一般", "较小"]},
    {"key": "remark", "label": "情况说明", "kind": "text", "required": False, "max_length": 200},
]
STATISTICS = [
    {"key": "applicants", "label": "上半年递交入党申请书人数", "kind": "number", "min": 0},
    {"key": "activists", "label": "上半年确定入党积极分子人数", "kind": "number", "min": 0},
    {"key": "reportedOn", "label": "统计截止日期", "kind": "date", "required": False},
]

As = Callable[[AsyncConnection, str], Awaitable[Session]]


def end_of_may(on: date) -> date:
    """The next 31 May on or after ``on``."""
    this_year = date(on.year, 5, 31)
    return this_year if on <= this_year else date(on.year + 1, 5, 31)


async def _ids(conn: AsyncConnection, codes: tuple[str, ...]) -> list[int] | None:
    rows = await conn.execute(
        sa.text("SELECT code, id FROM units WHERE code = ANY(:c)"), {"c": list(codes)}
    )
    found = dict(rows.all())
    return [found[c] for c in codes] if all(c in found for c in codes) else None


async def _call(
    conn: AsyncConnection,
    session: Session,
    *,
    title: str,
    codes: tuple[str, ...],
    fields: list[dict[str, Any]],
    issued_on: date,
    due_on: date,
    answered: dict[str, Any] | None,
) -> None:
    """Issue ``title`` from ``codes[0]`` to the rest (unless issued already); the first of them
    answers ``answered``."""
    if await conn.scalar(sa.text("SELECT 1 FROM data_calls WHERE title = :t"), {"t": title}):
        return
    ids = await _ids(conn, codes)
    if ids is None:  # that part of the demo tree is not there
        return
    call = await calls.issue(
        session,
        issuer_id=ids[0],
        title=title,
        due_on=due_on,
        fields=fields,
        unit_ids=ids[1:],
        remind_working_days=None,
        today=issued_on,
    )
    if answered is not None:
        await answers.answer(
            session, call_id=call.id, unit_id=ids[1], answers=answered, timezone="Asia/Shanghai"
        )


async def seed(conn: AsyncConnection, as_: As, on: date) -> None:
    await _call(
        conn,
        await as_(conn, "sx-admin"),
        title=f"{(on - timedelta(days=40)).year} 年上半年发展党员工作情况统计",
        codes=("SX-JGW", "SX-XZSY"),
        fields=STATISTICS,
        issued_on=on - timedelta(days=40),
        due_on=on - timedelta(days=10),
        answered=None,
    )
    await _call(
        conn,
        await as_(conn, "xz-admin"),
        title="忻州师院高知群体入党情况摸底",
        codes=("SX-XZSY", "SX-XZSY-ZW", "SX-XZSY-JG", "SX-XZSY-SJ", "SX-XZSY-JY"),
        fields=SURVEY,
        issued_on=on,
        due_on=on + timedelta(days=2),
        answered={"teachers": 4, "applicants": 2, "targets": 1, "outlook": "一般"},
    )
    await _call(
        conn,
        await as_(conn, "cqyz-admin"),
        title="重庆幼专高知群体入党情况摸底",
        codes=("CQ-YEZ", "CQ-YEZ-01", "CQ-YEZ-02", "CQ-YEZ-03", "CQ-YEZ-04", "CQ-YEZ-05"),
        fields=SURVEY,
        issued_on=on,
        due_on=end_of_may(on),
        answered={
            "teachers": 6,
            "applicants": 2,
            "targets": 1,
            "outlook": "较大",
            "remark": "2 名教师（1 名高知识群体教师）列入本年度预计发展",
        },
    )
