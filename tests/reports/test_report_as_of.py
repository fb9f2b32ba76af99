"""A report counts as of its date, the roll-up counts now: a finding raised or resolved after a
report was submitted moves the period's live roll-up, never the report. A draft (or returned)
report previews the figures as they stand, as of the day it is read."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from support import id_number
from support_recruits import create, period, step

SAVE = """mutation($p: ID!, $u: ID!) { saveReportDraft(input: {periodId: $p, unitId: $u})
  { report { id content } errors { code } } }"""
SUBMIT = """mutation($p: ID!, $u: ID!) { submitReport(input: {periodId: $p, unitId: $u})
  { report { id status submittedAt contentHash content } errors { code } } }"""
ACK = "mutation($r: ID!) { acknowledgeReport(input: {reportId: $r}) { errors { code } } }"
RETURN = """mutation($r: ID!) { returnReport(input: {reportId: $r, reason: "请补充"})
  { errors { code } } }"""
NODE = """query($id: ID!) { node(id: $id) { ... on ExecutionReport { status contentHash content } }
  }"""
ROLLUP = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) { line { openFindings }
  children { unitName openFindings } } }"""
STEPS = "query($id: ID!) { recruit(id: $id) { steps { id step } } }"
CORRECT = """mutation($input: CorrectStepInput!) { correctStep(input: $input) {
  recruit { openFindings } errors { code } } }"""
TALK = {"talked_by": "书记"}
TIMEZONE = ZoneInfo("Asia/Shanghai")  # the settings' default, which the tests run with


async def _late_talk(gql, world, serial: int) -> str:  # type: ignore[no-untyped-def]
    """A recruit of branch A1a whose talk (due 2022-10-15) was held late: one open finding."""
    created = await create(
        gql,
        world,
        name=f"学生{'甲乙丙丁'[serial]}",
        idNumber=id_number("20030504", 40 + serial),
        phone=f"+86 139-0000-00{serial:02d}",
    )
    assert created["errors"] == [], created
    recruit = created["recruit"]["id"]
    late = await step(gql, world, recruit, "talk", date(2022, 11, 20), TALK, "branch_secretary")
    assert late["errors"] == [] and late["recruit"]["openFindings"] == 1, late
    return recruit


async def _live(gql, world, period_id: str) -> int:  # type: ignore[no-untyped-def]
    result = await gql(ROLLUP, {"u": world.gid("A"), "p": period_id}, world.tokens["school_admin"])
    assert "errors" not in result, result
    return result["data"]["rollup"]["line"]["openFindings"]


async def _report(gql, world, report_id: str) -> dict:  # type: ignore[no-untyped-def]
    result = await gql(NODE, {"id": report_id}, world.tokens["commission_admin"])
    assert "errors" not in result, result
    return result["data"]["node"]


def _findings(content: dict) -> int:
    return content["levels"][0]["line"]["open_findings"]


async def _submit(gql, world, period_id: str) -> dict:  # type: ignore[no-untyped-def]
    result = await gql(SUBMIT, {"p": period_id, "u": world.gid("A")}, world.tokens["school_admin"])
    assert "errors" not in result, result
    payload = result["data"]["submitReport"]
    assert payload["errors"] == [], payload
    report = payload["report"]
    # The report's date: the submission, the very moment the figures were read.
    submitted = datetime.fromisoformat(report["submittedAt"]).astimezone(TIMEZONE)
    assert report["content"]["generated_at"] == submitted.isoformat(timespec="seconds")
    assert report["content"]["as_of"] == submitted.date().isoformat()
    assert report["content"]["period"]["state"] == "issued"  # its tallies still move
    return report


async def _correct_talk(gql, world, recruit: str) -> None:  # type: ignore[no-untyped-def]
    secretary = world.tokens["branch_secretary"]
    steps = (await gql(STEPS, {"id": recruit}, secretary))["data"]["recruit"]["steps"]
    talk = next(s["id"] for s in steps if s["step"] == "TALK")
    variables = {"stepId": talk, "on": "2022-10-10", "data": TALK, "reason": "纸质记录日期录错"}
    payload = (await gql(CORRECT, {"input": variables}, secretary))["data"]["correctStep"]
    assert payload["errors"] == [] and payload["recruit"]["openFindings"] == 0, payload


async def test_a_finding_raised_after_the_report_moves_the_rollup_not_the_report(
    gql, world
) -> None:  # type: ignore[no-untyped-def]
    year = await period(gql, world, 2024)
    await _late_talk(gql, world, 1)
    school = world.tokens["school_admin"]
    draft = (await gql(SAVE, {"p": year, "u": world.gid("A")}, school))["data"]["saveReportDraft"]
    # A draft previews the figures as they stand today.
    assert draft["report"]["content"]["as_of"] == datetime.now(TIMEZONE).date().isoformat()
    assert _findings(draft["report"]["content"]) == 1

    report = await _submit(gql, world, year)
    assert _findings(report["content"]) == 1 and await _live(gql, world, year) == 1

    await _late_talk(gql, world, 2)  # a late step recorded after the report's date
    assert await _live(gql, world, year) == 2
    frozen = await _report(gql, world, report["id"])
    assert frozen["content"] == report["content"] and frozen["contentHash"] == report["contentHash"]
    assert _findings(frozen["content"]) == 1

    acknowledged = await gql(ACK, {"r": report["id"]}, world.tokens["commission_admin"])
    assert acknowledged["data"]["acknowledgeReport"]["errors"] == []
    assert _findings((await _report(gql, world, report["id"]))["content"]) == 1


async def test_a_finding_resolved_after_the_report_still_counts_in_it(gql, world) -> None:  # type: ignore[no-untyped-def]
    year = await period(gql, world, 2024)
    first = await _late_talk(gql, world, 1)
    await _late_talk(gql, world, 2)
    report = await _submit(gql, world, year)
    assert _findings(report["content"]) == 2

    await _correct_talk(gql, world, first)  # the finding is resolved after the report's date
    assert await _live(gql, world, year) == 1
    frozen = await _report(gql, world, report["id"])
    assert _findings(frozen["content"]) == 2 and frozen["content"] == report["content"]

    # Returned, the report is a draft again: it previews the figures as they stand now, and a
    # new submission counts them as of its own date.
    returned = await gql(RETURN, {"r": report["id"]}, world.tokens["commission_admin"])
    assert returned["data"]["returnReport"]["errors"] == []
    preview = (await _report(gql, world, report["id"]))["content"]
    assert _findings(preview) == 1 and preview["as_of"] == datetime.now(TIMEZONE).date().isoformat()
    assert _findings((await _submit(gql, world, year))["content"]) == 1
