"""The province demo (dated from today) shows the feasible admissions beside this year's quota
and forecast on every line, and the infeasible-quota warning on the branch whose forecast
outruns every recruit it has."""

from __future__ import annotations

import sqlalchemy as sa
import support_demo
from support import gid

from partyplan.server.demo_feasibility import BRANCH

ROLLUP = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { plan admitted feasibleAdmissions { count byStage { stage count } } }
  children { plan admitted feasibleAdmissions { count } } } }"""
WARNINGS = """query { warnings(kind: INFEASIBLE_QUOTA, status: OPEN, first: 200) {
  edges { node { unit { id } message } } } }"""


async def test_the_demo_shows_feasible_admissions(gql, platform, owner_engine) -> None:  # type: ignore[no-untyped-def]
    tokens = await support_demo.load(platform, province=True)
    async with owner_engine.connect() as conn:
        row = (
            await conn.execute(
                sa.text(
                    "SELECT p.id, c.id AS commission, b.id AS branch FROM plan_periods p"
                    " JOIN units c ON c.id = p.commission_id JOIN units b ON b.code = :b"
                    " WHERE c.code = 'SX-JGW' AND p.state = 'issued'"
                    " ORDER BY p.starts_on DESC LIMIT 1"
                ),
                {"b": BRANCH},
            )
        ).one()
    result = await gql(
        ROLLUP,
        {"u": gid("Unit", row.commission), "p": gid("PlanPeriod", row.id)},
        tokens["sx-admin"],
    )
    assert "errors" not in result, result
    rollup = result["data"]["rollup"]
    line = rollup["line"]["feasibleAdmissions"]
    assert line["count"] == sum(s["count"] for s in line["byStage"]) > 0
    assert line["count"] == sum(c["feasibleAdmissions"]["count"] for c in rollup["children"])
    warned = await gql(WARNINGS, {}, tokens["sx-admin"])
    units = [e["node"]["unit"]["id"] for e in warned["data"]["warnings"]["edges"]]
    assert gid("Unit", row.branch) in units
