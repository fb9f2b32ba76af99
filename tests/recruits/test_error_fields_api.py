"""Through the API, the operations that record a step in their own shape name their own input
fields: extendProbation and cancelProbation (the data are fields of the input, the step is the
recruit's), correctStep (what the correction changed)."""

from __future__ import annotations

from datetime import date
from typing import Any

from support_inputs import unresolved
from support_recruits import WALK, create, step

EXTEND = """mutation($input: ExtendProbationInput!) { extendProbation(input: $input) {
  recruit { stage } errors { code field message } } }"""
CANCEL = """mutation($input: CancelProbationInput!) { cancelProbation(input: $input) {
  recruit { stage } errors { code field message } } }"""
CORRECT = """mutation($input: CorrectStepInput!) { correctStep(input: $input) {
  errors { code field message } } }"""


async def _walked(gql, world, until: str) -> str:  # type: ignore[no-untyped-def]
    recruit = (await create(gql, world))["recruit"]["id"]
    for code, on, data, account in WALK[: [w[0] for w in WALK].index(until) + 1]:
        assert (await step(gql, world, recruit, code, on, data, account))["errors"] == []
    return recruit


def _named(mutation: str, sent: dict[str, Any], payload: dict[str, Any]) -> list[tuple[str, str]]:
    errors = payload["errors"]
    assert [e["field"] for e in errors if unresolved(mutation, e["field"], sent)] == []
    return [(e["code"], e["field"]) for e in errors]


async def test_probation_mutations_name_their_own_fields(gql, world) -> None:  # type: ignore[no-untyped-def]
    recruit = await _walked(gql, world, "oath")
    secretary = world.tokens["branch_secretary"]

    async def extend(**values: Any) -> list[tuple[str, str]]:
        sent = {"recruitId": recruit, "on": "2025-06-05", "months": 6, **values}
        result = await gql(EXTEND, {"input": sent}, secretary)
        return _named("extendProbation", sent, result["data"]["extendProbation"])

    assert await extend(months=13) == [("RULE_VIOLATION", "months")]  # 6 to 12 months
    assert await extend(on="2024-06-01") == [("RULE_VIOLATION", "on")]  # before the approval
    assert await extend(reason="考察不足") == []
    # Once only: the step cannot be recorded again for this recruit.
    assert await extend(on="2025-07-01") == [("RULE_VIOLATION", "recruitId")]

    sent = {"recruitId": recruit, "on": "2024-06-01", "reason": "不具备党员条件"}
    result = await gql(CANCEL, {"input": sent}, secretary)
    assert _named("cancelProbation", sent, result["data"]["cancelProbation"]) == [
        ("RULE_VIOLATION", "on")
    ]


async def test_a_correction_names_what_it_changed(gql, world) -> None:  # type: ignore[no-untyped-def]
    recruit = await _walked(gql, world, "branch_meeting")
    secretary = world.tokens["branch_secretary"]
    steps = (
        await gql(
            "query($id: ID!) { recruit(id: $id) { steps { id step } } }", {"id": recruit}, secretary
        )
    )["data"]["recruit"]["steps"]
    ids = {s["step"]: s["id"] for s in steps}

    async def correct(code: str, on: date, data: dict[str, Any]) -> list[tuple[str, str]]:
        sent = {"stepId": ids[code], "on": on.isoformat(), "data": data, "reason": "更正"}
        result = await gql(CORRECT, {"input": sent}, secretary)
        return _named("correctStep", sent, result["data"]["correctStep"])

    # The review's conclusion changed: the branch meeting it allowed is refused, on the data.
    unqualified = {"conclusion": "unqualified"}
    assert await correct("POLITICAL_REVIEW", date(2024, 4, 20), unqualified) == [
        ("RULE_VIOLATION", "data")
    ]
    # Moved before the application it answers: its own date.
    assert await correct("TALK", date(2022, 9, 1), {"talked_by": "书记"}) == [
        ("RULE_VIOLATION", "on")
    ]
    # Its own data, as recordStep names them.
    votes = {"entitled": 25, "present": 12, "in_favour": 12}
    assert await correct("BRANCH_MEETING", date(2024, 6, 5), votes) == [
        ("RULE_VIOLATION", "data.present"),
        ("RULE_VIOLATION", "data.in_favour"),
    ]
