"""Annulment (一律不予承认): an admission annulled through the API stops counting in every roll-up
of its period (the stored tallies still equal the recomputation), the recruit shows it, the branch
meeting's list and the execution report carry it; it is final evidence, made once, only of an
admission, never in a closed period."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
import support_recruits as api
from sqlalchemy.exc import DBAPIError
from support import codes, gid, id_number, scalar

from partyplan.resolvers.rollups.repository import drift

ANNUL = """mutation($r: ID!, $why: String!, $no: String!, $on: Date) {
  annulAdmission(input: {recruitId: $r, reason: $why, documentNo: $no, annulledOn: $on}) {
    annulment { id recruitName branchName approvedOn annulledOn reason documentNo
                decidedByUnitId branchId }
    errors { code field message } } }"""
ROLLUP = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { admitted admittedExempt openFindings structure { women students }
         pipeline { probationary converted } }
  months { month admitted } } }"""
RECRUIT = """query($id: ID!) { node(id: $id) { ... on Recruit { approvedOn annulledOn
  nextStep nextDueOn annulment { reason documentNo annulledOn } } } }"""
STEP = """mutation($r: ID!) { recordStep(input: {recruitId: $r, step: OATH, on: "2024-07-01",
  data: {}}) { errors { code field message } } }"""
LIST = """query($u: ID!, $p: ID) { admissionAnnulments(unitId: $u, periodId: $p) {
  totalCount edges { node { recruitName branchName reason documentNo approvedOn } } } }"""
WHY = "发展对象培养考察期不满一年，违反规定吸收入党"
DOCUMENT = "学校甲党委〔2024〕30号"


async def _admitted(records, branch: str = "A1a", on: date = date(2024, 6, 25)) -> int:  # type: ignore[no-untyped-def]
    return await records.recruit(
        branch,
        stage="probationary",
        activist_on=date(2023, 1, 1),
        target_on=date(2023, 6, 1),
        approved_on=on,
        next_step="oath",
        next_due_on=date(2024, 7, 25),
    )


def _annul(recruit: int, why: str = WHY, no: str = DOCUMENT, on: str | None = "2024-09-01"):  # type: ignore[no-untyped-def]
    return {"r": gid("Recruit", recruit), "why": why, "no": no, "on": on}


async def _line(gql, world, unit: str, period: int) -> dict:  # type: ignore[no-untyped-def]
    result = await gql(
        ROLLUP,
        {"u": world.gid(unit), "p": gid("PlanPeriod", period)},
        world.tokens["commission_admin"],
    )
    assert "errors" not in result, result
    return result["data"]["rollup"]


async def _no_drift(owner_engine, world, *periods: int) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        for period in periods:
            assert await drift(conn, period, str(world.units["commission"])) == []


async def test_an_annulled_admission_counts_nowhere_and_is_listed(
    gql, world, records, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    year = await records.period(date(2024, 1, 1), date(2024, 12, 31))
    # A period overlapping it (the statistical year) counts the same admission: both release it.
    statistical = await records.period(date(2023, 7, 1), date(2024, 6, 30), kind="custom")
    annulled, kept = await _admitted(records), await _admitted(records)
    before = await _line(gql, world, "A", year)
    assert before["line"]["admitted"] == 2 and before["line"]["pipeline"]["probationary"] == 2
    assert (await _line(gql, world, "A1a", statistical))["line"]["admitted"] == 2

    school = world.tokens["school_admin"]
    result = (await gql(ANNUL, _annul(annulled), school))["data"]["annulAdmission"]
    assert result["errors"] == []
    annulment = result["annulment"]
    assert annulment["recruitName"] == "某某" and annulment["branchName"] == "甲院第一党支部"
    assert (annulment["approvedOn"], annulment["annulledOn"]) == ("2024-06-25", "2024-09-01")
    assert (annulment["reason"], annulment["documentNo"]) == (WHY, DOCUMENT)
    assert annulment["decidedByUnitId"] == world.gid("A")  # the school's committee, its own

    for unit in ("A", "A1", "A1a"):
        after = await _line(gql, world, unit, year)
        assert after["line"]["admitted"] == 1, unit
        assert after["line"]["pipeline"]["probationary"] == 1, unit
        assert after["line"]["structure"]["students"] == 1, unit
        june = next(m for m in after["months"] if m["month"] == "2024-06-01")
        assert june["admitted"] == 1, unit
    assert (await _line(gql, world, "A1a", statistical))["line"]["admitted"] == 1
    assert (await _line(gql, world, "commission", year))["line"]["admitted"] == 1
    await _no_drift(owner_engine, world, year, statistical)
    # The quota is counted, not spent: the plan's completion counts the admission no more.
    plan = await gql(
        "query($u: ID!, $p: ID!) { plan(unitId: $u, periodId: $p) { line { admitted } } }",
        {"u": world.gid("A"), "p": gid("PlanPeriod", year)},
        school,
    )
    assert plan["data"]["plan"]["line"]["admitted"] == 1

    shown = await gql(RECRUIT, {"id": gid("Recruit", annulled)}, school)
    assert shown["data"]["node"] == {
        "approvedOn": "2024-06-25",
        "annulledOn": "2024-09-01",
        # Its procedure ends here: no step is expected, none falls overdue.
        "nextStep": None,
        "nextDueOn": None,
        "annulment": {"reason": WHY, "documentNo": DOCUMENT, "annulledOn": "2024-09-01"},
    }
    other = (await gql(RECRUIT, {"id": gid("Recruit", kept)}, school))["data"]["node"]
    assert other["annulledOn"] is None and other["annulment"] is None
    assert (other["nextStep"], other["nextDueOn"]) == ("OATH", "2024-07-25")
    # No step is recorded after the annulment (the kept admission, written here without its
    # steps, is judged by the procedure instead).
    stopped = await gql(STEP, {"r": gid("Recruit", annulled)}, world.tokens["branch_secretary"])
    (error,) = stopped["data"]["recordStep"]["errors"]
    assert (error["code"], error["field"]) == ("RULE_VIOLATION", "step")
    assert "不予承认" in error["message"]
    judged = await gql(STEP, {"r": gid("Recruit", kept)}, world.tokens["branch_secretary"])
    assert all("不予承认" not in e["message"] for e in judged["data"]["recordStep"]["errors"])

    # The branch announces it at its general meeting: its secretary reads the list.
    listed = await gql(
        LIST,
        {"u": world.gid("A1a"), "p": gid("PlanPeriod", year)},
        world.tokens["branch_secretary"],
    )
    assert listed["data"]["admissionAnnulments"]["totalCount"] == 1
    (edge,) = listed["data"]["admissionAnnulments"]["edges"]
    assert edge["node"] == {
        "recruitName": "某某",
        "branchName": "甲院第一党支部",
        "reason": WHY,
        "documentNo": DOCUMENT,
        "approvedOn": "2024-06-25",
    }
    # Near misses: another branch, and a period whose dates hold no such approval.
    elsewhere = await gql(LIST, {"u": world.gid("A1b"), "p": None}, school)
    assert elsewhere["data"]["admissionAnnulments"]["totalCount"] == 0
    later = await records.period(date(2025, 1, 1), date(2025, 12, 31))
    empty = await gql(LIST, {"u": world.gid("A"), "p": gid("PlanPeriod", later)}, school)
    assert empty["data"]["admissionAnnulments"]["totalCount"] == 0
    hidden = await gql(LIST, {"u": world.gid("A1a"), "p": None}, world.tokens["other_school_admin"])
    assert codes(hidden) == ["NOT_FOUND"]

    assert (
        await scalar(
            owner_engine,
            "SELECT count(*) FROM audit_log WHERE operation = 'annulAdmission'"
            " AND object_type = 'AdmissionAnnulment'",
        )
        == 1
    )


async def test_refusals_name_the_field(gql, world, records) -> None:  # type: ignore[no-untyped-def]
    await records.period(date(2024, 1, 1), date(2024, 12, 31))
    admitted = await _admitted(records)
    activist = await records.recruit(stage="activist", activist_on=date(2023, 1, 1))
    school = world.tokens["school_admin"]

    async def refused(variables: dict) -> list[tuple[str, str]]:  # type: ignore[type-arg]
        payload = (await gql(ANNUL, variables, school))["data"]["annulAdmission"]
        assert payload["annulment"] is None
        return [(e["code"], e["field"]) for e in payload["errors"]]

    assert await refused(_annul(activist)) == [("NOT_ADMITTED", "recruitId")]
    assert await refused(_annul(admitted, why="  ")) == [("REQUIRED", "reason")]
    assert await refused(_annul(admitted, no="")) == [("REQUIRED", "documentNo")]
    assert await refused(_annul(admitted, no="号" * 101)) == [("INVALID_TEXT", "documentNo")]
    assert await refused(_annul(admitted, on="2024-06-24")) == [("INVALID_DATE", "annulledOn")]
    assert await refused(_annul(admitted, on="2999-01-01")) == [("INVALID_DATE", "annulledOn")]
    # The approval's own day is the earliest allowed (a near miss of the one before).
    done = (await gql(ANNUL, _annul(admitted, on="2024-06-25"), school))["data"]["annulAdmission"]
    assert done["errors"] == []
    again = await refused(_annul(admitted))
    assert again == [("ALREADY_ANNULLED", "recruitId")]

    # Who may: the school for its own, the commission for any; a unit committee may not.
    other = await _admitted(records)
    assert codes(await gql(ANNUL, _annul(other), world.tokens["unit_admin"])) == ["FORBIDDEN"]
    assert codes(await gql(ANNUL, _annul(other), world.tokens["other_school_admin"])) == [
        "NOT_FOUND"
    ]
    by_commission = await gql(ANNUL, _annul(other), world.tokens["commission_admin"])
    annulment = by_commission["data"]["annulAdmission"]["annulment"]
    assert annulment["decidedByUnitId"] == world.gid("commission")


async def test_an_admission_of_a_closed_period_is_not_annulled(gql, world, records) -> None:  # type: ignore[no-untyped-def]
    closed = await records.period(date(2024, 1, 1), date(2024, 12, 31), state="closed")
    admitted = await _admitted(records)
    payload = (await gql(ANNUL, _annul(admitted), world.tokens["school_admin"]))["data"]
    errors = payload["annulAdmission"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("PERIOD_CLOSED", "recruitId")]
    assert "已关闭" in errors[0]["message"]
    # Near miss: the same admission while the period is open is annulled.
    await records.sql("UPDATE plan_periods SET state = 'issued' WHERE id = :p", p=closed)
    payload = (await gql(ANNUL, _annul(admitted), world.tokens["school_admin"]))["data"]
    assert payload["annulAdmission"]["errors"] == []


async def test_an_annulment_is_final_evidence(gql, world, records, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await records.period(date(2024, 1, 1), date(2024, 12, 31))
    admitted = await _admitted(records)
    result = await gql(ANNUL, _annul(admitted), world.tokens["school_admin"])
    assert result["data"]["annulAdmission"]["errors"] == []
    for statement in (
        "UPDATE admission_annulments SET reason = '改写'",
        "DELETE FROM admission_annulments",
        "UPDATE recruits SET annulled_on = NULL WHERE id = :r",
        "UPDATE recruits SET annulled_on = '2024-12-01' WHERE id = :r",
    ):
        with pytest.raises(DBAPIError, match="final"):
            async with owner_engine.begin() as conn:
                await conn.execute(sa.text(statement), {"r": admitted})
    # A unit move rewrites where it is seen (its path copy), nothing else.
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE admission_annulments SET unit_path = unit_path WHERE recruit_id = :r"),
            {"r": admitted},
        )
    assert await scalar(owner_engine, "SELECT reason FROM admission_annulments") == WHY


async def test_the_execution_report_lists_the_annulments(gql, world, records) -> None:  # type: ignore[no-untyped-def]
    period = await records.period(date(2024, 1, 1), date(2024, 12, 31))
    await records.quota(period, "A", 5)
    annulled = await _admitted(records, "A2", date(2024, 5, 20))
    await _admitted(records)
    school = world.tokens["school_admin"]
    assert (await gql(ANNUL, _annul(annulled), school))["data"]["annulAdmission"]["errors"] == []
    saved = await gql(
        """mutation($p: ID!, $u: ID!) { saveReportDraft(input: {periodId: $p, unitId: $u})
          { report { content } errors { code } } }""",
        {"p": gid("PlanPeriod", period), "u": world.gid("A")},
        school,
    )
    content = saved["data"]["saveReportDraft"]["report"]["content"]
    assert content["levels"][0]["line"]["admitted"] == 1
    assert content["annulments"] == [
        {
            "recruit_id": annulled,
            "recruit_name": "某某",
            "branch_id": world.units["A2"],
            "branch_name": "甲校机关党支部",
            "approved_on": "2024-05-20",
            "annulled_on": "2024-09-01",
            "reason": WHY,
            "document_no": DOCUMENT,
        }
    ]


CORRECT = """mutation($s: ID!) { correctStep(input: {stepId: $s, on: "2024-06-26", data:
  {documentNo: "党委〔2024〕12号"}, reason: "日期笔误"}) { errors { code field message } } }"""


async def test_the_procedure_ends_at_the_annulment(gql, world) -> None:  # type: ignore[no-untyped-def]
    walk = api.WALK[: [w[0] for w in api.WALK].index("approval") + 1]
    ids = []
    for sequence, name in ((41, "王某"), (42, "赵某")):
        created = await api.create(gql, world, idNumber=id_number("20030504", sequence), name=name)
        ids.append(created["recruit"]["id"])
        for code, on, data, account in walk:
            assert (await api.step(gql, world, ids[-1], code, on, data, account))["errors"] == []
    annulled, kept = ids
    variables = {"r": annulled, "why": WHY, "no": DOCUMENT, "on": "2024-06-30"}
    result = await gql(ANNUL, variables, world.tokens["school_admin"])
    assert result["data"]["annulAdmission"]["errors"] == []

    secretary = world.tokens["branch_secretary"]
    stopped = (await gql(STEP, {"r": annulled}, secretary))["data"]["recordStep"]["errors"]
    assert [(e["code"], e["field"]) for e in stopped] == [("RULE_VIOLATION", "step")]
    went_on = (await gql(STEP, {"r": kept}, secretary))["data"]["recordStep"]["errors"]
    assert went_on == []  # the near miss: the same step of the admission that stands

    steps = await gql(
        "query($id: ID!) { node(id: $id) { ... on Recruit { steps { id step } } } }",
        {"id": annulled},
        world.tokens["unit_admin"],
    )
    approval = next(s for s in steps["data"]["node"]["steps"] if s["step"] == "APPROVAL")
    fixed = await gql(CORRECT, {"s": approval["id"]}, world.tokens["unit_admin"])
    errors = fixed["data"]["correctStep"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("RULE_VIOLATION", "stepId")]


DEACTIVATE = """mutation($id: ID!) { deactivateUnit(input: {unitId: $id}) {
  unit { active } errors { code message } } }"""


async def test_an_annulled_recruit_does_not_hold_its_branch(gql, world, records) -> None:  # type: ignore[no-untyped-def]
    await records.period(date(2024, 1, 1), date(2024, 12, 31))
    kept = await _admitted(records, "A1b")
    school = world.tokens["school_admin"]
    # The near miss: an admission that stands keeps the branch from being deactivated.
    held = (await gql(DEACTIVATE, {"id": world.gid("A1b")}, school))["data"]["deactivateUnit"]
    assert [e["code"] for e in held["errors"]] == ["IN_USE"]
    assert (await gql(ANNUL, _annul(kept), school))["data"]["annulAdmission"]["errors"] == []
    freed = (await gql(DEACTIVATE, {"id": world.gid("A1b")}, school))["data"]["deactivateUnit"]
    assert freed["errors"] == [] and freed["unit"] == {"active": False}
