"""A random plan tree, for tests of figures that must add up: random units under the world's two
schools (written as the owner), then a period whose quota is issued, reserved and subdivided and
whose forecasts are submitted, all through the API as a client would, and admissions written as
the owner (the database tallies them). Seeded by the caller: a failure names its seed.

The tree keeps what it did as an oracle: each unit's parent and its latest forecast."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from support import gid

from partyplan.resolvers.plans.rules import DIMENSIONS

PERIOD = """mutation($c: ID!) { createPlanPeriod(input: {commissionId: $c, name: "随机年度",
  kind: CALENDAR_YEAR, startsOn: "2024-01-01", endsOn: "2024-12-31"}) { period { id } errors { code } } }"""
PUBLISH = "mutation($p: ID!) { publishPlanPeriod(input: {periodId: $p}) { errors { code } } }"
ISSUE = """mutation($p: ID!, $s: ID!, $t: Int!) { issuePlan(input: {periodId: $p, schoolId: $s,
  amounts: {total: $t}, documentNo: "晋教工委组〔2024〕1号"}) { errors { code message } } }"""
RESERVE = """mutation($p: ID!, $u: ID!, $t: Int!) { setReserve(input: {periodId: $p, unitId: $u,
  reserve: {total: $t}, reason: "统筹"}) { errors { code message } } }"""
ALLOCATE = """mutation($p: ID!, $f: ID!, $t: ID!, $n: Int!) { allocateQuota(input: {periodId: $p,
  fromUnitId: $f, toUnitId: $t, amounts: {total: $n}}) { errors { code message } } }"""
FORECAST = """mutation($p: ID!, $u: ID!, $a: QuotaAmountsInput!, $r: String) { submitForecast(
  input: {periodId: $p, unitId: $u, amounts: $a, remark: $r}) { errors { code message } } }"""
STARTS, ENDS = date(2024, 1, 1), date(2024, 12, 31)


class PlanTree:
    """Random units under schools A and B of the world, and one period of plans over them."""

    def __init__(self, gql: Any, world: Any, owner_engine: Any, rng: random.Random) -> None:
        self.gql, self.world, self.engine, self.rng = gql, world, owner_engine, rng
        self.parent: dict[int, int] = {}  # every unit of the two schools but the schools
        self.school: dict[int, int] = {}  # every unit of the two schools, the schools too
        self.forecasts: dict[int, dict[str, int]] = {}  # the latest submission of each unit
        self.period = ""

    @property
    def schools(self) -> list[int]:
        return [self.world.units["A"], self.world.units["B"]]

    def children(self, unit: int) -> list[int]:
        return sorted(u for u, p in self.parent.items() if p == unit)

    def subtree(self, unit: int) -> set[int]:
        found, frontier = {unit}, [unit]
        while frontier:
            below = self.children(frontier.pop())
            found.update(below)
            frontier += below
        return found

    def forecast_of(self, units: set[int]) -> dict[str, int]:
        """The oracle: the latest submissions of ``units`` summed, per dimension."""
        return {d: sum(self.forecasts.get(u, {}).get(d, 0) for u in units) for d in DIMENSIONS}

    async def _ok(self, document: str, variables: dict[str, Any]) -> None:
        result = await self.gql(document, variables, self.world.tokens["commission_admin"])
        assert "errors" not in result, result
        payload = next(iter(result["data"].values()))
        assert payload["errors"] == [], (document, variables, payload)

    async def build(self, admissions: int = 25) -> str:
        await self._grow()
        await self._plan()
        await self._forecast()
        await self._admit(admissions)
        return self.period

    async def _grow(self) -> None:
        rng = self.rng
        async with self.engine.begin() as conn:
            for school in self.schools:
                for _ in range(rng.randrange(2, 9)):
                    rows = await conn.execute(
                        sa.text("SELECT id FROM units WHERE school_id = :s ORDER BY id"),
                        {"s": school},
                    )
                    parent = rng.choice(rows.scalars().all())
                    await conn.execute(
                        sa.text(
                            "INSERT INTO units (kind, name, parent_id, path)"
                            " VALUES (:k, :n, :p, '0')"
                        ),
                        {
                            "k": "committee" if parent == school else "branch",
                            "n": f"随机单位{rng.randrange(10_000)}",
                            "p": parent,
                        },
                    )
            rows = await conn.execute(
                sa.text(
                    "SELECT id, parent_id, school_id FROM units"
                    " WHERE school_id = ANY(CAST(:s AS bigint[]))"
                ),
                {"s": self.schools},
            )
            for row in rows:
                self.school[row.id] = row.school_id
                if row.id != row.school_id:
                    self.parent[row.id] = row.parent_id

    async def _plan(self) -> None:
        """Issue to most schools, then top down: a reserve now and then, and part of what is
        left handed to some children."""
        rng, commission = self.rng, self.world.gid("commission")
        result = await self.gql(PERIOD, {"c": commission}, self.world.tokens["commission_admin"])
        self.period = result["data"]["createPlanPeriod"]["period"]["id"]
        await self._ok(PUBLISH, {"p": self.period})
        received: dict[int, int] = {}
        for school in self.schools:
            if rng.random() < 0.85:
                received[school] = rng.randrange(10, 80)
                await self._ok(
                    ISSUE, {"p": self.period, "s": gid("Unit", school), "t": received[school]}
                )
        frontier = list(self.schools)
        while frontier:
            unit = frontier.pop(0)
            frontier += self.children(unit)
            available = received.get(unit, 0)
            if available >= 3 and rng.random() < 0.4:
                reserve = rng.randrange(1, available // 3 + 1)
                await self._ok(RESERVE, {"p": self.period, "u": gid("Unit", unit), "t": reserve})
                available -= reserve
            for child in self.children(unit):
                if available < 1 or rng.random() < 0.25:
                    continue
                amount = rng.randrange(1, available // 2 + 2)
                await self._ok(
                    ALLOCATE,
                    {
                        "p": self.period,
                        "f": gid("Unit", unit),
                        "t": gid("Unit", child),
                        "n": amount,
                    },
                )
                received[child] = amount
                available -= amount

    async def _forecast(self) -> None:
        """Most leaves submit; now and then an inner unit submits its own; some submit twice
        (the latest counts)."""
        rng = self.rng
        for unit in sorted(self.school):
            chance = 0.3 if self.children(unit) else 0.75
            for _ in range(2 if rng.random() < 0.2 else 1):
                if rng.random() >= chance:
                    continue
                total = rng.randrange(0, 30)
                staff = rng.randrange(0, total + 1)
                amounts = {
                    "total": total,
                    "students": rng.randrange(0, total - staff + 1),
                    "staff": staff,
                    "highKnowledge": rng.randrange(0, staff + 1),
                }
                await self._ok(
                    FORECAST,
                    {"p": self.period, "u": gid("Unit", unit), "a": amounts, "r": f"备注{unit}"},
                )
                self.forecasts[unit] = {
                    "total": amounts["total"],
                    "students": amounts["students"],
                    "staff": amounts["staff"],
                    "high_knowledge": amounts["highKnowledge"],
                }

    async def _admit(self, count: int) -> None:
        """Recruits on random units below the schools, most approved within the period, a few
        exempt; the trigger tallies them."""
        rng = self.rng
        async with self.engine.begin() as conn:
            for _ in range(count):
                approved = STARTS + timedelta(days=rng.randrange(-60, 366))
                await conn.execute(
                    sa.text(
                        "INSERT INTO recruits (school_id, branch_id, unit_path, name, gender,"
                        " ethnicity, birth_date, id_number_enc, id_number_hash,"
                        " id_number_masked, category, education, stage, stage_since, exempt,"
                        " applied_on, activist_on, target_on, approved_on)"
                        " SELECT school_id, id, path, 'x', :gender, '汉族', '2003-05-04',"
                        " '\\x00', decode(md5(random()::text), 'hex'), 'x', 'undergraduate',"
                        " 'bachelor', 'probationary', :on, :exempt, '2021-03-01', '2022-03-01',"
                        " '2023-03-01', :on FROM units WHERE id = :unit"
                    ),
                    {
                        "gender": rng.choice(["male", "female"]),
                        "on": approved,
                        "exempt": rng.random() < 0.1,
                        "unit": rng.choice(sorted(self.parent)),
                    },
                )
