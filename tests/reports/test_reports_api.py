"""Execution reports: drafted, submitted (frozen with its hash), acknowledged or returned; the
workbook downloads open with openpyxl, their totals equal the roll-up, and they are scoped like
the API."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from support import gid

from partyplan.resolvers.reports.snapshot import content_hash

SAVE = """mutation($p: ID!, $u: ID!, $n: String) { saveReportDraft(input: {periodId: $p, unitId: $u,
  narrative: $n}) { report { id status narrative content } errors { code field } } }"""
SUBMIT = """mutation($p: ID!, $u: ID!, $n: String) { submitReport(input: {periodId: $p, unitId: $u,
  narrative: $n}) { report { id status contentHash narrative content workbookPath }
  errors { code field } } }"""
ACK = """mutation($r: ID!) { acknowledgeReport(input: {reportId: $r}) { report { status }
  errors { code field } } }"""
RETURN = """mutation($r: ID!, $why: String!) { returnReport(input: {reportId: $r, reason: $why})
  { report { status returnReason } errors { code field } } }"""
NODE = "query($id: ID!) { node(id: $id) { ... on ExecutionReport { status contentHash content } } }"
ROLLUP = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { plan admitted } children { unitName plan admitted } } }"""


async def _case(records, world) -> int:  # type: ignore[no-untyped-def]
    period = await records.period(date(2024, 1, 1), date(2024, 12, 31), due=date(2024, 12, 15))
    await records.quota(period, "A", 10)
    await records.quota(period, "A1", 6)
    await records.admitted(3, date(2024, 5, 20))
    await records.admitted(1, date(2024, 6, 2), branch="A2")
    return period


def _payload(result: dict) -> dict:
    assert "errors" not in result, result
    return next(iter(result["data"].values()))


async def test_a_submitted_report_is_frozen_and_reviewed(gql, world, records) -> None:  # type: ignore[no-untyped-def]
    period_id = await _case(records, world)
    await records.sql(
        "INSERT INTO structural_targets (period_id, unit_id, unit_path, school_id, indicator,"
        " min_share_percent) SELECT :p, id, path, school_id, 'youth_35', 30 FROM units"
        " WHERE id = :u",
        p=period_id,
        u=world.units["A"],
    )
    period = gid("PlanPeriod", period_id)
    school, commission = world.tokens["school_admin"], world.tokens["commission_admin"]
    variables = {"p": period, "u": world.gid("A")}
    draft = _payload(await gql(SAVE, {**variables, "n": "一、基本情况\r\n二、主要做法"}, school))
    assert draft["errors"] == [] and draft["report"]["status"] == "DRAFT"
    assert draft["report"]["narrative"] == "一、基本情况\n二、主要做法"
    assert draft["report"]["content"]["levels"][0]["line"]["admitted"] == 4  # a live preview

    submitted = _payload(await gql(SUBMIT, variables, school))["report"]
    assert (
        submitted["status"] == "SUBMITTED"
        and submitted["narrative"] == "一、基本情况\n二、主要做法"
    )
    content = submitted["content"]
    assert submitted["contentHash"] == content_hash(content)
    top = content["levels"][0]
    assert (top["line"]["plan"], top["line"]["admitted"], top["line"]["completion_rate"]) == (
        10,
        4,
        0.4,
    )
    assert [(c["unit_name"], c["admitted"]) for c in top["children"]] == [
        ("甲院党委", 3),
        ("甲校机关党支部", 1),
    ]
    assert [level["unit"]["name"] for level in content["levels"]] == ["学校甲党委", "甲院党委"]
    (target,) = content["targets"]  # a share as a fraction, as the API gives every share
    assert (target["min_share"], target["min_share_percent"], target["share"]) == (0.3, 30.0, 1.0)

    await records.admitted(2, date(2024, 7, 1))  # later records do not alter the report
    again = _payload(await gql(NODE, {"id": submitted["id"]}, commission))
    assert again["content"] == content and again["contentHash"] == submitted["contentHash"]
    twice = _payload(await gql(SUBMIT, variables, school))
    assert [(e["code"], e["field"]) for e in twice["errors"]] == [("ALREADY_SUBMITTED", "periodId")]

    no_reason = _payload(await gql(RETURN, {"r": submitted["id"], "why": " "}, commission))
    assert [e["code"] for e in no_reason["errors"]] == ["REASON_REQUIRED"]
    returned = _payload(
        await gql(RETURN, {"r": submitted["id"], "why": "请补充结构分析"}, commission)
    )
    assert returned["report"] == {"status": "RETURNED", "returnReason": "请补充结构分析"}
    resubmitted = _payload(await gql(SUBMIT, {**variables, "n": "补充后的报告"}, school))["report"]
    assert resubmitted["content"]["levels"][0]["line"]["admitted"] == 6
    assert resubmitted["contentHash"] != submitted["contentHash"]
    acknowledged = _payload(await gql(ACK, {"r": resubmitted["id"]}, commission))
    assert acknowledged["report"]["status"] == "ACKNOWLEDGED"
    late = _payload(await gql(ACK, {"r": resubmitted["id"]}, commission))
    assert [e["code"] for e in late["errors"]] == ["NOT_SUBMITTED"]


async def test_only_a_school_of_an_issued_period_reports(gql, world, records) -> None:  # type: ignore[no-untyped-def]
    period = gid("PlanPeriod", await _case(records, world))
    draft_period = gid(
        "PlanPeriod", await records.period(date(2025, 1, 1), date(2025, 12, 31), state="draft")
    )
    school = world.tokens["school_admin"]
    committee = _payload(await gql(SUBMIT, {"p": period, "u": world.gid("A1")}, school))
    assert [(e["code"], e["field"]) for e in committee["errors"]] == [("NOT_A_SCHOOL", "unitId")]
    early = _payload(await gql(SUBMIT, {"p": draft_period, "u": world.gid("A")}, school))
    assert [(e["code"], e["field"]) for e in early["errors"]] == [("PERIOD_NOT_ISSUED", "periodId")]
    long = _payload(await gql(SAVE, {"p": period, "u": world.gid("A"), "n": "字" * 20_001}, school))
    assert [(e["code"], e["field"]) for e in long["errors"]] == [("INVALID_TEXT", "narrative")]
    assert await records.sql("SELECT count(*) FROM execution_reports") == 0


async def _get(client, path: str, token: str | None):  # type: ignore[no-untyped-def]
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return await client.get(path, headers=headers)


async def test_the_workbook_totals_equal_the_rollup(gql, world, records, client) -> None:  # type: ignore[no-untyped-def]
    period_id = await _case(records, world)
    period = gid("PlanPeriod", period_id)
    school = world.tokens["school_admin"]
    report = _payload(await gql(SUBMIT, {"p": period, "u": world.gid("A"), "n": "正文"}, school))
    response = await _get(client, report["report"]["workbookPath"], school)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["学校甲党委", "甲院党委", "发展结构", "报告正文"]
    sheet = book["学校甲党委"]
    assert [c.value for c in sheet[2]] == [
        "序号",
        "单位/支部名称",
        "计划数",
        "预计数",
        "完成数",
        "完成率",
        "备注",
    ]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    total = next(r for r in rows if r[1] == "合计")
    rollup = _payload(await gql(ROLLUP, {"u": world.gid("A"), "p": period}, school))
    assert (total[2], total[4]) == (rollup["line"]["plan"], rollup["line"]["admitted"])
    children = [r for r in rows if isinstance(r[0], int)]
    assert [(r[1], r[2], r[4]) for r in children] == [
        (c["unitName"], c["plan"], c["admitted"]) for c in rollup["children"]
    ]
    assert sum(r[4] for r in children) == total[4]

    commission = world.tokens["commission_viewer"]
    province = await _get(client, f"/reports/periods/{period_id}/province.xlsx", commission)
    assert province.status_code == 200, province.text
    table = openpyxl.load_workbook(io.BytesIO(province.content))["全省汇总"]
    schools = [[c.value for c in row] for row in table.iter_rows(min_row=3)]
    assert [(r[1], r[4]) for r in schools] == [("学校甲党委", 4), ("学校乙党委", 0), ("合计", 4)]
    by_global_id = await _get(client, f"/reports/periods/{period}/province.xlsx", commission)
    assert by_global_id.status_code == 200


async def test_workbooks_are_scoped_like_the_api(gql, world, records, client) -> None:  # type: ignore[no-untyped-def]
    period_id = await _case(records, world)
    report = _payload(
        await gql(
            SAVE,
            {"p": gid("PlanPeriod", period_id), "u": world.gid("A")},
            world.tokens["school_admin"],
        )
    )["report"]
    path = f"/reports/{report['id']}.xlsx".replace("=", "%3D")
    assert (await _get(client, path, world.tokens["viewer"])).status_code == 200  # global ID
    cases = [
        (None, 401),
        ("other_school_admin", 404),
        ("other_commission_admin", 404),
        ("sync_agent", 403),
        ("nobody", 404),
    ]
    for account, status in cases:
        response = await _get(client, path, None if account is None else world.tokens[account])
        assert response.status_code == status, (account, response.text)
    assert (
        await _get(client, "/reports/999999.xlsx", world.tokens["school_admin"])
    ).status_code == 404
    assert (
        await _get(client, "/reports/x%3D.xlsx", world.tokens["school_admin"])
    ).status_code == 404
    province = f"/reports/periods/{period_id}/province.xlsx"
    for account, status in ((None, 401), ("school_admin", 404), ("other_commission_admin", 404)):
        response = await _get(client, province, None if account is None else world.tokens[account])
        assert response.status_code == status, (account, response.text)
    bad_token = await client.get(province, headers={"Authorization": "Bearer nope"})
    assert bad_token.status_code == 401 and bad_token.headers["www-authenticate"] == "Bearer"
