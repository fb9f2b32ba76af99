"""Where a high-level-talent filing goes, by the commission's region, and who acknowledges it:
Shanxi files with the commission and the provincial organization department (the commission
acknowledges), Chongqing with the school's Party committee (the school acknowledges); a filing
keeps the level it was filed under."""

from __future__ import annotations

from datetime import date

import pytest
from support import codes, gid
from support_records import Records

from partyplan.resolvers.recruits.rules.filing_levels import DEFAULT_LEVEL, filing_level

FILE = """mutation($r: ID!) { fileTalent(input: {recruitId: $r, programme: "三晋英才支持计划"}) {
  filing { id level destinations status } errors { code field } } }"""
ACK = """mutation($f: ID!) { acknowledgeFiling(input: {filingId: $f}) {
  filing { status level } errors { code field } } }"""
RETURN = """mutation($f: ID!) { returnFiling(input: {filingId: $f, reason: "非省级以上人才计划"}) {
  filing { status } errors { code field } } }"""
REGION = """mutation($c: ID!, $r: String!) { setCommissionRegion(input: {commissionId: $c,
  regionCode: $r}) { errors { code field } } }"""
PLAN = "query($u: ID!, $p: ID!) { plan(unitId: $u, periodId: $p) { line { admitted } } }"


@pytest.fixture
def records(owner_engine, world) -> Records:  # type: ignore[no-untyped-def]
    return Records(owner_engine, world)


def test_the_levels_are_the_notices() -> None:
    chongqing, shanxi = filing_level("50"), filing_level("14")
    assert (chongqing.level, chongqing.destinations) == ("school", ("学校党委",))
    assert (shanxi.level, shanxi.destinations) == ("commission", ("省委教育工委", "省委组织部"))
    # A region the notices say nothing of, or none set: the commission, as before.
    assert filing_level("11") == filing_level(None) == DEFAULT_LEVEL
    assert DEFAULT_LEVEL.level == "commission"


async def _filed(gql, world, records) -> dict:  # type: ignore[no-untyped-def]
    recruit = await records.recruit(
        stage="probationary",
        activist_on=date(2023, 1, 1),
        target_on=date(2023, 6, 1),
        approved_on=date(2024, 6, 25),
    )
    result = await gql(FILE, {"r": gid("Recruit", recruit)}, world.tokens["school_admin"])
    payload = result["data"]["fileTalent"]
    assert payload["errors"] == [], payload
    return payload["filing"]


async def _admitted(gql, world, period: int) -> int:  # type: ignore[no-untyped-def]
    result = await gql(
        PLAN, {"u": world.gid("A"), "p": gid("PlanPeriod", period)}, world.tokens["school_admin"]
    )
    return result["data"]["plan"]["line"]["admitted"]


async def test_shanxi_files_with_the_commission_and_the_organization_department(
    gql, world, records
) -> None:  # type: ignore[no-untyped-def]
    period = await records.period(date(2024, 1, 1), date(2024, 12, 31))
    filing = await _filed(gql, world, records)
    assert filing["level"] == "COMMISSION"
    assert filing["destinations"] == ["省委教育工委", "省委组织部"]
    # The school's committee holds filing.review (for Chongqing's filings), not for these.
    refused = await gql(ACK, {"f": filing["id"]}, world.tokens["school_admin"])
    assert codes(refused) == ["FORBIDDEN"]
    assert "省委教育工委、省委组织部" in refused["errors"][0]["message"]
    assert codes(await gql(RETURN, {"f": filing["id"]}, world.tokens["school_admin"])) == [
        "FORBIDDEN"
    ]
    assert await _admitted(gql, world, period) == 1
    done = await gql(ACK, {"f": filing["id"]}, world.tokens["commission_admin"])
    assert done["data"]["acknowledgeFiling"]["filing"] == {
        "status": "ACKNOWLEDGED",
        "level": "COMMISSION",
    }
    assert await _admitted(gql, world, period) == 0  # exempt from the plan


async def test_chongqing_files_with_the_schools_committee(gql, world, records) -> None:  # type: ignore[no-untyped-def]
    period = await records.period(date(2024, 1, 1), date(2024, 12, 31))
    # Filed while the commission was Shanxi's: it keeps going to the commission.
    earlier = await _filed(gql, world, records)
    changed = await gql(
        REGION, {"c": world.gid("commission"), "r": "50"}, world.tokens["commission_admin"]
    )
    assert changed["data"]["setCommissionRegion"]["errors"] == []

    filing = await _filed(gql, world, records)
    assert (filing["level"], filing["destinations"]) == ("SCHOOL", ["学校党委"])
    # The commission holds filing.review above the school, but the filing is the school's.
    refused = await gql(ACK, {"f": filing["id"]}, world.tokens["commission_admin"])
    assert codes(refused) == ["FORBIDDEN"]
    assert "学校党委" in refused["errors"][0]["message"]
    assert codes(await gql(ACK, {"f": filing["id"]}, world.tokens["unit_admin"])) == ["FORBIDDEN"]
    assert codes(await gql(ACK, {"f": filing["id"]}, world.tokens["other_school_admin"])) == [
        "NOT_FOUND"
    ]
    assert await _admitted(gql, world, period) == 2
    done = await gql(ACK, {"f": filing["id"]}, world.tokens["school_admin"])
    assert done["data"]["acknowledgeFiling"]["filing"] == {
        "status": "ACKNOWLEDGED",
        "level": "SCHOOL",
    }
    assert await _admitted(gql, world, period) == 1

    # The near miss: the earlier filing's level did not move with the region.
    assert codes(await gql(ACK, {"f": earlier["id"]}, world.tokens["school_admin"])) == [
        "FORBIDDEN"
    ]
    returned = await gql(RETURN, {"f": earlier["id"]}, world.tokens["commission_admin"])
    assert returned["data"]["returnFiling"]["filing"] == {"status": "RETURNED"}
