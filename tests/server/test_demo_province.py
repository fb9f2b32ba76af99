"""The demo as the commission's console sees it: ten and more Shanxi schools with plans, recruits
in every stage in every school, today inside this year's issued period, last year's closed with
its figures, open warnings of every kind, the Chongqing branch table untouched, and a second
load adding nothing."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
import support_demo
from support import gid

from partyplan.resolvers.recruits.rules.steps import Stage
from partyplan.resolvers.recruits.service.records import today
from partyplan.resolvers.warnings.rules.kinds import WarningKind
from partyplan.server.demo import load_demo
from partyplan.server.demo_province import PROFILES

COUNTS = """SELECT (SELECT count(*) FROM units) AS units, (SELECT count(*) FROM recruits) AS r,
  (SELECT count(*) FROM recruit_steps) AS steps, (SELECT count(*) FROM plan_periods) AS p,
  (SELECT count(*) FROM quota_movements) AS q, (SELECT count(*) FROM members) AS m,
  (SELECT count(*) FROM warnings) AS w, (SELECT count(*) FROM execution_reports) AS e,
  (SELECT count(*) FROM users) AS u"""
WARNINGS = """query($k: WarningKind) { warnings(kind: $k, status: OPEN, first: 200) {
  edges { node { unitName } } } }"""
LINES = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  children { forecast { total } } } }"""


def expected_kinds(on: date) -> set[WarningKind]:
    """Every kind; progress and over-plan need a quarter of this year behind (README)."""
    kinds = set(WarningKind)
    if on < date(on.year, 3, 31):
        kinds -= {WarningKind.SLOW_PROGRESS, WarningKind.OVER_PLAN}
    # Named targets are judged late in the period only (their default ``last_weeks``).
    if on <= date(on.year, 12, 31) - timedelta(weeks=8):
        kinds -= {WarningKind.PLACES_WITHOUT_NAMES}
    if on <= date(on.year, 12, 31) - timedelta(weeks=12):
        kinds -= {WarningKind.NAMES_WITHOUT_PLACES}
    return kinds


async def test_the_demo_is_a_province_dated_from_today(gql, platform, owner_engine) -> None:  # type: ignore[no-untyped-def]
    tokens = await support_demo.load(platform, province=True)
    on = today("Asia/Shanghai")
    async with owner_engine.connect() as conn:
        stages = (
            await conn.execute(
                sa.text(
                    "SELECT s.code, r.stage, count(*) AS n FROM recruits r"
                    " JOIN units s ON s.id = r.school_id JOIN units c ON c.id = s.parent_id"
                    " WHERE c.code = 'SX-JGW' GROUP BY s.code, r.stage"
                )
            )
        ).all()
        schools = {r.code for r in stages}
        current = (
            await conn.execute(
                sa.text(
                    "SELECT p.id, p.state FROM plan_periods p JOIN units c ON c.id = p.commission_id"
                    " WHERE c.code = 'SX-JGW' AND :d BETWEEN p.starts_on AND p.ends_on"
                    " AND p.starts_on > '2023-12-31'"
                ),
                {"d": on},
            )
        ).one()
        last_year = await conn.scalar(
            sa.text("SELECT p.state FROM plan_periods p WHERE p.starts_on = :s AND p.ends_on = :e"),
            {"s": date(on.year - 1, 1, 1), "e": date(on.year - 1, 12, 31)},
        )
        issued_to = await conn.scalar(
            sa.text(
                "SELECT count(DISTINCT q.unit_id) FROM unit_quotas q JOIN units u"
                " ON u.id = q.unit_id WHERE q.period_id = :p AND u.kind = 'school'"
                " AND q.received_total > 0"
            ),
            {"p": current.id},
        )
        subdivided = await conn.scalar(
            sa.text(
                "SELECT count(*) FROM unit_quotas q JOIN units u ON u.id = q.unit_id"
                " WHERE q.period_id = :p AND u.kind = 'branch' AND q.received_total > 0"
            ),
            {"p": current.id},
        )
        last_admitted = await conn.scalar(
            sa.text(
                "SELECT coalesce(sum(t.admitted), 0) FROM unit_tallies t"
                " JOIN plan_periods p ON p.id = t.period_id JOIN units u ON u.id = t.unit_id"
                " WHERE p.starts_on = :s AND u.kind = 'school'"
            ),
            {"s": date(on.year - 1, 1, 1)},
        )
        before = (await conn.execute(sa.text(COUNTS))).one()

    # At least ten schools, every one with recruits in every stage.
    assert len(schools) >= 10 and {p.code for p in PROFILES} <= schools
    by_school: dict[str, set[str]] = {}
    for row in stages:
        by_school.setdefault(row.code, set()).add(row.stage)
    for code in schools:
        assert by_school[code] == {s.value for s in Stage}, code
    # Today inside this year's issued period, issued to every school and subdivided.
    assert current.state == "issued"
    assert issued_to == len(schools) and subdivided >= 3 * len(schools)
    # Last year closed with its figures (year over year has data).
    assert last_year == "closed" and last_admitted > 0

    # Open warnings of every kind, as the commission reads them.
    for kind in expected_kinds(on):
        result = await gql(WARNINGS, {"k": kind.name}, tokens["sx-admin"])
        assert "errors" not in result, result
        assert result["data"]["warnings"]["edges"], kind

    # The Chongqing branch table is the original one.
    async with owner_engine.connect() as conn:
        period = await conn.scalar(
            sa.text("SELECT id FROM plan_periods WHERE name = '2019 年下半年'")
        )
    school = await support_demo.unit_id(owner_engine, "CQ-YEZ")
    table = await gql(
        LINES, {"u": gid("Unit", school), "p": gid("PlanPeriod", period)}, tokens["cqyz-admin"]
    )
    assert "errors" not in table, table
    forecasts = [c["forecast"]["total"] for c in table["data"]["rollup"]["children"]]
    assert forecasts == [32, 6, 7, 3, 5] and sum(forecasts) == 53

    # A second load adds nothing.
    await load_demo(platform.owner_url, platform.pii, province=True)
    async with owner_engine.connect() as conn:
        assert (await conn.execute(sa.text(COUNTS))).one() == before
