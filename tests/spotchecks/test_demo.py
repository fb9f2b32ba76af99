"""The demo's checks on the plan: a spot check drawn with its seed revealed, one issue followed
up by the school; and 机关党委's equal split, flagged. Loading again adds nothing."""

from __future__ import annotations

import hashlib
import hmac

import sqlalchemy as sa
import support_demo
from support import gid

from partyplan.server.demo_checks import DEMO_SEED

CHECKS = """query($c: ID!) { spotChecks(commissionId: $c) { edges { node { id seed perSchool
  candidates { edges { node { drawKey schoolKey name } } } } } } }"""
RECORDS = """query { spotCheckRecords { edges { node { name rank finding step followUp } } } }"""
QUALITIES = """query($p: ID!) { allocationQualities(periodId: $p) { edges { node { unitName
  equalSplit flatRatio score explanation } } } }"""


async def test_the_demo_draws_and_flags(gql, platform, owner_engine) -> None:  # type: ignore[no-untyped-def]
    tokens = await support_demo.load(platform)
    async with owner_engine.connect() as conn:
        commission = await conn.scalar(sa.text("SELECT id FROM units WHERE code = 'SX-JGW'"))
        period = await conn.scalar(sa.text("SELECT id FROM plan_periods WHERE name = '2023 年度'"))
    checks = await gql(CHECKS, {"c": gid("Unit", commission)}, tokens["xz-admin"])
    assert "errors" not in checks, checks
    [check] = [e["node"] for e in checks["data"]["spotChecks"]["edges"]]
    assert check["seed"] == DEMO_SEED and check["perSchool"] == 1
    listed = [e["node"] for e in check["candidates"]["edges"]]
    lowest = min(
        listed,
        key=lambda c: hmac.new(DEMO_SEED.encode(), c["drawKey"].encode(), hashlib.sha256).digest(),
    )
    records = await gql(RECORDS, {}, tokens["xz-admin"])
    [record] = [e["node"] for e in records["data"]["spotCheckRecords"]["edges"]]
    assert record["name"] == lowest["name"] and record["rank"] == 1
    assert (record["finding"], record["step"], record["followUp"]) == (
        "ISSUE",
        "political_review",
        "FOLLOWED_UP",
    )
    qualities = await gql(QUALITIES, {"p": gid("PlanPeriod", period)}, tokens["xz-admin"])
    judged = {
        e["node"]["unitName"]: e["node"] for e in qualities["data"]["allocationQualities"]["edges"]
    }
    assert judged["机关党委"]["equalSplit"] and "平均分" in judged["机关党委"]["explanation"]
    await support_demo.load(platform)
    async with owner_engine.connect() as conn:
        assert await conn.scalar(sa.text("SELECT count(*) FROM spot_checks")) == 1
        assert await conn.scalar(sa.text("SELECT count(*) FROM spot_check_records")) == 1
