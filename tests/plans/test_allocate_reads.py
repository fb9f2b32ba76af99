"""allocateQuota reads the period, both units and the round in one statement, then judges them
in the order it always has: the period, the handing unit, the receiving unit, the levels, the
amounts, the note, and the round last. A request wrong in several ways is refused for the first
of them, with the same code, field and message as when each was read on its own."""

from __future__ import annotations

from typing import Any

from support import gid

ALLOCATE = """mutation($input: AllocateQuotaInput!) {
  allocateQuota(input: $input) { movement { id } errors { code field message } } }"""
PERIOD = """mutation($input: CreatePlanPeriodInput!) {
  createPlanPeriod(input: $input) { period { id } errors { code } } }"""
ROUND = """mutation($input: CreateDispatchRoundInput!) {
  createDispatchRound(input: $input) { round { id } errors { code } } }"""


async def test_what_is_wrong_first_is_what_is_refused(plans, gql, world) -> None:  # type: ignore[no-untyped-def]
    period_id = await plans.period()
    await plans.issue(period_id, "A", 10)
    other_period = (
        await plans.ok(
            PERIOD,
            {
                "input": {
                    "commissionId": world.gid("commission"),
                    "name": "2024 年度",
                    "kind": "CALENDAR_YEAR",
                    "startsOn": "2024-01-01",
                    "endsOn": "2024-12-31",
                }
            },
            "commission_admin",
        )
    )["period"]["id"]
    foreign_round = (
        await plans.ok(
            ROUND,
            {"input": {"periodId": other_period, "unitId": world.gid("A"), "name": "调度"}},
            "commission_admin",
        )
    )["round"]["id"]
    missing_round = gid("DispatchRound", 999_999)
    missing_unit = gid("Unit", 999_999)

    async def refusal(**changes: Any) -> tuple[str, str | None, str]:
        allocation = {
            "periodId": period_id,
            "fromUnitId": world.gid("A"),
            "toUnitId": world.gid("A1"),
            "amounts": {"total": 1},
            **changes,
        }
        result = await gql(ALLOCATE, {"input": allocation}, world.tokens["school_admin"])
        if "errors" in result:  # an access failure: a GraphQL error
            (error,) = result["errors"]
            return error["extensions"]["code"], None, error["message"]
        (error,) = result["data"]["allocateQuota"]["errors"]
        assert result["data"]["allocateQuota"]["movement"] is None
        return error["code"], error["field"], error["message"]

    assert await refusal(roundId=foreign_round) == (
        "INVALID_ROUND",
        "roundId",
        "该调度轮次属于其他计划期",
    )
    assert await refusal(roundId=missing_round) == ("NOT_FOUND", None, "未找到该调度轮次")
    # The note is judged before the round, the amounts before the note, and so up the list.
    too_long = "备" * 501
    note = await refusal(roundId=missing_round, note=too_long)
    assert note[:2] == ("INVALID_REMARK", "note"), note
    amounts = await refusal(roundId=missing_round, note=too_long, amounts={"total": 0})
    assert amounts[:2] == ("INVALID_AMOUNT", "amounts"), amounts
    assert await refusal(toUnitId=world.gid("A1a"), roundId=missing_round, note=too_long) == (
        "NOT_A_CHILD",
        "toUnitId",
        "甲院第一党支部不是学校甲党委的直属下级",
    )
    assert await refusal(toUnitId=world.gid("B1"), roundId=missing_round) == (
        "NOT_FOUND",
        None,
        "未找到党组织（toUnitId）",
    )
    assert await refusal(
        fromUnitId=missing_unit, toUnitId=world.gid("B1"), roundId=missing_round
    ) == ("NOT_FOUND", None, "未找到党组织（fromUnitId）")
    assert await refusal(
        periodId=gid("PlanPeriod", 999_999), fromUnitId=missing_unit, roundId=missing_round
    ) == ("NOT_FOUND", None, "未找到该计划期")
    # Refused every time: nothing was written.
    assert (await refusal(amounts={"total": 11}))[:2] == ("SHORTFALL", "amounts")
