"""The roll-up through the API on a hand-built case: four recruits recorded step by step, a
quota issued and subdivided, structural targets, a filing, two calendar years."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
import support_recruits as api
from support import id_number

from partyplan.resolvers.rollups.repository import drift

ISSUE = """mutation($input: IssuePlanInput!) { issuePlan(input: $input) { errors { code } } }"""
ALLOCATE = (
    """mutation($input: AllocateQuotaInput!) { allocateQuota(input: $input) { errors { code } } }"""
)
FILE = """mutation($r: ID!) { fileTalent(input: {recruitId: $r, programme: "国家级人才计划"})
  { filing { id } errors { code } } }"""
ACK = "mutation($f: ID!) { acknowledgeFiling(input: {filingId: $f}) { errors { code } } }"
ROLLUP = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  unit { name } period { name }
  line { ...line } children { ...line }
  targets { indicator minCount minShare minSharePercent actual share met }
  months { month admitted admittedExempt admittedToDate converted structure { women } }
  years(last: 3) { period { name } received admitted admittedExempt completionRate change } } }
fragment line on RollupLine { unitName unitKind plan received { total } handedDown { total }
  admitted admittedExempt completionRate openFindings
  structure { women ethnicMinority youth35 collegeEducated students staff highKnowledge
              professionalTechnical }
  pipeline { applicants activists developmentTargets probationary converted } }"""
UP_TO_APPROVAL = api.WALK[: [w[0] for w in api.WALK].index("approval") + 1]


async def walk(
    gql,
    world,
    recruit: str,
    steps: list,
    *,
    account: str | None = None,
    shift: timedelta = timedelta(0),
) -> None:  # type: ignore[no-untyped-def]
    for code, on, data, who in steps:
        result = await api.step(gql, world, recruit, code, on - shift, data, account or who)
        assert result["errors"] == [], (code, result)


async def build(gql, world) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    commission = world.tokens["commission_admin"]
    year_2023 = await api.period(gql, world, 2023)
    year_2024 = await api.period(gql, world, 2024)
    issued = await gql(
        ISSUE,
        {
            "input": {
                "periodId": year_2024,
                "schoolId": world.gid("A"),
                "amounts": {"total": 10},
                "documentNo": "晋教工委组〔2024〕5号",
                "targets": [
                    {"indicator": "WOMEN", "minCount": 1},
                    {"indicator": "YOUTH_35", "minSharePercent": 80},
                    {"indicator": "ETHNIC_MINORITY", "minCount": 1},
                ],
            }
        },
        commission,
    )
    assert issued["data"]["issuePlan"]["errors"] == []
    allocated = await gql(
        ALLOCATE,
        {
            "input": {
                "periodId": year_2024,
                "fromUnitId": world.gid("A"),
                "toUnitId": world.gid("A1"),
                "amounts": {"total": 6},
            }
        },
        world.tokens["school_admin"],
    )
    assert allocated["data"]["allocateQuota"]["errors"] == []

    student = await api.create(gql, world, idNumber=id_number("20030504", 41), name="李明")
    await walk(gql, world, student["recruit"]["id"], UP_TO_APPROVAL)
    teacher = await api.create(
        gql,
        world,
        idNumber=id_number("19850304", 42, female=True),
        name="王芳",
        gender="FEMALE",
        ethnicity="回族",
        birthDate="1985-03-04",
        category="TEACHER",
        education="DOCTORATE",
        professionalTitle="副教授",
        highKnowledge=True,
    )
    await walk(gql, world, teacher["recruit"]["id"], UP_TO_APPROVAL)
    activist = await api.create(
        gql,
        world,
        "unit_admin",
        "A1b",
        idNumber=id_number("20040101", 43),
        name="赵强",
        birthDate="2004-01-01",
    )
    await walk(gql, world, activist["recruit"]["id"], UP_TO_APPROVAL[:2], account="unit_admin")
    await api.create(
        gql,
        world,
        "school_admin",
        "A2",
        idNumber=id_number("20050101", 44),
        name="钱进",
        birthDate="2005-01-01",
        applicationDate="2024-02-01",
    )
    # A year earlier: admitted in 2023 (every date of the walk a year back).
    earlier = await api.create(
        gql,
        world,
        idNumber=id_number("20020202", 45),
        name="孙悦",
        birthDate="2002-02-02",
        applicationDate="2021-09-15",
    )
    await walk(gql, world, earlier["recruit"]["id"], UP_TO_APPROVAL, shift=timedelta(days=366))
    return {"2023": year_2023, "2024": year_2024, "teacher": teacher["recruit"]["id"]}


async def rollup(gql, world, unit: str, period: str, account: str = "school_admin") -> dict:  # type: ignore[no-untyped-def]
    result = await gql(ROLLUP, {"u": world.gid(unit), "p": period}, world.tokens[account])
    assert "errors" not in result, result
    return result["data"]["rollup"]


async def test_the_recorded_steps_derive_milestones_and_tallies(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await build(gql, world)
    async with owner_engine.connect() as conn:
        milestones = (
            await conn.execute(
                sa.text(
                    "SELECT applied_on, activist_on, target_on, approved_on, converted_on, cancelled_on"
                    " FROM recruits WHERE name = '王芳'"
                )
            )
        ).one()
        assert milestones == (
            date(2022, 9, 15),
            date(2023, 3, 20),
            date(2024, 3, 25),
            date(2024, 6, 25),
            None,
            None,
        )
        for period in (await conn.execute(sa.text("SELECT id FROM plan_periods"))).scalars():
            assert await drift(conn, period, str(world.units["commission"])) == []


async def test_a_schools_rollup_counts_structure_pipeline_and_targets(gql, world) -> None:  # type: ignore[no-untyped-def]
    case = await build(gql, world)
    view = await rollup(gql, world, "A", case["2024"])
    line = view["line"]
    assert (line["received"], line["handedDown"]) == ({"total": 10}, {"total": 6})
    assert (line["admitted"], line["admittedExempt"], line["completionRate"]) == (2, 0, 0.2)
    assert line["structure"] == {
        "women": 1,
        "ethnicMinority": 1,
        "youth35": 1,
        "collegeEducated": 1,
        "students": 1,
        "staff": 1,
        "highKnowledge": 1,
        "professionalTechnical": 1,
    }
    # 孙悦 was admitted in 2023: probationary at the end of 2024 too.
    assert line["pipeline"] == {
        "applicants": 1,
        "activists": 1,
        "developmentTargets": 0,
        "probationary": 3,
        "converted": 0,
    }
    children = {c["unitName"]: c for c in view["children"]}
    assert list(children) == ["甲院党委", "甲校机关党支部"]
    a1, a2 = view["children"]
    assert (a1["admitted"], a1["received"], a1["completionRate"]) == (2, {"total": 6}, 0.3333)
    assert a1["pipeline"]["activists"] == 1 and a2["pipeline"]["applicants"] == 1
    for figure in ("admitted", "openFindings"):
        assert line[figure] == a1[figure] + a2[figure]
    targets = {t["indicator"]: t for t in view["targets"]}
    assert targets["WOMEN"] == {
        "indicator": "WOMEN",
        "minCount": 1,
        "minShare": None,
        "minSharePercent": None,
        "actual": 1,
        "share": 0.5,
        "met": True,
    }
    assert (targets["YOUTH_35"]["share"], targets["YOUTH_35"]["met"]) == (0.5, False)
    # Issued as minSharePercent 80: the same share, as a fraction beside the actual one.
    youth = targets["YOUTH_35"]
    assert (youth["minShare"], youth["minSharePercent"]) == (0.8, 80.0)
    assert targets["ETHNIC_MINORITY"]["met"] is True

    months = view["months"]
    assert [m["month"] for m in months] == [f"2024-{m:02d}-01" for m in range(1, 13)]
    june = months[5]
    assert (june["admitted"], june["structure"]["women"], june["admittedToDate"]) == (2, 1, 2)
    assert months[4]["admittedToDate"] == 0 and months[11]["admittedToDate"] == 2
    assert [(y["period"]["name"], y["admitted"], y["change"]) for y in view["years"]] == [
        ("2024 年度", 2, 1.0),
        ("2023 年度", 1, None),
    ]


async def test_an_acknowledged_filing_moves_an_admission_to_the_exempt_figure(gql, world) -> None:  # type: ignore[no-untyped-def]
    case = await build(gql, world)
    filed = await gql(FILE, {"r": case["teacher"]}, world.tokens["school_admin"])
    filing = filed["data"]["fileTalent"]["filing"]["id"]
    await gql(ACK, {"f": filing}, world.tokens["commission_admin"])
    line = (await rollup(gql, world, "A", case["2024"]))["line"]
    assert (line["admitted"], line["admittedExempt"], line["completionRate"]) == (1, 1, 0.1)
    assert line["structure"]["women"] == 1  # structure counts every admission


async def test_the_commission_sees_one_line_per_school(gql, world) -> None:  # type: ignore[no-untyped-def]
    case = await build(gql, world)
    for account in ("commission_admin", "commission_viewer"):
        view = await rollup(gql, world, "commission", case["2024"], account)
        assert [c["unitName"] for c in view["children"]] == ["学校甲党委", "学校乙党委"]
        school_a, school_b = view["children"]
        assert (school_a["admitted"], school_b["admitted"]) == (2, 0)
        line = view["line"]
        assert (line["admitted"], line["plan"], line["completionRate"]) == (2, 10, 0.2)
        assert view["line"]["pipeline"] == school_a["pipeline"]
        assert view["months"][5]["admitted"] == 2


async def test_rollup_statement_count_does_not_grow_with_the_tree(gql, world, platform) -> None:  # type: ignore[no-untyped-def]
    period = await api.period(gql, world, 2024)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    counts = []
    for extra in (0, 20):
        for i in range(extra):
            created = await gql(
                "mutation($input: CreateUnitInput!) { createUnit(input: $input) { errors { code } } }",
                {"input": {"parentId": world.gid("A1"), "kind": "BRANCH", "name": f"新支部{i}"}},
                world.tokens["school_admin"],
            )
            assert created["data"]["createUnit"]["errors"] == []
        statements.clear()
        engine = platform.engine.sync_engine
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            view = await rollup(gql, world, "A1", period)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        assert len(view["children"]) == 2 + extra
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


YEARS = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { plan completionRate } years(last: 3) { period { name } plan received admitted
  completionRate } } }"""


async def test_a_commissions_years_use_what_it_issued(gql, world) -> None:  # type: ignore[no-untyped-def]
    """计划数 year over year is the line's: what a commission issued, what a school received."""
    case = await build(gql, world)
    for unit, account, received in (
        ("commission", "commission_admin", 0),
        ("A", "school_admin", 10),
    ):
        result = await gql(YEARS, {"u": world.gid(unit), "p": case["2024"]}, world.tokens[account])
        assert "errors" not in result, result
        view = result["data"]["rollup"]
        assert (view["line"]["plan"], view["line"]["completionRate"]) == (10, 0.2)
        assert view["years"] == [
            {
                "period": {"name": "2024 年度"},
                "plan": 10,
                "received": received,
                "admitted": 2,
                "completionRate": 0.2,
            },
            {
                "period": {"name": "2023 年度"},
                "plan": 0,
                "received": 0,
                "admitted": 1,
                "completionRate": None,
            },
        ], unit
