"""Whatever a job sends, the answer is a typed error naming the field, never a 500: NUL and other
controls, lone surrogates, huge numbers, data that is no object, a key of 10,000 characters, one
record too many. Every field named resolves in the input the caller sent."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support_inputs import unresolved
from support_sync import SYNC, TALK, counts, record, sync_input


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


def _cases(world: Any) -> list[tuple[str, dict[str, Any], list[tuple[str, str]]]]:
    """(label, the input, its errors (code, field) in the answer)."""

    def one(**changes: Any) -> dict[str, Any]:
        return sync_input(world, [record(world, 10, **changes)])["input"]

    def step(data: Any) -> dict[str, Any]:
        return one(steps=[{**TALK, "data": data}])

    return [
        ("NUL in a name", one(name="李\x00明"), [("INVALID_DATA", "records.0.name")]),
        (
            "a lone surrogate in a title",
            one(professionalTitle="讲\ud800师"),
            [("INVALID_DATA", "records.0.professionalTitle")],
        ),
        (
            "a control in the 12371 identifier",
            one(code12371="A-\x1b10"),
            [("INVALID_DATA", "records.0.code12371")],
        ),
        (
            "a 12371 identifier too long",
            one(code12371="A" * 65),
            [("INVALID_TEXT", "records.0.code12371")],
        ),
        (
            "10^40 in a step's datum",
            step({"talked_by": 10**40}),
            [("RULE_VIOLATION", "records.0.steps.0.data.talked_by")],
        ),
        (
            "NUL in a step's datum",
            step({"talked_by": "书\x00记"}),
            [("INVALID_DATA", "records.0.steps.0.data.talked_by")],
        ),
        (
            "a surrogate in a step's key",
            step({"talked\udfffby": "书记"}),
            [("INVALID_DATA", "records.0.steps.0.data")],
        ),
        ("a step's data not an object", step([1, 2]), [("INVALID_DATA", "records.0.steps.0.data")]),
        (
            "data nested too deep",
            step({"talked_by": _nested(900)}),
            [("INVALID_DATA", "records.0.steps.0.data")],
        ),
        (
            "a key of 10,000 characters",
            {**one(), "idempotencyKey": "k" * 10_000},
            [("INVALID_KEY", "idempotencyKey")],
        ),
        (
            "a key with NUL",
            {**one(), "idempotencyKey": "k\x00"},
            [("INVALID_KEY", "idempotencyKey")],
        ),
        ("an empty key", {**one(), "idempotencyKey": ""}, [("INVALID_KEY", "idempotencyKey")]),
        (
            "501 records",
            sync_input(world, [record(world, 10 + n % 400) for n in range(501)])["input"],
            [("TOO_MANY_RECORDS", "records")],
        ),
    ]


LABELS = [
    "NUL in a name",
    "a lone surrogate in a title",
    "a control in the 12371 identifier",
    "a 12371 identifier too long",
    "10^40 in a step's datum",
    "NUL in a step's datum",
    "a surrogate in a step's key",
    "a step's data not an object",
    "data nested too deep",
    "a key of 10,000 characters",
    "a key with NUL",
    "an empty key",
    "501 records",
]


@pytest.mark.parametrize("label", LABELS)
async def test_hostile_input_is_a_typed_error_naming_its_field(
    label: str, client, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    (sent, expected) = next((i, e) for lbl, i, e in _cases(world) if lbl == label)
    # ASCII escapes carry a lone surrogate as JSON allows ("\\ud800"); UTF-8 could not.
    body = json.dumps({"query": SYNC, "variables": {"input": sent}}, ensure_ascii=True)
    response = await client.post(
        "/graphql",
        content=body.encode("ascii"),
        headers={
            "Authorization": f"Bearer {world.tokens['sync_agent']}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert [e["extensions"]["code"] for e in result.get("errors") or []] == [], result
    payload = result["data"]["syncRecruits"]
    found = [(e["code"], e["field"]) for r in payload["results"] for e in r["errors"]]
    found = found or [(e["code"], e["field"]) for e in payload["errors"]]
    assert found == expected, payload
    for _, field in found:
        assert unresolved("syncRecruits", field, sent) is None, field
    assert (await counts(owner_engine))["recruits"] == 0


def test_every_case_is_tested(world) -> None:  # type: ignore[no-untyped-def]
    assert [c[0] for c in _cases(world)] == LABELS
