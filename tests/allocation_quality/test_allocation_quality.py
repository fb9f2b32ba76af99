"""Equal splits and flat ratios, through the API, with their near misses.

Committee A1 subdivides its places between branches A1a and A1b; each test sets the branches'
pipeline (activists and development targets at the period's end) and headcount (members on the
roster) as the owner, allocates through the API, and reads the judgement."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from support import codes, scalar
from support_records import Records

PERIOD = """mutation($c: ID!) { createPlanPeriod(input: {commissionId: $c, name: "2023 年度",
  kind: CALENDAR_YEAR, startsOn: "2023-01-01", endsOn: "2023-12-31"}) { period { id } errors { code } } }"""
PUBLISH = "mutation($p: ID!) { publishPlanPeriod(input: {periodId: $p}) { errors { code } } }"
ISSUE = """mutation($p: ID!, $s: ID!, $a: QuotaAmountsInput!) { issuePlan(input: {periodId: $p,
  schoolId: $s, amounts: $a, documentNo: "x"}) { errors { code } } }"""
ALLOCATE = """mutation($p: ID!, $f: ID!, $t: ID!, $a: QuotaAmountsInput!) { allocateQuota(input: {
  periodId: $p, fromUnitId: $f, toUnitId: $t, amounts: $a}) { movement { id } errors { code } } }"""
QUALITIES = """query($p: ID!, $u: ID) { allocationQualities(periodId: $p, under: $u) {
  totalCount edges { node { unitId unitName handed places assessed score headcountFit equalSplit
  flatRatio explanation children { unitName places activists developmentTargets headcount
  byPipeline byHeadcount } } } } }"""
SET_RULE = """mutation($c: ID!, $p: JSON!) { setAllocationQualityRule(input: {commissionId: $c,
  params: $p}) { rule { params defaults } errors { code field } } }"""


class Setup:
    def __init__(self, gql: Any, world: Any, owner_engine: Any) -> None:
        self.gql, self.world, self.owner = gql, world, owner_engine
        self.records = Records(owner_engine, world)
        self.serial = 0

    async def ok(self, document: str, variables: dict[str, Any], account: str) -> dict[str, Any]:
        result = await self.gql(document, variables, self.world.tokens[account])
        assert "errors" not in result, result
        payload = next(iter(result["data"].values()))
        assert not payload["errors"], payload
        return payload

    async def period(self, **subquotas: int) -> str:
        period = (await self.ok(PERIOD, {"c": self.world.gid("commission")}, "commission_admin"))[
            "period"
        ]["id"]
        await self.ok(PUBLISH, {"p": period}, "commission_admin")
        amounts = {"total": 10, **subquotas}
        await self.ok(
            ISSUE, {"p": period, "s": self.world.gid("A"), "a": amounts}, "commission_admin"
        )
        await self.allocate(period, "A", "A1", {"total": 8, **subquotas})
        return period

    async def allocate(self, period: str, parent: str, child: str, amounts: dict) -> None:  # type: ignore[type-arg]
        variables = {"p": period, "f": self.world.gid(parent), "t": self.world.gid(child)}
        await self.ok(ALLOCATE, {**variables, "a": amounts}, "school_admin")

    async def pipeline(self, branch: str, targets: int, activists: int = 0) -> None:
        for _ in range(targets):
            await self.records.recruit(
                branch,
                stage="development_target",
                activist_on=date(2022, 10, 1),
                target_on=date(2023, 6, 1),
            )
        for _ in range(activists):
            await self.records.recruit(branch, stage="activist", activist_on=date(2023, 3, 1))

    async def headcount(self, branch: str, total: int) -> None:
        """Members on the roster at the branch, up to ``total`` (the world has some)."""
        unit = self.world.units[branch]
        held = await scalar(self.owner, "SELECT count(*) FROM members WHERE branch_id = :b", b=unit)
        for _ in range(total - held):
            self.serial += 1
            await self.records.sql(
                "INSERT INTO members (school_id, branch_id, unit_path, code, name, joined_on)"
                " SELECT school_id, id, path, :c, '党员', '2010-01-01' FROM units WHERE id = :b",
                c=f"aq-{self.serial}",
                b=unit,
            )

    async def quality(self, period: str, unit: str = "A1", account: str = "school_admin") -> dict:  # type: ignore[type-arg]
        result = await self.gql(
            QUALITIES, {"p": period, "u": self.world.gid(unit)}, self.world.tokens[account]
        )
        assert "errors" not in result, result
        nodes = [e["node"] for e in result["data"]["allocationQualities"]["edges"]]
        return next(n for n in nodes if n["unitId"] == self.world.gid(unit))


@pytest.fixture
def setup(gql, world, owner_engine) -> Setup:  # type: ignore[no-untyped-def]
    return Setup(gql, world, owner_engine)


async def split(setup: Setup, first: int, second: int, **subquotas: int) -> str:
    period = await setup.period(**subquotas)
    hk = subquotas.get("highKnowledge")
    for branch, places in (("A1a", first), ("A1b", second)):
        amounts = {"total": places}
        if hk is not None:
            amounts["highKnowledge"] = 0 if branch == "A1a" else hk
        await setup.allocate(period, "A1", branch, amounts)
    return period


async def test_an_equal_split_against_unequal_pipelines_is_flagged(setup) -> None:  # type: ignore[no-untyped-def]
    await setup.pipeline("A1a", 6)
    await setup.pipeline("A1b", 0, activists=1)
    period = await split(setup, 4, 4)  # the allocation itself went through: never blocking
    judged = await setup.quality(period)
    assert judged["assessed"] and judged["equalSplit"] and not judged["flatRatio"]
    assert judged["places"] == 8 and judged["handed"] == 8
    assert judged["score"] < 0.9
    assert "平均分" in judged["explanation"] and "6、1" in judged["explanation"]
    children = {c["unitName"]: c for c in judged["children"]}
    assert children["甲院第一党支部"]["developmentTargets"] == 6
    assert children["甲院第二党支部"]["activists"] == 1
    assert round(children["甲院第一党支部"]["byPipeline"], 2) == round(8 * 6 / 7, 2)


async def test_an_equal_split_of_equal_pipelines_is_not_flagged(setup) -> None:  # type: ignore[no-untyped-def]
    await setup.pipeline("A1a", 2, activists=1)
    await setup.pipeline("A1b", 3)
    period = await split(setup, 4, 4)
    judged = await setup.quality(period)
    assert judged["assessed"] and judged["score"] == 1.0
    assert not judged["equalSplit"] and not judged["flatRatio"]
    assert "基本相符" in judged["explanation"]


async def test_a_split_following_the_pipeline_is_not_flagged(setup) -> None:  # type: ignore[no-untyped-def]
    await setup.pipeline("A1a", 6)
    await setup.pipeline("A1b", 1)
    await setup.headcount("A1a", 14)
    await setup.headcount("A1b", 2)  # the headcount happens to match the pipeline's shares
    period = await split(setup, 7, 1)
    judged = await setup.quality(period)
    assert judged["score"] == 1.0 and judged["headcountFit"] == 1.0
    assert not judged["equalSplit"] and not judged["flatRatio"]


async def test_a_flat_ratio_of_headcount_is_flagged(setup) -> None:  # type: ignore[no-untyped-def]
    await setup.pipeline("A1a", 1)
    await setup.pipeline("A1b", 6)
    await setup.headcount("A1a", 6)
    await setup.headcount("A1b", 2)
    period = await split(setup, 6, 2)
    judged = await setup.quality(period)
    assert judged["flatRatio"] and not judged["equalSplit"]
    assert judged["headcountFit"] == 1.0 and judged["score"] < 0.9
    assert "简单卡比例" in judged["explanation"]
    children = {c["unitName"]: c for c in judged["children"]}
    assert children["甲院第一党支部"]["headcount"] == 6


async def test_a_headcount_split_placing_the_priority_group_is_not_a_flat_ratio(setup) -> None:  # type: ignore[no-untyped-def]
    await setup.pipeline("A1a", 1)
    await setup.pipeline("A1b", 6)
    await setup.headcount("A1a", 6)
    await setup.headcount("A1b", 2)
    # The high-knowledge places go where the headcount would not put them.
    period = await split(setup, 6, 2, highKnowledge=2)
    judged = await setup.quality(period)
    assert judged["score"] < 0.9 and not judged["flatRatio"] and not judged["equalSplit"]


async def test_thresholds_are_the_commissions_data(setup, world, gql) -> None:  # type: ignore[no-untyped-def]
    await setup.pipeline("A1a", 6)
    await setup.pipeline("A1b", 0, activists=1)
    period = await split(setup, 4, 4)
    assert (await setup.quality(period))["equalSplit"]
    rule = await gql(
        "query($c: ID!) { allocationQualityRule(commissionId: $c) { params defaults } }",
        {"c": world.gid("commission")},
        world.tokens["school_admin"],  # read down the tree
    )
    assert rule["data"]["allocationQualityRule"]["params"]["pipeline_fit"] == 0.9
    bad = await gql(
        SET_RULE,
        {"c": world.gid("commission"), "p": {"pipeline_fit": 2}},
        world.tokens["commission_admin"],
    )
    errors = bad["data"]["setAllocationQualityRule"]["errors"]
    assert errors == [{"code": "INVALID_RULE", "field": "params.pipeline_fit"}]
    changed = await setup.ok(
        SET_RULE, {"c": world.gid("commission"), "p": {"pipeline_fit": 0.7}}, "commission_admin"
    )
    assert changed["rule"]["params"]["pipeline_fit"] == 0.7
    assert changed["rule"]["defaults"]["pipeline_fit"] == 0.9
    assert not (await setup.quality(period))["equalSplit"]
    denied = await gql(
        SET_RULE, {"c": world.gid("commission"), "p": {}}, world.tokens["commission_viewer"]
    )
    assert codes(denied) == ["FORBIDDEN"]


async def test_schools_see_their_own_subdivisions_only(setup, world, gql) -> None:  # type: ignore[no-untyped-def]
    await setup.pipeline("A1a", 2)
    await setup.pipeline("A1b", 2)
    period = await split(setup, 4, 4)

    async def units(account: str, under: str | None = None) -> list[str]:
        result = await gql(
            QUALITIES,
            {"p": period, "u": None if under is None else world.gid(under)},
            world.tokens[account],
        )
        assert "errors" not in result, result
        return [e["node"]["unitName"] for e in result["data"]["allocationQualities"]["edges"]]

    # The commission's own subdivision (to the schools), the school's, the committee's.
    assert await units("commission_admin") == [
        "中共山西省委教育工作委员会",
        "学校甲党委",
        "甲院党委",
    ]
    assert await units("school_admin") == ["学校甲党委", "甲院党委"]
    assert await units("unit_admin") == ["甲院党委"]
    assert await units("other_school_admin") == []
    foreign = await gql(
        QUALITIES, {"p": period, "u": world.gid("A")}, world.tokens["other_school_admin"]
    )
    assert codes(foreign) == ["NOT_FOUND"]
    other_commission = await gql(QUALITIES, {"p": period}, world.tokens["other_commission_admin"])
    assert codes(other_commission) == ["NOT_FOUND"]
