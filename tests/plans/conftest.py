"""Plan fixtures: a Shanxi-style calendar-year period for the shared world."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

CREATE_PERIOD = """mutation($input: CreatePlanPeriodInput!) {
  createPlanPeriod(input: $input) { period { id name state reportDueOn } errors { code field message } } }"""
PUBLISH = """mutation($id: ID!) { publishPlanPeriod(input: {periodId: $id}) { period { state } errors { code } } }"""
ISSUE = """mutation($input: IssuePlanInput!) {
  issuePlan(input: $input) { movement { id kind amounts { total students staff highKnowledge } }
                             errors { code field message shortfall } } }"""
ALLOCATE = """mutation($input: AllocateQuotaInput!) {
  allocateQuota(input: $input) { movement { id } errors { code field message shortfall } } }"""


class Plans:
    """Helpers bound to one test's world and API client."""

    def __init__(self, gql: Any, world: Any) -> None:
        self.gql, self.world = gql, world

    async def ok(self, document: str, variables: dict[str, Any], account: str) -> dict[str, Any]:
        result = await self.gql(document, variables, self.world.tokens[account])
        assert "errors" not in result, result
        payload = next(iter(result["data"].values()))
        assert not payload.get("errors"), payload
        return payload

    async def period(self, name: str = "2023 年度", publish: bool = True) -> str:
        payload = await self.ok(
            CREATE_PERIOD,
            {
                "input": {
                    "commissionId": self.world.gid("commission"),
                    "name": name,
                    "kind": "CALENDAR_YEAR",
                    "startsOn": "2023-01-01",
                    "endsOn": "2023-12-31",
                }
            },
            "commission_admin",
        )
        period_id = payload["period"]["id"]
        if publish:
            await self.ok(PUBLISH, {"id": period_id}, "commission_admin")
        return period_id

    async def issue(self, period_id: str, school: str, total: int, **subquotas: int) -> None:
        await self.ok(
            ISSUE,
            {
                "input": {
                    "periodId": period_id,
                    "schoolId": self.world.gid(school),
                    "amounts": {"total": total, **subquotas},
                    "documentNo": "晋教工委组〔2023〕23号",
                    "documentDate": "2023-03-27",
                }
            },
            "commission_admin",
        )

    async def allocate(
        self,
        period_id: str,
        parent: str,
        child: str,
        total: int,
        account: str = "school_admin",
        **subquotas: int,
    ) -> dict[str, Any]:
        return await self.gql(
            ALLOCATE,
            {
                "input": {
                    "periodId": period_id,
                    "fromUnitId": self.world.gid(parent),
                    "toUnitId": self.world.gid(child),
                    "amounts": {"total": total, **subquotas},
                }
            },
            self.world.tokens[account],
        )


@pytest.fixture
def plans(gql, world) -> Plans:  # type: ignore[no-untyped-def]
    return Plans(gql, world)


# Recomputes every stored balance from the events, independently of the code that wrote them:
# the ledger for received / handed / reserve, the latest submission for the forecast.
_RECOMPUTE = """
  WITH effects AS (
    SELECT period_id, to_unit_id AS unit_id, kind, 'to' AS side, total, students, staff, high_knowledge
      FROM quota_movements
    UNION ALL
    SELECT period_id, from_unit_id, kind, 'from', total, students, staff, high_knowledge
      FROM quota_movements WHERE kind <> 'reserve'),
  signed AS (
    SELECT period_id, unit_id,
           CASE WHEN side = 'to' AND kind IN ('issue','supplement','allocate','transfer') THEN 1
                WHEN side = 'from' AND kind IN ('transfer','return') THEN -1 ELSE 0 END AS r,
           CASE WHEN side = 'from' AND kind IN ('issue','supplement','allocate') THEN 1
                WHEN side = 'to' AND kind = 'return' THEN -1 ELSE 0 END AS h,
           CASE WHEN kind = 'reserve' THEN 1 ELSE 0 END AS s,
           total, students, staff, high_knowledge
      FROM effects),
  ledger AS (
    SELECT period_id, unit_id,
           {sums}
      FROM signed GROUP BY 1, 2),
  latest AS (
    SELECT DISTINCT ON (period_id, unit_id) period_id, unit_id, total, students, staff,
           high_knowledge, remark
      FROM forecast_submissions ORDER BY period_id, unit_id, id DESC)
  SELECT coalesce(l.period_id, f.period_id) AS period_id, coalesce(l.unit_id, f.unit_id) AS unit_id,
         {columns}, f.remark
    FROM ledger l FULL JOIN latest f USING (period_id, unit_id)
   ORDER BY 1, 2
"""
_DIMS = ("total", "students", "staff", "high_knowledge")
_FIGURES = ("received", "handed", "reserve", "forecast")
_SQL = _RECOMPUTE.format(
    sums=", ".join(
        f"sum({f} * {d}) AS {n}_{d}"
        for f, n in (("r", "received"), ("h", "handed"), ("s", "reserve"))
        for d in _DIMS
    ),
    columns=", ".join(
        [f"coalesce(l.{n}_{d}, 0)" for n in ("received", "handed", "reserve") for d in _DIMS]
        + [f"coalesce(f.{d}, 0)" for d in _DIMS]
    ),
)
_STORED = "SELECT period_id, unit_id, {} , forecast_remark FROM unit_quotas ORDER BY 1, 2".format(
    ", ".join(f"{n}_{d}" for n in ("received", "handed", "reserve", "forecast") for d in _DIMS)
)


_KINDS = "SELECT id, kind FROM units"


def subquota_breaches(row: tuple, kind: str) -> list[str]:
    """The sub-quota bounds a recomputed balance row breaks, written from the issue's words:
    on received, handed, reserve, forecast and (below the commission) available, each
    sub-quota is >= 0, students + staff <= total and high-knowledge <= total."""
    figures = {name: row[2 + 4 * i : 6 + 4 * i] for i, name in enumerate(_FIGURES)}
    if kind != "commission":
        figures["available"] = tuple(
            r - h - s
            for r, h, s in zip(
                figures["received"], figures["handed"], figures["reserve"], strict=True
            )
        )
    breaches = []
    for name, (total, students, staff, high_knowledge) in figures.items():
        if min(students, staff, high_knowledge) < 0:
            breaches.append(f"{name}: a negative sub-quota")
        if students + staff > total:
            breaches.append(f"{name}: students + staff {students + staff} > total {total}")
        if high_knowledge > total:
            breaches.append(f"{name}: high-knowledge {high_knowledge} > total {total}")
    return breaches


@pytest.fixture
def assert_derivations(owner_engine):  # type: ignore[no-untyped-def]
    """Every stored balance equals its recomputation from the ledger and the submissions, and
    every recomputed balance keeps the sub-quota bounds."""

    async def check(period_id: int | None = None) -> int:
        """``period_id``: that period's balances only (a random ledger's example)."""
        async with owner_engine.connect() as conn:
            derived = [tuple(r) for r in await conn.execute(sa.text(_SQL))]
            stored = [tuple(r) for r in await conn.execute(sa.text(_STORED))]
            kinds = dict((await conn.execute(sa.text(_KINDS))).all())
        if period_id is not None:
            derived = [r for r in derived if r[0] == period_id]
            stored = [r for r in stored if r[0] == period_id]
        blank = (0,) * 16 + (None,)
        assert [r for r in stored if r[2:] != blank] == [r for r in derived if r[2:] != blank]
        breaches = {r[:2]: subquota_breaches(r, kinds[r[1]]) for r in derived}
        assert {k: v for k, v in breaches.items() if v} == {}
        return len(stored)

    return check
