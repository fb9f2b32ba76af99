"""Forecasts roll up: a line's forecast is every submission of its subtree summed (a branch's is
what it submitted), its own submission beside it as ``ownForecast``, so a school's table and the
commission's view agree without anyone re-typing a sum. On a hand-built case, on the demo's
Chongqing table (32 + 6 + 7 + 3 + 5 = 53) and on random trees against an oracle."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa
import support_demo
import support_recruits as api
from support import codes, gid
from support_plan_tree import FORECAST, PlanTree

import partyplan.resolvers.plans.rules as plan_rules

LINES = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { ...f } children { unitName ...f } } }
fragment f on RollupLine { forecast { ...a } ownForecast { ...a } childrenForecast { ...a }
  forecastRemark }
fragment a on QuotaAmounts { total students staff highKnowledge }"""
NAMES = {
    "total": "total",
    "students": "students",
    "staff": "staff",
    "high_knowledge": "highKnowledge",
}


def amounts(total: int, staff: int = 0, high_knowledge: int = 0) -> dict[str, int]:
    return {"total": total, "students": 0, "staff": staff, "highKnowledge": high_knowledge}


async def lines(gql, unit: str, period: str, token: str) -> dict:  # type: ignore[no-untyped-def]
    result = await gql(LINES, {"u": unit, "p": period}, token)
    assert "errors" not in result, result
    return result["data"]["rollup"]


def totals(line: dict) -> tuple[int, int, int]:
    return (
        line["forecast"]["total"],
        line["ownForecast"]["total"],
        line["childrenForecast"]["total"],
    )


async def submit(gql, world, period: str, unit: str, total: int, account: str, **extra) -> None:  # type: ignore[no-untyped-def]
    result = await gql(
        FORECAST,
        {"p": period, "u": world.gid(unit), "a": amounts(total, **extra), "r": f"{unit} 备注"},
        world.tokens[account],
    )
    assert result["data"]["submitForecast"]["errors"] == [], result


async def test_a_units_forecast_is_its_subtrees(gql, world) -> None:  # type: ignore[no-untyped-def]
    period = await api.period(gql, world, 2024)
    await submit(gql, world, period, "A1a", 5, "branch_secretary", staff=1, high_knowledge=1)
    await submit(gql, world, period, "A1b", 3, "unit_admin")
    await submit(gql, world, period, "A1b", 6, "unit_admin")  # the latest counts
    await submit(gql, world, period, "A1", 2, "unit_admin")  # the committee's own
    await submit(gql, world, period, "A2", 4, "school_admin")
    await submit(gql, world, period, "B1", 7, "other_school_admin")

    committee = await lines(gql, world.gid("A1"), period, world.tokens["unit_admin"])
    assert totals(committee["line"]) == (13, 2, 11)
    assert committee["line"]["forecastRemark"] == "A1 备注"
    assert [(c["unitName"], totals(c)) for c in committee["children"]] == [
        ("甲院第一党支部", (5, 5, 0)),
        ("甲院第二党支部", (6, 6, 0)),
    ]

    school = await lines(gql, world.gid("A"), period, world.tokens["school_admin"])
    assert totals(school["line"]) == (17, 0, 17)
    assert school["line"]["forecast"] == amounts(17, staff=1, high_knowledge=1)
    assert [(c["unitName"], totals(c)) for c in school["children"]] == [
        ("甲院党委", (13, 2, 11)),
        ("甲校机关党支部", (4, 4, 0)),
    ]

    commission = await lines(
        gql, world.gid("commission"), period, world.tokens["commission_viewer"]
    )
    assert totals(commission["line"]) == (24, 0, 24)
    assert [(c["unitName"], totals(c)) for c in commission["children"]] == [
        ("学校甲党委", (17, 0, 17)),
        ("学校乙党委", (7, 0, 7)),
    ]
    assert commission["children"][0]["forecast"] == school["line"]["forecast"]


async def test_the_chongqing_commission_sees_its_branches_forecasts(
    gql, platform, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    tokens = await support_demo.load(platform)
    async with owner_engine.connect() as conn:
        period = gid(
            "PlanPeriod",
            await conn.scalar(sa.text("SELECT id FROM plan_periods WHERE name = '2019 年下半年'")),
        )
    commission = gid("Unit", await support_demo.unit_id(owner_engine, "CQ-JGW"))
    school = gid("Unit", await support_demo.unit_id(owner_engine, "CQ-YEZ"))

    view = await lines(gql, commission, period, tokens["cq-admin"])
    (line,) = view["children"]
    assert line["unitName"] == "中共重庆幼儿师范高等专科学校委员会"
    assert line["forecast"] == amounts(53, staff=2, high_knowledge=1)
    assert totals(line) == (53, 0, 53) and totals(view["line"]) == (53, 0, 53)

    table = await lines(gql, school, period, tokens["cqyz-admin"])
    assert [c["forecast"]["total"] for c in table["children"]] == [32, 6, 7, 3, 5]
    assert table["children"][0]["forecastRemark"] == "2 名教师（1 名高知识群体教师）"
    assert table["line"]["forecast"] == line["forecast"]


@pytest.mark.parametrize("seed", range(4))
async def test_every_line_forecasts_its_subtree(seed, gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    tree = PlanTree(gql, world, owner_engine, random.Random(seed))
    period = await tree.build(admissions=0)
    token = world.tokens["commission_admin"]
    commission = world.units["commission"]
    for unit in [commission, *sorted(tree.school)]:
        view = await lines(gql, gid("Unit", unit), period, token)
        beneath = set(tree.school) if unit == commission else tree.subtree(unit)
        line = view["line"]
        for d in plan_rules.DIMENSIONS:
            name = NAMES[d]
            assert line["forecast"][name] == tree.forecast_of(beneath)[d], (seed, unit, d)
            assert line["ownForecast"][name] == tree.forecast_of({unit})[d], (seed, unit, d)
            assert line["forecast"][name] == line["ownForecast"][name] + sum(
                c["forecast"][name] for c in view["children"]
            ), (seed, unit, d)
            assert line["childrenForecast"][name] == sum(
                c["forecast"][name] for c in view["children"]
            ), (seed, unit, d)


async def test_the_new_figures_are_scoped_like_the_rollup(gql, world) -> None:  # type: ignore[no-untyped-def]
    period = await api.period(gql, world, 2024)
    document = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
      line { ownForecast { total } } years { plan } } }"""
    variables = {"u": world.gid("A1"), "p": period}
    allowed = await gql(document, variables, world.tokens["viewer"])
    assert "errors" not in allowed and allowed["data"]["rollup"]["line"]["ownForecast"] == {
        "total": 0
    }
    for token, code in (
        (None, "UNAUTHENTICATED"),
        (world.tokens["sync_agent"], "FORBIDDEN"),
        (world.tokens["other_school_admin"], "NOT_FOUND"),
    ):
        refused = await gql(document, variables, token)
        assert refused["data"] is None and codes(refused) == [code], refused


PLAN = """query($u: ID!, $p: ID!) { plan(unitId: $u, periodId: $p) {
  line { subtreeForecast { ...a } forecast { amounts { ...a } } }
  children { unitName subtreeForecast { ...a } forecast { amounts { ...a } } }
  childrenForecast { ...a } } }
fragment a on QuotaAmounts { total students staff highKnowledge }"""


async def plan_view(gql, unit: str, period: str, token: str) -> dict:  # type: ignore[no-untyped-def]
    result = await gql(PLAN, {"u": unit, "p": period}, token)
    assert "errors" not in result, result
    return result["data"]["plan"]


@pytest.mark.parametrize("seed", range(3))
async def test_the_plans_branch_table_agrees_with_the_rollup(
    seed, gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    """The plan's 预计数 column (each line's subtreeForecast) is the roll-up's forecast, the
    unit's own submission staying its ``forecast``."""
    tree = PlanTree(gql, world, owner_engine, random.Random(seed))
    period = await tree.build(admissions=0)
    token = world.tokens["commission_admin"]
    for unit in sorted(tree.school):
        rolled = await lines(gql, gid("Unit", unit), period, token)
        plan = await plan_view(gql, gid("Unit", unit), period, token)
        assert plan["line"]["subtreeForecast"] == rolled["line"]["forecast"], (seed, unit)
        assert plan["line"]["forecast"]["amounts"] == rolled["line"]["ownForecast"], (seed, unit)
        assert plan["childrenForecast"] == rolled["line"]["childrenForecast"], (seed, unit)
        by_name = {c["unitName"]: c["forecast"] for c in rolled["children"]}
        for child in plan["children"]:
            if child["unitName"] in by_name:
                assert child["subtreeForecast"] == by_name[child["unitName"]], (seed, unit)
            else:  # an inactive unit without figures: nothing forecast beneath it
                assert child["subtreeForecast"]["total"] == 0, (seed, unit)


async def test_the_chongqing_schools_plan_shows_its_branches_forecasts(
    gql, platform, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    tokens = await support_demo.load(platform)
    async with owner_engine.connect() as conn:
        period = gid(
            "PlanPeriod",
            await conn.scalar(sa.text("SELECT id FROM plan_periods WHERE name = '2019 年下半年'")),
        )
    commission = gid("Unit", await support_demo.unit_id(owner_engine, "CQ-JGW"))
    plan = await plan_view(gql, commission, period, tokens["cq-admin"])
    (school,) = plan["children"]
    assert school["subtreeForecast"] == amounts(53, staff=2, high_knowledge=1)
    assert school["forecast"]["amounts"]["total"] == 0  # the school typed nothing itself
    assert plan["childrenForecast"]["total"] == 53
