"""No balance holds more sub-quota than total, whichever movement would leave it so (issue
16, figure 3): the movement is refused with SUBQUOTA_EXCEEDS_TOTAL on the sub-quota's input
field and nothing is written; the same movement carrying its sub-quota along is accepted."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from support import codes

RETURN = """mutation($input: ReturnQuotaInput!) { returnQuota(input: $input) {
  movement { id } errors { code field message } } }"""
TRANSFER = """mutation($input: TransferQuotaInput!) { transferQuota(input: $input) {
  movement { id } errors { code field message } } }"""
RESERVE = """mutation($input: SetReserveInput!) { setReserve(input: $input) {
  movement { id } errors { code field message } } }"""
LINE = """query($u: ID!, $p: ID!) { plan(unitId: $u, periodId: $p) {
  line { received { total students staff highKnowledge }
         available { total students staff highKnowledge } } } }"""


async def _written(owner_engine) -> list[Any]:  # type: ignore[no-untyped-def]
    """Every balance row and the ledger and audit counts: what a refusal must leave alone."""
    async with owner_engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT q.*, (SELECT count(*) FROM quota_movements) AS moves,"
                " (SELECT count(*) FROM audit_log) AS audits FROM unit_quotas q"
                " ORDER BY period_id, unit_id"
            )
        )
        return [tuple(r) for r in rows]


def _give_back(world: Any, period_id: str, unit: str, **amounts: int) -> dict[str, Any]:
    return {
        "input": {
            "periodId": period_id,
            "unitId": world.gid(unit),
            "amounts": amounts,
            "reason": "用不完",
            "documentNo": "甲校组〔2023〕9号",
        }
    }


def _errors(result: dict[str, Any]) -> list[tuple[str, str]]:
    assert "errors" not in result, result
    payload = next(iter(result["data"].values()))
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def test_return_of_the_total_alone_keeps_no_orphan_sub_quota(
    plans, gql, world, owner_engine, assert_derivations
) -> None:  # type: ignore[no-untyped-def]
    """The reported case: a branch holding {total: 2, students: 1} returns {total: 2}."""
    period_id = await plans.period()
    await plans.issue(period_id, "A", 2, students=1)
    assert _errors(await plans.allocate(period_id, "A", "A2", 2, students=1)) == []
    before = await _written(owner_engine)

    refused = await gql(
        RETURN, _give_back(world, period_id, "A2", total=2), world.tokens["school_admin"]
    )
    assert _errors(refused) == [("SUBQUOTA_EXCEEDS_TOTAL", "amounts.students")]
    assert "学生名额将超出总名额 1 名" in refused["data"]["returnQuota"]["errors"][0]["message"]
    assert refused["data"]["returnQuota"]["movement"] is None
    assert await _written(owner_engine) == before

    accepted = await gql(
        RETURN,
        _give_back(world, period_id, "A2", total=2, students=1),
        world.tokens["school_admin"],
    )
    assert _errors(accepted) == []
    line = await gql(LINE, {"u": world.gid("A2"), "p": period_id}, world.tokens["school_admin"])
    zero = {"total": 0, "students": 0, "staff": 0, "highKnowledge": 0}
    assert line["data"]["plan"]["line"] == {"received": zero, "available": zero}
    assert await assert_derivations() == 3


async def test_every_movement_that_takes_quota_away_keeps_the_bounds(
    plans, gql, world, owner_engine, assert_derivations
) -> None:  # type: ignore[no-untyped-def]
    """Transfer out, return to the commission, allocation out of what is left and a reserve:
    each would leave a balance with more sub-quota than total, and is refused on the field
    that must carry the sub-quota along."""
    period_id = await plans.period()
    await plans.issue(period_id, "A", 10, students=4, staff=3, highKnowledge=2)
    await plans.issue(period_id, "B", 3, staff=2)
    assert _errors(await plans.allocate(period_id, "A", "A1", 4, students=2, staff=1)) == []
    assert _errors(await plans.allocate(period_id, "A1", "A1a", 2, students=2)) == []
    before = await _written(owner_engine)
    admin = world.tokens["commission_admin"]
    transfer = {
        "input": {
            "periodId": period_id,
            "fromUnitId": world.gid("A1a"),
            "toUnitId": world.gid("A1b"),
            "amounts": {"total": 1},
            "reason": "调剂",
            "documentNo": "甲院党委〔2023〕5号",
        }
    }
    # A1a would keep {1, students 2}; B would keep {1, staff 2}.
    assert _errors(await gql(TRANSFER, transfer, admin)) == [
        ("SUBQUOTA_EXCEEDS_TOTAL", "amounts.students")
    ]
    assert _errors(await gql(RETURN, _give_back(world, period_id, "B", total=2), admin)) == [
        ("SUBQUOTA_EXCEEDS_TOTAL", "amounts.staff")
    ]
    # A has {6, students 2, staff 2, high-knowledge 2} left: five undesignated places out
    # would leave one place for four designated ones; so would a reserve of five.
    assert _errors(await plans.allocate(period_id, "A", "A2", 5)) == [
        ("SUBQUOTA_EXCEEDS_TOTAL", "amounts.students")
    ]
    reserve = {"input": {"periodId": period_id, "unitId": world.gid("A"), "reserve": {"total": 5}}}
    assert _errors(await gql(RESERVE, reserve, admin)) == [
        ("SUBQUOTA_EXCEEDS_TOTAL", "reserve.students")
    ]
    # High-knowledge alone: 2 of the 6 left, so at most 4 places may leave without it.
    assert _errors(await plans.allocate(period_id, "A", "A2", 5, students=2, staff=2)) == [
        ("SUBQUOTA_EXCEEDS_TOTAL", "amounts.highKnowledge")
    ]
    assert await _written(owner_engine) == before

    transfer["input"]["amounts"] = {"total": 1, "students": 1}
    assert _errors(await gql(TRANSFER, transfer, admin)) == []
    assert _errors(await plans.allocate(period_id, "A", "A2", 4, students=2, staff=2)) == []
    assert _errors(await plans.allocate(period_id, "A", "A2", 1, highKnowledge=1)) == []
    line = await gql(LINE, {"u": world.gid("A"), "p": period_id}, world.tokens["school_admin"])
    assert line["data"]["plan"]["line"]["available"] == {
        "total": 1,
        "students": 0,
        "staff": 0,
        "highKnowledge": 1,
    }
    assert await assert_derivations() >= 6


async def test_the_bounds_are_judged_only_for_callers_who_may_move_the_quota(
    plans, gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    """A return that would break the bounds tells nothing of the balance to a caller without
    a token, without the role, or in another school: they are refused before it is read."""
    period_id = await plans.period()
    await plans.issue(period_id, "A", 2, students=1)
    await plans.allocate(period_id, "A", "A2", 2, students=1)
    before = await _written(owner_engine)
    variables = _give_back(world, period_id, "A2", total=2)
    assert codes(await gql(RETURN, variables)) == ["UNAUTHENTICATED"]
    assert codes(await gql(RETURN, variables, world.tokens["viewer"])) == ["FORBIDDEN"]
    assert codes(await gql(RETURN, variables, world.tokens["other_school_admin"])) == ["NOT_FOUND"]
    assert await _written(owner_engine) == before
