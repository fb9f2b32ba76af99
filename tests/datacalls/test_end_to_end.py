"""A data call end to end: a school issues the May survey to its committee and branches; units
answer and revise; the due date passes; the scan raises the reminder, then the overdue warning
on the unit that did not answer and resolves it when the (late) answer comes in; the roll-up
sums per level; the workbook, opened with openpyxl, carries the same totals."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import sqlalchemy as sa
from support import codes, raw_id
from support_datacalls import ANSWER, CLOSE, ROLLUP, issue, today

from partyplan.resolvers.datacalls.service import reminders
from partyplan.resolvers.warnings.service.scan import scan

WARNINGS = """query($kind: WarningKind) { warnings(kind: $kind) { edges { node {
  kind status unitName message evidence } } } }"""


async def _scan(owner_engine, day):  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        return await scan(conn, day)


async def _warnings(gql, world, kind: str) -> list[dict]:  # type: ignore[no-untyped-def]
    result = await gql(WARNINGS, {"kind": kind}, world.tokens["school_admin"])
    return [e["node"] for e in result["data"]["warnings"]["edges"]]


class Recording:
    def __init__(self) -> None:
        self.sent: list[reminders.Notice] = []

    async def send(self, notices) -> None:  # type: ignore[no-untyped-def]
        self.sent.extend(notices)


async def test_a_call_runs_end_to_end(gql, world, owner_engine, client) -> None:  # type: ignore[no-untyped-def]
    call = await issue(gql, world, "A", ["A1", "A1a", "A1b", "A2"], "school_admin")
    admin, secretary = world.tokens["school_admin"], world.tokens["branch_secretary"]

    # A1a answers (its secretary), then revises; A1 and A2 answer (the school admin for them).
    first = await gql(
        ANSWER,
        {"c": call, "u": world.gid("A1a"), "a": {"teachers": 3, "applied": 1, "level": "一般"}},
        secretary,
    )
    assert first.get("data") and first["data"]["answerDataCall"]["errors"] == [], first
    assert first["data"]["answerDataCall"]["response"]["revisions"] == 0
    revised = await gql(
        ANSWER,
        {
            "c": call,
            "u": world.gid("A1a"),
            "a": {"teachers": 5, "applied": 2, "level": "充足", "remark": "含外聘"},
        },
        secretary,
    )
    response = revised["data"]["answerDataCall"]["response"]
    assert response["revisions"] == 1 and response["answers"]["teachers"] == 5
    for unit, answers in (
        ("A1", {"teachers": 7, "applied": 0, "level": "充足"}),
        ("A2", {"teachers": 11, "applied": 4, "level": "不足", "surveyedOn": "2026-05-20"}),
    ):
        done = await gql(ANSWER, {"c": call, "u": world.gid(unit), "a": answers}, admin)
        assert done["data"]["answerDataCall"]["errors"] == [], done

    # The reminder window is open (20 days ahead, 30 working days configured): A1b is reminded.
    notifier = Recording()
    previous = reminders.use(notifier)
    try:
        async with owner_engine.begin() as conn:
            await conn.execute(
                sa.text("UPDATE data_calls SET remind_working_days = 30 WHERE id = :id"),
                {"id": raw_id(call)},
            )
        await _scan(owner_engine, today())
        due = await _warnings(gql, world, "DATA_CALL_DUE")
        assert [(w["unitName"], w["status"]) for w in due] == [("甲院第二党支部", "OPEN")]
        assert [n.unit_name for n in notifier.sent] == ["甲院第二党支部"]
        await _scan(owner_engine, today())  # a standing warning is not notified again
        assert len(notifier.sent) == 1

        # The due date passes: the reminder is resolved, A1b is overdue; revisions are refused.
        async with owner_engine.begin() as conn:
            await conn.execute(
                sa.text("UPDATE data_calls SET due_on = :d WHERE id = :id"),
                {"d": today() - timedelta(days=1), "id": raw_id(call)},
            )
        await _scan(owner_engine, today())
        assert [w["status"] for w in await _warnings(gql, world, "DATA_CALL_DUE")] == ["RESOLVED"]
        overdue = await _warnings(gql, world, "DATA_CALL_OVERDUE")
        assert [(w["unitName"], w["status"]) for w in overdue] == [("甲院第二党支部", "OPEN")]
        assert "逾期未报" in overdue[0]["message"]
        assert [n.kind for n in notifier.sent] == ["data_call_due", "data_call_overdue"]
    finally:
        reminders.use(previous)
    late_revision = await gql(
        ANSWER,
        {"c": call, "u": world.gid("A1a"), "a": {"teachers": 1, "applied": 0, "level": "一般"}},
        secretary,
    )
    assert [e["code"] for e in late_revision["data"]["answerDataCall"]["errors"]] == [
        "DUE_DATE_PASSED"
    ]

    # A1b answers late; the next scan resolves its overdue warning.
    late = await gql(
        ANSWER,
        {"c": call, "u": world.gid("A1b"), "a": {"teachers": 2, "applied": 2, "level": "一般"}},
        admin,
    )
    assert late["data"]["answerDataCall"]["errors"] == []
    await _scan(owner_engine, today())
    assert [w["status"] for w in await _warnings(gql, world, "DATA_CALL_OVERDUE")] == ["RESOLVED"]

    # The roll-up per level: at the school (A1's subtree summed, A2), then at A1.
    result = await gql(ROLLUP, {"c": call, "under": None}, admin)
    view = result["data"]["node"]
    assert view["state"] == "PAST_DUE"
    top = view["rollup"]
    assert [(line["unitName"], line["expected"], line["answered"]) for line in top["lines"]] == [
        ("甲院党委", 3, 3),
        ("甲校机关党支部", 1, 1),
    ]
    assert top["lines"][0]["totals"] == {"teachers": 14, "applied": 4}
    assert top["total"]["totals"] == {"teachers": 25, "applied": 8}
    assert top["total"]["choiceCounts"] == {"level": {"充足": 2, "一般": 1, "不足": 1}}
    level = (await gql(ROLLUP, {"c": call, "under": world.gid("A1")}, admin))["data"]["node"]
    lines = level["rollup"]["lines"]
    assert [(line["unitName"], line["own"]) for line in lines] == [
        ("甲院第一党支部", False),
        ("甲院第二党支部", False),
        ("甲院党委", True),
    ]
    assert level["rollup"]["total"]["totals"] == {"teachers": 14, "applied": 4}

    # The workbook: the summary's and the detail's totals are the roll-up's.
    link = await gql(
        "query($c: ID!) { node(id: $c) { ... on DataCall { downloadUrl } } }", {"c": call}, admin
    )
    download = await client.get(link["data"]["node"]["downloadUrl"])
    assert download.status_code == 200, download.text
    assert download.headers["cache-control"] == "no-store"
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    assert book.sheetnames == ["汇总", "甲院党委", "明细"]
    summary = [list(r) for r in book["汇总"].iter_rows(min_row=3, values_only=True)]
    header, rows, total = summary[0], summary[1:-1], summary[-1]
    assert header[:6] == [
        "序号",
        "单位名称",
        "应报单位数",
        "已报单位数",
        "高知群体教师人数",
        "其中已递交入党申请书人数",
    ]
    assert total[1] == "合计" and total[2:6] == [4, 4, 25, 8]
    for column in range(2, len(header)):
        assert total[column] == sum(row[column] for row in rows)
    detail = [list(r) for r in book["明细"].iter_rows(min_row=4, values_only=True)]
    teachers = [row[5] for row in detail[:-1]]
    assert sorted(teachers) == [2, 5, 7, 11] and detail[-1][5] == 25

    # Closed by the school: no answer is taken any more.
    closed = await gql(CLOSE, {"c": call}, admin)
    assert closed["data"]["closeDataCall"]["dataCall"]["state"] == "CLOSED"
    refused = await gql(
        ANSWER,
        {"c": call, "u": world.gid("A2"), "a": {"teachers": 1, "applied": 0, "level": "一般"}},
        admin,
    )
    assert [e["code"] for e in refused["data"]["answerDataCall"]["errors"]] == ["CALL_CLOSED"]
    assert codes(refused) == []


async def test_answers_and_closing_are_audited(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    call = await issue(gql, world, "commission", ["A", "B"], "commission_admin")
    answers = {"teachers": 9, "applied": 3, "level": "充足"}
    done = await gql(
        ANSWER, {"c": call, "u": world.gid("B"), "a": answers}, world.tokens["other_school_admin"]
    )
    assert done["data"]["answerDataCall"]["errors"] == []
    await gql(CLOSE, {"c": call}, world.tokens["commission_admin"])
    async with owner_engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.text(
                    "SELECT operation, after FROM audit_log WHERE object_type = 'DataCall'"
                    " AND object_id = :id ORDER BY id"
                ),
                {"id": raw_id(call)},
            )
        ).all()
    assert [r.operation for r in rows] == ["issueDataCall", "answerDataCall", "closeDataCall"]
    assert rows[1].after["answers"] == answers
