"""Spot-check and allocation-quality errors name the input field to fix, as the input types
spell it (resolved through the schema), with a code of the mutation's enum."""

from __future__ import annotations

from typing import Any

from support_inputs import error_codes, unresolved
from support_spotchecks import SEED, commit, draw, records_of, sha256_hex


async def _fields(gql, world, mutation: str, input_type: str, sent: dict[str, Any]) -> list:  # type: ignore[no-untyped-def,type-arg]
    result = await gql(
        f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ errors {{ code field }} }} }}",
        {"input": sent},
        world.tokens["commission_admin"],
    )
    errors = result["data"][mutation]["errors"]
    assert errors, result
    for error in errors:
        assert unresolved(mutation, error["field"], sent) is None, error
        assert error["code"] in error_codes(mutation), error
    return [e["field"] for e in errors]


async def test_errors_name_their_fields(gql, world, targets) -> None:  # type: ignore[no-untyped-def]
    await targets.add("A1a", 2)
    base = {"commissionId": world.gid("commission"), "name": "抽查", "seedSha256": sha256_hex(SEED)}
    commit_input = "CommitSpotCheckInput"
    assert await _fields(
        gql, world, "commitSpotCheck", commit_input, {**base, "seedSha256": "x", "perSchool": 1}
    ) == ["seedSha256"]
    assert await _fields(gql, world, "commitSpotCheck", commit_input, {**base, "share": 1.5}) == [
        "share"
    ]
    assert await _fields(
        gql, world, "commitSpotCheck", commit_input, {**base, "perSchool": 1, "name": " "}
    ) == ["name"]
    foreign = {**base, "perSchool": 1, "schoolIds": [world.gid("A"), world.gid("C")]}
    assert await _fields(gql, world, "commitSpotCheck", commit_input, foreign) == ["schoolIds.1"]
    check = (await commit(gql, world, perSchool=1))["spotCheck"]["id"]
    wrong = {"spotCheckId": check, "seed": "0" * 64}
    assert await _fields(gql, world, "drawSpotCheck", "DrawSpotCheckInput", wrong) == ["seed"]
    await draw(gql, world, check)
    record = (await records_of(gql, world, "commission_admin", check))[0]["id"]
    finding = {
        "recordId": record,
        "finding": "ISSUE",
        "step": "TRAINING",
        "ruleId": "x",
        "note": "问题",
    }
    finding_input = "RecordSpotCheckFindingInput"
    assert await _fields(gql, world, "recordSpotCheckFinding", finding_input, finding) == ["ruleId"]
    assert await _fields(
        gql, world, "recordSpotCheckFinding", finding_input, {**finding, "step": "NOPE"}
    ) == ["step"]
    no_note = {**finding, "ruleId": "review.valid_1y", "note": None}
    assert await _fields(gql, world, "recordSpotCheckFinding", finding_input, no_note) == ["note"]
    closing = {"recordId": record}
    assert await _fields(gql, world, "closeSpotCheck", "SpotCheckFollowUpInput", closing) == [
        "recordId"
    ]
    rule = {"commissionId": world.gid("commission"), "params": {"min_children": 1.5}}
    rule_input = "SetAllocationQualityRuleInput"
    assert await _fields(gql, world, "setAllocationQualityRule", rule_input, rule) == [
        "params.min_children"
    ]
    school = {"commissionId": world.gid("A"), "params": {}}
    assert await _fields(gql, world, "setAllocationQualityRule", rule_input, school) == [
        "commissionId"
    ]
