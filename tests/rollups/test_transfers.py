"""A transferred admission stays where it was approved: transferring an admitted recruit (to
another branch of its school, or through the commission to another school) leaves every
admission figure, completion rate and month where they were, while the recruit's pipeline
figures move with it; a later move of the admitting unit carries its admissions along, even
those of recruits since transferred out of the mover's scope."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import support_recruits as api
from support import id_number

from partyplan.resolvers.rollups.repository import drift

ISSUE = """mutation($input: IssuePlanInput!) { issuePlan(input: $input) { errors { code } } }"""
ALLOCATE = (
    """mutation($input: AllocateQuotaInput!) { allocateQuota(input: $input) { errors { code } } }"""
)
TRANSFER = """mutation($r: ID!, $b: ID!) { transferRecruit(input: {recruitId: $r, toBranchId: $b,
  reason: "调整支部"}) { errors { code } } }"""
MOVE = """mutation($u: ID!, $to: ID!) { moveUnit(input: {unitId: $u, newParentId: $to}) {
  errors { code } } }"""
ROLLUP = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { ...line } children { unitName ...line }
  months { month admitted admittedExempt admittedToDate converted structure { women } }
  years(last: 1) { admitted completionRate } } }
fragment line on RollupLine { admitted admittedExempt completionRate
  structure { women ethnicMinority youth35 collegeEducated students staff highKnowledge
              professionalTechnical }
  pipeline { applicants activists developmentTargets probationary converted } }"""
UP_TO_APPROVAL = api.WALK[: [w[0] for w in api.WALK].index("approval") + 1]
ADMISSION_KEYS = ("admitted", "admittedExempt", "completionRate", "structure")


async def admitted_case(gql, world) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A quota of 10 issued to school A (6 allocated to A1, 3 to B), one recruit of A1a
    admitted on 2024-06-25 and one applicant beside it."""
    commission = world.tokens["commission_admin"]
    year = await api.period(gql, world, 2024)
    for school, total in (("A", 10), ("B", 3)):
        issued = await gql(
            ISSUE,
            {
                "input": {
                    "periodId": year,
                    "schoolId": world.gid(school),
                    "amounts": {"total": total},
                    "documentNo": "晋教工委组〔2024〕5号",
                }
            },
            commission,
        )
        assert issued["data"]["issuePlan"]["errors"] == [], issued
    allocation = {
        "periodId": year,
        "fromUnitId": world.gid("A"),
        "toUnitId": world.gid("A1"),
        "amounts": {"total": 6},
    }
    allocated = await gql(ALLOCATE, {"input": allocation}, world.tokens["school_admin"])
    assert allocated["data"]["allocateQuota"]["errors"] == [], allocated
    recruit = await api.create(
        gql,
        world,
        idNumber=id_number("19850304", 42, female=True),
        name="王芳",
        gender="FEMALE",
        birthDate="1985-03-04",
    )
    recruit_id = recruit["recruit"]["id"]
    for code, on, data, who in UP_TO_APPROVAL:
        result = await api.step(gql, world, recruit_id, code, on, data, who)
        assert result["errors"] == [], (code, result)
    await api.create(
        gql,
        world,
        idNumber=id_number("20050101", 44),
        name="钱进",
        birthDate="2005-01-01",
        applicationDate="2024-02-01",
    )
    return {"period": year, "recruit": recruit_id}


async def rollup(gql, world, unit: str, period: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = await gql(
        ROLLUP, {"u": world.gid(unit), "p": period}, world.tokens["commission_admin"]
    )
    assert "errors" not in result, result
    return result["data"]["rollup"]


def admissions(view: dict[str, Any]) -> dict[str, Any]:
    """Everything an admission decides in a roll-up: the line's admission figures and
    completion, its children's, the months and the year-over-year figures."""
    lines = [view["line"], *view["children"]]
    return {
        "lines": [{k: line[k] for k in ADMISSION_KEYS} for line in lines],
        "months": view["months"],
        "years": view["years"],
    }


async def transfer(gql, world, recruit: str, to: str, account: str) -> None:  # type: ignore[no-untyped-def]
    moved = await gql(TRANSFER, {"r": recruit, "b": world.gid(to)}, world.tokens[account])
    assert moved["data"]["transferRecruit"]["errors"] == [], moved


async def no_drift(owner_engine, world) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        for period in (await conn.execute(sa.text("SELECT id FROM plan_periods"))).scalars():
            assert await drift(conn, period, str(world.units["commission"])) == []


async def test_a_transfer_in_the_school_leaves_the_admission_where_it_was_approved(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    case = await admitted_case(gql, world)
    units = ("A1a", "A1", "A2", "A", "commission")
    before = {u: await rollup(gql, world, u, case["period"]) for u in units}
    assert (
        before["A1"]["line"]["admitted"] == 1 and before["A1"]["line"]["completionRate"] == 0.1667
    )
    assert before["A1a"]["months"][5]["admitted"] == 1

    await transfer(gql, world, case["recruit"], "A2", "school_admin")

    after = {u: await rollup(gql, world, u, case["period"]) for u in units}
    for unit in units:
        assert admissions(after[unit]) == admissions(before[unit]), unit
    # The recruit's own records follow it: probationary now in A2, no longer in A1.
    assert [after[u]["line"]["pipeline"]["probationary"] for u in ("A1a", "A1", "A2", "A")] == [
        0,
        0,
        1,
        1,
    ]
    assert before["A2"]["line"]["pipeline"]["probationary"] == 0
    await no_drift(owner_engine, world)


async def test_a_transfer_to_another_school_keeps_the_admission_with_the_old_school(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    case = await admitted_case(gql, world)
    units = ("A1a", "A1", "A", "B1", "B", "commission")
    before = {u: await rollup(gql, world, u, case["period"]) for u in units}

    await transfer(gql, world, case["recruit"], "B1", "commission_admin")

    after = {u: await rollup(gql, world, u, case["period"]) for u in units}
    for unit in units:
        assert admissions(after[unit]) == admissions(before[unit]), unit
    school_a, school_b = after["commission"]["children"]
    assert (school_a["admitted"], school_a["completionRate"]) == (1, 0.1)
    assert (school_b["admitted"], school_b["completionRate"]) == (0, 0.0)
    assert (school_a["pipeline"]["probationary"], school_b["pipeline"]["probationary"]) == (0, 1)
    assert after["B1"]["line"]["pipeline"]["probationary"] == 1
    await no_drift(owner_engine, world)


async def test_moving_the_admitting_unit_carries_admissions_of_recruits_gone_elsewhere(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    """A1a moves from A1 to directly under A, moved by the school (which no longer sees the
    recruit, now in school B): the admission follows A1a out of A1."""
    case = await admitted_case(gql, world)
    await transfer(gql, world, case["recruit"], "B1", "commission_admin")
    moved = await gql(
        MOVE, {"u": world.gid("A1a"), "to": world.gid("A")}, world.tokens["school_admin"]
    )
    assert moved["data"]["moveUnit"]["errors"] == [], moved

    assert [
        (await rollup(gql, world, u, case["period"]))["line"]["admitted"]
        for u in ("A1a", "A1", "A", "B")
    ] == [1, 0, 1, 0]
    school = await rollup(gql, world, "A", case["period"])
    assert {c["unitName"]: c["admitted"] for c in school["children"]}["甲院第一党支部"] == 1
    async with owner_engine.connect() as conn:
        place = (
            await conn.execute(
                sa.text(
                    "SELECT r.admitted_path::text = u.path::text FROM recruits r"
                    " JOIN units u ON u.id = r.admitted_branch_id WHERE r.name = '王芳'"
                )
            )
        ).scalar_one()
    assert place is True
    await no_drift(owner_engine, world)
