"""Named targets through the API (placeQuota, nameForecast, namedTargets, the roll-up's
counts), over the shared world: a 2024 calendar-year period whose quota is issued and
subdivided by the API, and development targets written as the owner (the procedure that makes
them is the recruits' tests' business)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from support import gid, raw_id
from support_records import Records

PERIOD = """mutation($c: ID!) { createPlanPeriod(input: {commissionId: $c, name: "2024 年度",
  kind: CALENDAR_YEAR, startsOn: "2024-01-01", endsOn: "2024-12-31"}) { period { id } errors { code } } }"""
PUBLISH = "mutation($p: ID!) { publishPlanPeriod(input: {periodId: $p}) { errors { code } } }"
ISSUE = """mutation($p: ID!, $s: ID!, $t: Int!) { issuePlan(input: {periodId: $p, schoolId: $s,
  amounts: {total: $t}, documentNo: "晋教工委组〔2024〕1号"}) { errors { code message } } }"""
ALLOCATE = """mutation($p: ID!, $f: ID!, $t: ID!, $n: Int!) { allocateQuota(input: {periodId: $p,
  fromUnitId: $f, toUnitId: $t, amounts: {total: $n}}) { errors { code message } } }"""
FIELDS = """namedTargets { placesReceived placesAvailable placesNamed placesWithoutNames
  forecastNames namesWithoutPlace names { recruitId recruitName placed forecast consumed } }
  errors { code field message shortfall }"""
PLACE = f"""mutation($p: ID!, $u: ID!, $r: [ID!]!) {{ placeQuota(input: {{periodId: $p,
  unitId: $u, recruitIds: $r}}) {{ {FIELDS} }} }}"""
NAME = f"""mutation($p: ID!, $u: ID!, $r: [ID!]!) {{ nameForecast(input: {{periodId: $p,
  unitId: $u, recruitIds: $r}}) {{ {FIELDS} }} }}"""
VIEW = """query($p: ID!, $u: ID!) { namedTargets(periodId: $p, unitId: $u) { placesReceived
  placesAvailable placesNamed placesWithoutNames forecastNames namesWithoutPlace
  names { recruitId placed forecast consumed } } }"""
ROLLUP = """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
  line { unitName received { total } placedOnNames namesWithoutPlace }
  children { unitName received { total } placedOnNames namesWithoutPlace } } }"""

STARTS, ENDS = date(2024, 1, 1), date(2024, 12, 31)


class Placements:
    """Helpers bound to one test's world, API client and owner engine."""

    def __init__(self, gql: Any, world: Any, owner_engine: Any) -> None:
        self.gql, self.world, self.engine = gql, world, owner_engine
        self.records = Records(owner_engine, world)
        self.period = ""

    async def ok(self, document: str, variables: dict[str, Any], account: str) -> dict[str, Any]:
        result = await self.gql(document, variables, self.world.tokens[account])
        assert "errors" not in result, result
        payload = next(iter(result["data"].values()))
        assert not payload.get("errors"), payload
        return payload

    async def plan(self, school: int = 10, **allocations: int) -> str:
        """An issued 2024 period: ``school`` places to school A, then ``allocations`` handed
        down the tree (``A1=3, A1a=2``: parents before children)."""
        payload = await self.ok(PERIOD, {"c": self.world.gid("commission")}, "commission_admin")
        self.period = payload["period"]["id"]
        await self.ok(PUBLISH, {"p": self.period}, "commission_admin")
        await self.ok(
            ISSUE, {"p": self.period, "s": self.world.gid("A"), "t": school}, "commission_admin"
        )
        for unit, total in allocations.items():
            parent = await self.parent_of(unit)
            await self.ok(
                ALLOCATE,
                {"p": self.period, "f": gid("Unit", parent), "t": self.world.gid(unit), "n": total},
                "school_admin",
            )
        return self.period

    async def parent_of(self, unit: str) -> int:
        return await self.records.sql(
            "SELECT parent_id FROM units WHERE id = :u", u=self.world.units[unit]
        )

    async def target(self, branch: str = "A1a", **dates: Any) -> str:
        """A development target of ``branch``, as a `Recruit` global id."""
        recruit = await self.records.recruit(
            branch,
            stage="development_target",
            activist_on=date(2023, 1, 1),
            target_on=date(2024, 2, 1),
            **dates,
        )
        return gid("Recruit", recruit)

    async def targets(self, count: int, branch: str = "A1a") -> list[str]:
        return [await self.target(branch) for _ in range(count)]

    async def admit(self, recruit: str, on: date = date(2024, 6, 1)) -> None:
        await self.records.sql(
            "UPDATE recruits SET stage = 'probationary', approved_on = :on WHERE id = :r",
            on=on,
            r=raw_id(recruit),
        )

    async def place(
        self, recruits: list[str], unit: str = "A1a", account: str = "branch_secretary"
    ) -> dict[str, Any]:
        variables = {"p": self.period, "u": self.world.gid(unit), "r": recruits}
        return await self.gql(PLACE, variables, self.world.tokens[account])

    async def name(
        self, recruits: list[str], unit: str = "A1a", account: str = "branch_secretary"
    ) -> dict[str, Any]:
        variables = {"p": self.period, "u": self.world.gid(unit), "r": recruits}
        return await self.gql(NAME, variables, self.world.tokens[account])

    async def rollup(self, unit: str, account: str = "commission_admin") -> dict[str, Any]:
        result = await self.gql(
            ROLLUP, {"u": self.world.gid(unit), "p": self.period}, self.world.tokens[account]
        )
        assert "errors" not in result, result
        return result["data"]["rollup"]

    async def named_total(self, unit: str = "A1a") -> int:
        return await self.records.sql(
            "SELECT named_total FROM unit_quotas WHERE unit_id = :u", u=self.world.units[unit]
        )

    async def drift(self) -> list[Any]:
        """Stored placement tallies and branch named totals that differ from those computed
        from the names (both ways). Empty when the derivation holds."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                sa.text(
                    """
                    WITH stored AS (SELECT period_id, unit_id, unit_path::text, school_id,
                                           placed, unplaced FROM placement_tallies
                                     WHERE placed <> 0 OR unplaced <> 0),
                         computed AS (SELECT c.period_id, c.unit_id, c.unit_path::text,
                                             c.school_id, c.placed, c.unplaced
                                        FROM plan_periods p, units u,
                                             placement_tallies_computed(p.id, u.path) c
                                       WHERE nlevel(u.path) = 1)
                    SELECT 'stored', unit_id FROM (TABLE stored EXCEPT TABLE computed) a
                    UNION ALL SELECT 'computed', unit_id FROM (TABLE computed EXCEPT TABLE stored) b
                    UNION ALL
                    SELECT 'named_total', q.unit_id FROM unit_quotas q
                     WHERE q.named_total <> (SELECT count(*) FROM named_targets n
                                              WHERE n.period_id = q.period_id
                                                AND n.unit_id = q.unit_id AND n.placed)
                    """
                )
            )
            return list(rows.all())


def payload(result: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in result, result
    return next(iter(result["data"].values()))
