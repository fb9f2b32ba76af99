"""Plan errors name the input field to fix, as the mutation's input type spells it: the note
of an allocation, the structural target at fault, the linkage parameter out of range."""

from __future__ import annotations

from typing import Any

from support_inputs import error_codes, unresolved


async def _errors(plans, mutation: str, input_type: str, sent: dict[str, Any], account: str):  # type: ignore[no-untyped-def]
    result = await plans.gql(
        f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ errors {{ code field }} }} }}",
        {"input": sent},
        plans.world.tokens[account],
    )
    errors = result["data"][mutation]["errors"]
    for error in errors:
        assert unresolved(mutation, error["field"], sent) is None, error
        assert error["code"] in error_codes(mutation), error
    return [(e["code"], e["field"]) for e in errors]


async def test_quota_errors_name_the_note_and_the_target(plans, world) -> None:  # type: ignore[no-untyped-def]
    period_id = await plans.period()
    await plans.issue(period_id, "A", 10)
    allocation = {
        "periodId": period_id,
        "fromUnitId": world.gid("A"),
        "toUnitId": world.gid("A1"),
        "amounts": {"total": 2},
    }
    too_long = {**allocation, "note": "备" * 501}
    assert await _errors(
        plans, "allocateQuota", "AllocateQuotaInput", too_long, "school_admin"
    ) == [("INVALID_REMARK", "note")]
    issue = {
        "periodId": period_id,
        "schoolId": world.gid("A"),
        "amounts": {"total": 1},
        "documentNo": "x",
    }
    for targets, field in (
        ([{"indicator": "WOMEN", "minCount": 1}, {"indicator": "WOMEN", "minCount": 2}], "1"),
        ([{"indicator": "WOMEN", "minCount": 1}, {"indicator": "YOUTH_35"}], "1"),
        ([{"indicator": "WOMEN", "minCount": -1}], "0.minCount"),
        ([{"indicator": "WOMEN", "minSharePercent": 101}], "0.minSharePercent"),
        ([{"indicator": "WOMEN", "minShare": 1.01}], "0.minShare"),
        ([{"indicator": "WOMEN", "minShare": 0.5, "minSharePercent": 40}], "0.minShare"),
    ):
        sent = {**issue, "targets": targets}
        assert await _errors(plans, "issuePlan", "IssuePlanInput", sent, "commission_admin") == [
            ("INVALID_TARGET", f"targets.{field}")
        ], targets


async def test_linkage_errors_name_the_parameter(plans, world) -> None:  # type: ignore[no-untyped-def]
    commission = world.gid("commission")
    for values, field in (
        ({"lowCompletionRate": 0.99}, "lowCompletionRate"),  # above the full rate (0.95)
        ({"fullCompletionRate": 1.5}, "fullCompletionRate"),
        ({"growthWhenLow": 6}, "growthWhenLow"),
        ({"capRatioOfActual": -1}, "capRatioOfActual"),
    ):
        sent = {"commissionId": commission, **values}
        errors = await _errors(
            plans, "setLinkageRules", "SetLinkageRulesInput", sent, "commission_admin"
        )
        assert errors == [("INVALID_LINKAGE", field)], values
