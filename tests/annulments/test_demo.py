"""The demo's annulment: 周文博's 2023 admission, annulled by 忻州师范学院党委, is on the list of
中文系学生第二党支部 and counts in no roll-up of the school, whose figures are the other
admissions'."""

from __future__ import annotations

import sqlalchemy as sa
import support_demo
from support import gid

LIST = """query($u: ID!, $p: ID) { admissionAnnulments(unitId: $u, periodId: $p) {
  edges { node { recruitName documentNo annulledOn } } } }"""
ROLLUP = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { admitted pipeline { probationary } } } }"""


async def test_the_demo_annuls_one_admission(gql, platform, owner_engine) -> None:  # type: ignore[no-untyped-def]
    tokens = await support_demo.load(platform)
    async with owner_engine.connect() as conn:
        period = await conn.scalar(sa.text("SELECT id FROM plan_periods WHERE name = '2023 年度'"))
        branch = await conn.scalar(sa.text("SELECT id FROM units WHERE code = 'SX-XZSY-ZW-03'"))
        school = await conn.scalar(sa.text("SELECT id FROM units WHERE code = 'SX-XZSY'"))
        approved = await conn.scalar(
            sa.text(
                "SELECT count(*) FROM recruits WHERE school_id = :s"
                " AND approved_on BETWEEN '2023-01-01' AND '2023-12-31'"
            ),
            {"s": school},
        )
    listed = await gql(
        LIST, {"u": gid("Unit", branch), "p": gid("PlanPeriod", period)}, tokens["xz-admin"]
    )
    assert "errors" not in listed, listed
    assert [e["node"] for e in listed["data"]["admissionAnnulments"]["edges"]] == [
        {
            "recruitName": "周文博",
            "documentNo": "忻师院党委〔2023〕40号",
            "annulledOn": "2023-11-20",
        }
    ]
    rollup = await gql(
        ROLLUP, {"u": gid("Unit", school), "p": gid("PlanPeriod", period)}, tokens["xz-admin"]
    )
    line = rollup["data"]["rollup"]["line"]
    # Every 2023 approval of the school but the annulled one.
    assert line["admitted"] == approved - 1 and line["pipeline"]["probationary"] == approved - 1
    # Loading again adds nothing (the demo is idempotent).
    await support_demo.load(platform)
    async with owner_engine.connect() as conn:
        assert await conn.scalar(sa.text("SELECT count(*) FROM admission_annulments")) == 1
