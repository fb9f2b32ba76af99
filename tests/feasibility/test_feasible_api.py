"""Feasible admissions through the API: recruits recorded at each stage with dates relative to
today, the roll-up's ``feasibleAdmissions`` beside quota and forecast (count, by stage, earliest
days), the days it claims recorded through recordStep (accepted, no finding; a day earlier
refused), the infeasible-quota warning with its near misses, and access."""

from __future__ import annotations

from datetime import timedelta

import pytest
import support_recruits as api
from support_feasibility import STEPS, TODAY, activist_steps, record, target_steps, walked
from support_records import Records

from partyplan.resolvers.recruits.rules.calendar import add_months

ROLLUP = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { ...f } children { unitName ...f } } }
fragment f on RollupLine { plan forecast { total } feasibleAdmissions { count
  byStage { stage count } earliestDates { on count } } }"""
ACCESS = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { feasibleAdmissions { count byStage { count } } } } }"""


@pytest.fixture
async def scene(gql, world, owner_engine):  # type: ignore[no-untyped-def]
    """A period ending in 60 days; in A1a: a development target (admissible today), an activist
    whose year ends within the period, one whose year does not, an applicant, and a target whose
    political review ran out a month ago (never, until corrected)."""
    records = Records(owner_engine, world)
    period = await records.period(
        TODAY - timedelta(days=300), TODAY + timedelta(days=60), kind="custom"
    )
    near = add_months(TODAY, -11)
    ids = {
        "target": await walked(
            gql,
            world,
            1,
            target_steps(add_months(TODAY, -14), add_months(TODAY, -2), TODAY - timedelta(days=30)),
        ),
        "activist_near": await walked(gql, world, 2, activist_steps(near)),
        "activist_far": await walked(gql, world, 3, activist_steps(add_months(TODAY, -2))),
        "applicant": await walked(gql, world, 4, [("talk", TODAY - timedelta(days=5))]),
        "expired": await walked(
            gql,
            world,
            5,
            target_steps(add_months(TODAY, -28), add_months(TODAY, -14), add_months(TODAY, -13)),
        ),
    }
    return {"records": records, "period": period, "ids": ids, "near": add_months(near, 12)}


async def rollup(gql, world, unit: str, period: int, account: str = "school_admin") -> dict:  # type: ignore[no-untyped-def]
    from support import gid

    return await gql(
        ROLLUP, {"u": world.gid(unit), "p": gid("PlanPeriod", period)}, world.tokens[account]
    )


async def test_the_rollup_counts_what_the_rules_still_allow(gql, world, scene) -> None:  # type: ignore[no-untyped-def]
    result = await rollup(gql, world, "A", scene["period"])
    assert "errors" not in result, result
    line = result["data"]["rollup"]["line"]["feasibleAdmissions"]
    assert line["count"] == 2
    assert line["byStage"] == [
        {"stage": "APPLICANT", "count": 0},
        {"stage": "ACTIVIST", "count": 1},
        {"stage": "DEVELOPMENT_TARGET", "count": 1},
    ]
    assert line["earliestDates"] == [
        {"on": TODAY.isoformat(), "count": 1},
        {"on": scene["near"].isoformat(), "count": 1},
    ]
    children = {
        c["unitName"]: c["feasibleAdmissions"]["count"]
        for c in result["data"]["rollup"]["children"]
    }
    assert children == {"甲院党委": 2, "甲校机关党支部": 0}


async def test_a_period_ending_before_the_year_is_out_counts_only_the_target(  # type: ignore[no-untyped-def]
    gql, world, owner_engine, scene
) -> None:
    ends = scene["near"] - timedelta(days=1)  # one day short of the near activist's year
    records = scene["records"]
    short = await records.period(TODAY - timedelta(days=10), ends, kind="custom")
    line = (await rollup(gql, world, "A1a", short))["data"]["rollup"]["line"]["feasibleAdmissions"]
    assert (line["count"], line["earliestDates"]) == (1, [{"on": TODAY.isoformat(), "count": 1}])
    exact = await records.period(TODAY - timedelta(days=10), scene["near"], kind="custom")
    line = (await rollup(gql, world, "A1a", exact))["data"]["rollup"]["line"]["feasibleAdmissions"]
    assert line["count"] == 2


async def test_an_ended_or_closed_period_has_none(gql, world, scene) -> None:  # type: ignore[no-untyped-def]
    records = scene["records"]
    ended = await records.period(
        TODAY - timedelta(days=100), TODAY - timedelta(days=1), kind="custom"
    )
    closed = await records.period(
        TODAY - timedelta(days=10), TODAY + timedelta(days=10), kind="custom", state="closed"
    )
    for period in (ended, closed):
        result = await rollup(gql, world, "A", period)
        assert result["data"]["rollup"]["line"]["feasibleAdmissions"] is None


async def test_the_claimed_day_is_accepted_and_a_day_earlier_refused(gql, world, scene) -> None:  # type: ignore[no-untyped-def]
    """An activist designated exactly a year ago can be admitted today: every remaining step
    recorded today is accepted without a finding; one designated a year ago less a day cannot
    become a development target today (the day the walk claims is tomorrow)."""
    ready = await walked(gql, world, 11, activist_steps(add_months(TODAY, -12)))
    early = await walked(gql, world, 12, activist_steps(add_months(TODAY, -12) + timedelta(days=1)))
    result = await rollup(gql, world, "A1a", scene["period"])
    days = {
        d["on"]: d["count"]
        for d in result["data"]["rollup"]["line"]["feasibleAdmissions"]["earliestDates"]
    }
    assert days[TODAY.isoformat()] == 2  # the target of the scene, and ``ready``
    assert days[(TODAY + timedelta(days=1)).isoformat()] == 1
    for code in list(STEPS)[STEPS_AFTER_ACTIVIST:]:
        recorded = await record(gql, world, ready, code, TODAY)
        assert recorded["recruit"]["openFindings"] == 0, (code, recorded)
    assert recorded["recruit"]["approvedOn"] == TODAY.isoformat()
    data, account = STEPS["development_target"]
    refused = await gql(
        api.STEP,
        {
            "input": {
                "recruitId": early,
                "step": "DEVELOPMENT_TARGET",
                "on": TODAY.isoformat(),
                "data": data,
            }
        },
        world.tokens[account],
    )
    errors = refused["data"]["recordStep"]["errors"]
    assert [e["code"] for e in errors] == [
        "RULE_VIOLATION"
    ] and "target.after_activist_1y" in errors[0]["message"]


STEPS_AFTER_ACTIVIST = list(STEPS).index("development_target")


async def test_infeasible_quota_warns_one_past_what_is_feasible(
    gql, world, owner_engine, scene
) -> None:  # type: ignore[no-untyped-def]
    records, period = scene["records"], scene["period"]
    await records.quota(period, "A1a", 2)  # equal to what is feasible: no warning
    await records.quota(period, "A1b", 1)  # nobody there: one too many
    await records.sql(
        "INSERT INTO unit_quotas (period_id, unit_id, unit_path, unit_kind, school_id, forecast_total)"
        " SELECT :p, id, path, kind, school_id, 1 FROM units WHERE id = :u",
        p=period,
        u=world.units["A2"],
    )  # a forecast of one where nobody can be admitted
    await records.scan(TODAY)
    standing = {w.unit_name: w for w in await records.standing("infeasible_quota")}
    assert set(standing) == {"甲院第二党支部", "甲校机关党支部"}
    assert standing["甲院第二党支部"].evidence["over"] == {"received": 1}
    assert standing["甲校机关党支部"].evidence["over"] == {"forecast": 1}
    assert "尚可接收 0 名" in standing["甲院第二党支部"].message
    # One more place in A1a than can be reached: warned; back to equal: resolved.
    await records.sql(
        "UPDATE unit_quotas SET received_total = 3 WHERE period_id = :p AND unit_id = :u",
        p=period,
        u=world.units["A1a"],
    )
    await records.scan(TODAY)
    warned = {w.unit_name: w for w in await records.standing("infeasible_quota")}
    assert warned["甲院第一党支部"].evidence == {
        "received": 3,
        "forecast": 0,
        "admitted": 0,
        "feasible": 2,
        "margin": 0,
        "over": {"received": 1},
    }
    await records.sql(
        "UPDATE unit_quotas SET received_total = 2 WHERE period_id = :p AND unit_id = :u",
        p=period,
        u=world.units["A1a"],
    )
    await records.scan(TODAY)
    assert "甲院第一党支部" not in {w.unit_name for w in await records.standing("infeasible_quota")}


@pytest.mark.parametrize(
    ("account", "code"),
    [(None, "UNAUTHENTICATED"), ("sync_agent", "FORBIDDEN"), ("other_school_admin", "NOT_FOUND")],
)
async def test_access(gql, world, scene, account, code) -> None:  # type: ignore[no-untyped-def]
    from support import gid

    token = None if account is None else world.tokens[account]
    result = await gql(
        ACCESS, {"u": world.gid("A"), "p": gid("PlanPeriod", scene["period"])}, token
    )
    assert result["data"] is None or result["data"].get("rollup") is None
    assert [e["extensions"]["code"] for e in result["errors"]] == [code]


async def test_the_commission_sees_every_school(gql, world, scene) -> None:  # type: ignore[no-untyped-def]
    result = await rollup(gql, world, "commission", scene["period"], "commission_viewer")
    assert "errors" not in result, result
    assert result["data"]["rollup"]["line"]["feasibleAdmissions"]["count"] == 2


async def test_the_plan_shows_them_beside_each_lines_quota(gql, world, scene) -> None:  # type: ignore[no-untyped-def]
    from support import gid

    result = await gql(
        """query($u: ID!, $p: ID!) { plan(unitId: $u, periodId: $p) {
             line { received { total } subtreeForecast { total } feasibleAdmissions { count } }
             children { unitName feasibleAdmissions { count byStage { stage count } } } } }""",
        {"u": world.gid("A1"), "p": gid("PlanPeriod", scene["period"])},
        world.tokens["unit_admin"],
    )
    assert "errors" not in result, result
    plan = result["data"]["plan"]
    assert plan["line"]["feasibleAdmissions"] == {"count": 2}
    children = {c["unitName"]: c["feasibleAdmissions"] for c in plan["children"]}
    assert children["甲院第一党支部"]["count"] == 2
    assert children["甲院第二党支部"] == {
        "count": 0,
        "byStage": [
            {"stage": "APPLICANT", "count": 0},
            {"stage": "ACTIVIST", "count": 0},
            {"stage": "DEVELOPMENT_TARGET", "count": 0},
        ],
    }


async def test_a_correction_rederives_the_chance(gql, world, scene) -> None:  # type: ignore[no-untyped-def]
    """The target whose review ran out counts again once the review's date is corrected: the
    stored half follows every write."""
    secretary = world.tokens["branch_secretary"]
    steps = (
        await gql(
            "query($id: ID!) { recruit(id: $id) { steps { id step } } }",
            {"id": scene["ids"]["expired"]},
            secretary,
        )
    )["data"]["recruit"]["steps"]
    review = next(s["id"] for s in steps if s["step"] == "POLITICAL_REVIEW")
    corrected = await gql(
        """mutation($input: CorrectStepInput!) { correctStep(input: $input) {
             errors { code field message } } }""",
        {
            "input": {
                "stepId": review,
                "on": (TODAY - timedelta(days=10)).isoformat(),
                "data": {"conclusion": "qualified"},
                "reason": "政治审查结论日期录入有误",
            }
        },
        secretary,
    )
    assert corrected["data"]["correctStep"]["errors"] == [], corrected
    line = (await rollup(gql, world, "A1a", scene["period"]))["data"]["rollup"]["line"]
    assert line["feasibleAdmissions"]["count"] == 3
