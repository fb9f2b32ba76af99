"""A step's ``data`` in camelCase, through every operation that takes it (recordStep,
correctStep, importRecruits, syncRecruits): stored and judged exactly as its snake_case twin,
a datum sent in both spellings refused, unknown and hostile keys refused as typed errors, and
every error naming the key as it was sent."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from support import codes, id_number, raw_id
from support_inputs import unresolved
from support_recruits import STEP, WALK, create, person, step
from support_sync import TALK, outcomes, record, sync

from partyplan.resolvers.recruits.rules.data_keys import SPELLINGS, camel

IMPORT = """mutation($input: ImportRecruitsInput!) { importRecruits(input: $input) {
  recruits { id } errors { index code field message } } }"""
CORRECT = """mutation($input: CorrectStepInput!) { correctStep(input: $input) {
  errors { code field message } } }"""


def _camel(data: dict[str, Any]) -> dict[str, Any]:
    return {camel(key): value for key, value in data.items()}


async def _stored(owner_engine: Any, recruit: str) -> dict[str, Any]:
    """What a recruit's steps left in the database: its steps, findings, derived columns and
    the audit of each step (all but ids and times)."""
    r = {"r": raw_id(recruit)}
    async with owner_engine.connect() as conn:
        steps = await conn.execute(
            sa.text(
                "SELECT step_code, on_date, data, rule_version FROM recruit_steps"
                " WHERE recruit_id = :r ORDER BY id"
            ),
            r,
        )
        findings = await conn.execute(
            sa.text(
                "SELECT rule_id, rule_version, article, severity, step_code, message, due_on,"
                " days_late FROM recruit_findings WHERE recruit_id = :r ORDER BY rule_id, step_code"
            ),
            r,
        )
        derived = await conn.execute(
            sa.text(
                "SELECT stage, stage_since, next_step, next_due_on, open_findings, approved_on,"
                " activist_on, target_on, converted_on FROM recruits WHERE id = :r"
            ),
            r,
        )
        audit = await conn.execute(
            sa.text(
                "SELECT after FROM audit_log WHERE operation = 'recordStep'"
                " AND object_id = :r ORDER BY id"
            ),
            r,
        )
        return {
            "steps": [tuple(row) for row in steps],
            "findings": [tuple(row) for row in findings],
            "derived": tuple(derived.one()),
            "audit": list(audit.scalars()),
        }


async def test_the_walk_in_camel_case_stores_what_snake_case_stores(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    snake = (await create(gql, world, idNumber=id_number("20030504", 21)))["recruit"]["id"]
    camelled = (await create(gql, world, idNumber=id_number("20030504", 22)))["recruit"]["id"]
    for code, on, data, account in WALK:
        as_snake = await step(gql, world, snake, code, on, data, account)
        as_camel = await step(gql, world, camelled, code, on, _camel(data), account)
        assert as_snake["errors"] == as_camel["errors"] == [], (code, as_camel)
        assert as_snake["recruit"] == as_camel["recruit"], code
    stored_snake = await _stored(owner_engine, snake)
    stored_camel = await _stored(owner_engine, camelled)
    assert stored_camel == stored_snake
    # Stored as the step table names them (the walk's data, snake_case), camelCase nowhere.
    walked = [("application", {}), *((code, data) for code, _, data, _ in WALK)]
    assert [(s[0], s[2]) for s in stored_camel["steps"]] == walked
    assert any(camel(k) != k for _, data in walked for k in data)  # the walk tests something


async def _walked(gql, world, until: str) -> str:  # type: ignore[no-untyped-def]
    recruit = (await create(gql, world))["recruit"]["id"]
    for code, on, data, account in WALK[: [w[0] for w in WALK].index(until) + 1]:
        assert (await step(gql, world, recruit, code, on, data, account))["errors"] == []
    return recruit


async def _record(gql, world, recruit: str, code: str, data: Any) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """recordStep on the walk's date for ``code``: its errors, each field resolved as sent."""
    on = next(w[1] for w in WALK if w[0] == code)
    sent = {"recruitId": recruit, "step": code.upper(), "on": on.isoformat(), "data": data}
    result = await gql(STEP, {"input": sent}, world.tokens["branch_secretary"])
    assert "errors" not in result, result
    errors = result["data"]["recordStep"]["errors"]
    # A datum left out is named all the same, in either spelling.
    keys = SPELLINGS[code]
    problems = [unresolved("recordStep", e["field"], sent, lambda _: keys) for e in errors]
    assert [p for p in problems if p] == []
    return [(e["code"], e["field"]) for e in errors]


async def test_errors_name_the_key_as_it_was_sent(gql, world) -> None:  # type: ignore[no-untyped-def]
    recruit = await _walked(gql, world, "application_form")
    no_quorum = {"entitled": 25, "present": 12, "in_favour": 12}
    assert await _record(gql, world, recruit, "branch_meeting", no_quorum) == [
        ("RULE_VIOLATION", "data.present"),
        ("RULE_VIOLATION", "data.in_favour"),
    ]
    assert await _record(gql, world, recruit, "branch_meeting", _camel(no_quorum)) == [
        ("RULE_VIOLATION", "data.present"),
        ("RULE_VIOLATION", "data.inFavour"),
    ]
    # A wrong kind of value, and a required datum left out: camelCase when the caller writes so.
    wrong = {"entitled": 25, "present": 21, "inFavour": -1, "writtenVotes": "two"}
    assert await _record(gql, world, recruit, "branch_meeting", wrong) == [
        ("RULE_VIOLATION", "data.inFavour"),
        ("RULE_VIOLATION", "data.writtenVotes"),
    ]
    assert await _record(
        gql, world, recruit, "branch_meeting", {"entitled": 25, "present": 21}
    ) == [("RULE_VIOLATION", "data.in_favour")]


async def test_a_datum_in_both_spellings_is_refused_everywhere(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    recruit = await _walked(gql, world, "application_form")
    twice = {"entitled": 25, "present": 21, "inFavour": 20, "in_favour": 20}
    assert await _record(gql, world, recruit, "branch_meeting", twice) == [
        ("DUPLICATE_DATUM", "data.in_favour")
    ]
    # correctStep: the talk recorded by the walk, corrected with its talker named twice.
    secretary = world.tokens["branch_secretary"]
    steps = (
        await gql(
            "query($id: ID!) { recruit(id: $id) { steps { id step } } }", {"id": recruit}, secretary
        )
    )["data"]["recruit"]["steps"]
    talk = next(s["id"] for s in steps if s["step"] == "TALK")
    sent = {
        "stepId": talk,
        "on": "2022-10-10",
        "data": {"talkedBy": "书记", "talked_by": "书记"},
        "reason": "更正",
    }
    result = await gql(CORRECT, {"input": sent}, secretary)
    errors = result["data"]["correctStep"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("DUPLICATE_DATUM", "data.talked_by")]
    assert unresolved("correctStep", errors[0]["field"], sent) is None
    # importRecruits: the row's step, by its whole path; nothing written.
    row = {
        "branchId": world.gid("A1a"),
        **person(idNumber=id_number("20030504", 31)),
        "steps": [
            {"step": "TALK", "on": "2022-10-10", "data": {"talked_by": "甲", "talkedBy": "乙"}}
        ],
    }
    result = await gql(IMPORT, {"input": {"rows": [row]}}, secretary)
    payload = result["data"]["importRecruits"]
    assert [(e["index"], e["code"], e["field"]) for e in payload["errors"]] == [
        (0, "DUPLICATE_DATUM", "rows.0.steps.0.data.talkedBy")
    ]
    assert unresolved("importRecruits", payload["errors"][0]["field"], {"rows": [row]}) is None
    # syncRecruits: the record is refused on its step's key, before any comparison.
    talk_twice = {**TALK, "data": {"talkedBy": "支部书记", "talked_by": "支部书记"}}
    synced = await sync(gql, world, [record(world, 32, steps=[talk_twice])])
    assert outcomes(synced) == ["REFUSED"]
    refused = synced["results"][0]["errors"]
    assert [(e["code"], e["field"]) for e in refused] == [
        ("DUPLICATE_DATUM", "records.0.steps.0.data.talked_by")
    ]
    async with owner_engine.connect() as conn:
        count = await conn.scalar(sa.text("SELECT count(*) FROM recruits"))
    assert count == 1  # the walked recruit alone
    # A step already recorded, sent again in both spellings: refused, not "unchanged".
    assert outcomes(await sync(gql, world, [record(world, 33, steps=[TALK])], key="b-2")) == [
        "CREATED"
    ]
    again = await sync(gql, world, [record(world, 33, steps=[talk_twice])], key="b-3")
    assert [(e["code"], e["field"]) for e in again["results"][0]["errors"]] == [
        ("DUPLICATE_DATUM", "records.0.steps.0.data.talked_by")
    ]


async def test_import_and_sync_take_camel_case(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    secretary = world.tokens["branch_secretary"]
    steps = [
        {"step": code.upper(), "on": on.isoformat(), "data": _camel(data)}
        for code, on, data, _ in WALK[:2]
    ]
    row = {
        "branchId": world.gid("A1a"),
        **person(idNumber=id_number("20030504", 41)),
        "steps": steps,
    }
    result = await gql(IMPORT, {"input": {"rows": [row]}}, secretary)
    assert result["data"]["importRecruits"]["errors"] == [], result
    # A sync's step compares with the stored one in either spelling: unchanged, not a conflict.
    created = await sync(gql, world, [record(world, 42, steps=[TALK])])
    assert outcomes(created) == ["CREATED"], created
    camel_talk = {**TALK, "data": _camel(TALK["data"])}
    again = await sync(gql, world, [record(world, 42, steps=[camel_talk])], key="batch-2")
    assert outcomes(again) == ["UNCHANGED"], again
    other = {**TALK, "data": {"talkedBy": "另一人"}}
    conflict = await sync(gql, world, [record(world, 42, steps=[other])], key="batch-3")
    assert [(e["code"], e["field"]) for e in conflict["results"][0]["errors"]] == [
        ("STEP_CONFLICT", "records.0.steps.0.data")
    ]
    async with owner_engine.connect() as conn:
        keys = await conn.scalars(
            sa.text("SELECT DISTINCT jsonb_object_keys(data) FROM recruit_steps ORDER BY 1")
        )
        assert list(keys) == ["recommended_by", "talked_by"]


async def test_unknown_and_hostile_keys_are_typed_errors(client, gql, world) -> None:  # type: ignore[no-untyped-def]
    recruit = (await create(gql, world))["recruit"]["id"]
    huge = "k" * 100_000
    cases = {
        "talker": "data.talker",  # unknown, as today
        "inFavour": "data.inFavour",  # another step's field, in either spelling
        "in_favour": "data.in_favour",
        "talked\x00by": "data.talked\x00by",
        huge: f"data.{huge}",
        "talked By": "data.talked By",
    }
    for key, field in cases.items():
        assert await _record(gql, world, recruit, "talk", {key: "书记"}) == [
            ("RULE_VIOLATION", field)
        ], key[:20]
    # Keys no path carries as they are, a lone surrogate (sent as JSON's ASCII escape, as UTF-8
    # could not): typed errors all the same, never a server error.
    on = WALK[0][1].isoformat()
    for key in ("talked.by", "\ud800", "", "talkedBy\ud800"):
        sent = {"recruitId": recruit, "step": "TALK", "on": on, "data": {key: "书记"}}
        body = json.dumps({"query": STEP, "variables": {"input": sent}}, ensure_ascii=True)
        response = await client.post(
            "/graphql",
            content=body.encode("ascii"),
            headers={
                "Authorization": f"Bearer {world.tokens['branch_secretary']}",
                "Content-Type": "application/json",
            },
        )
        assert response.status_code == 200, response.text
        result = response.json()
        assert codes(result) == [], result
        [error] = result["data"]["recordStep"]["errors"]
        assert error["code"] == "RULE_VIOLATION", error
