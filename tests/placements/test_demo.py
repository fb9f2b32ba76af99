"""The demo's plan reaches people: the 2023 places of 中文系学生第一党支部 on 张晓雨 (admitted on
hers: consumed) and 马俊杰, who backs its forecast too, as its secretary and the school read
them."""

from __future__ import annotations

import sqlalchemy as sa
import support_demo
from support import gid

VIEW = """query($p: ID!, $u: ID!) { namedTargets(periodId: $p, unitId: $u) { placesReceived
  placesNamed forecastNames namesWithoutPlace names { recruitName placed forecast consumed } } }"""
ROLLUP = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { placedOnNames namesWithoutPlace } } }"""


async def test_the_demo_places_names(gql, platform, owner_engine) -> None:  # type: ignore[no-untyped-def]
    tokens = await support_demo.load(platform)
    async with owner_engine.connect() as conn:
        period = await conn.scalar(sa.text("SELECT id FROM plan_periods WHERE name = '2023 年度'"))
        branch = await conn.scalar(sa.text("SELECT id FROM units WHERE code = 'SX-XZSY-ZW-02'"))
        school = await conn.scalar(sa.text("SELECT id FROM units WHERE code = 'SX-XZSY'"))
    variables = {"p": gid("PlanPeriod", period), "u": gid("Unit", branch)}
    result = await gql(VIEW, variables, tokens["xz-zw-secretary"])
    assert "errors" not in result, result
    named = result["data"]["namedTargets"]
    assert (named["placesReceived"], named["placesNamed"], named["forecastNames"]) == (2, 2, 1)
    assert named["names"] == [
        {"recruitName": "张晓雨", "placed": True, "forecast": False, "consumed": True},
        {"recruitName": "马俊杰", "placed": True, "forecast": True, "consumed": False},
    ]
    rollup = await gql(
        ROLLUP, {"u": gid("Unit", school), "p": gid("PlanPeriod", period)}, tokens["xz-admin"]
    )
    assert rollup["data"]["rollup"]["line"] == {"placedOnNames": 2, "namesWithoutPlace": 0}
