"""Plan fixtures: a Shanxi-style calendar-year period for the shared world."""

from __future__ import annotations

from typing import Any

import pytest

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
        payload = await self.ok(CREATE_PERIOD, {"input": {
            "commissionId": self.world.gid("commission"), "name": name, "kind": "CALENDAR_YEAR",
            "startsOn": "2023-01-01", "endsOn": "2023-12-31"}}, "commission_admin")  # fmt: skip
        period_id = payload["period"]["id"]
        if publish:
            await self.ok(PUBLISH, {"id": period_id}, "commission_admin")
        return period_id

    async def issue(self, period_id: str, school: str, total: int, **subquotas: int) -> None:
        await self.ok(ISSUE, {"input": {
            "periodId": period_id, "schoolId": self.world.gid(school),
            "amounts": {"total": total, **subquotas},
            "documentNo": "晋教工委组〔2023〕23号", "documentDate": "2023-03-27"}},
            "commission_admin")  # fmt: skip

    async def allocate(self, period_id: str, parent: str, child: str, total: int,
                       account: str = "school_admin", **subquotas: int) -> dict[str, Any]:  # fmt: skip
        return await self.gql(ALLOCATE, {"input": {
            "periodId": period_id, "fromUnitId": self.world.gid(parent),
            "toUnitId": self.world.gid(child), "amounts": {"total": total, **subquotas}}},
            self.world.tokens[account])  # fmt: skip


@pytest.fixture
def plans(gql, world) -> Plans:  # type: ignore[no-untyped-def]
    return Plans(gql, world)
