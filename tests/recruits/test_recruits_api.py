"""Recruits through the API: the record, all 25 steps, refusals citing rules, late-step
findings, masked PII, and admissions counted by approval date."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from support import codes, id_number, scalar
from support_inputs import unresolved
from support_recruits import CREATE, STEP, WALK, admitted, create, period, person, step

IMPORT = """mutation($input: ImportRecruitsInput!) { importRecruits(input: $input) {
  errors { index code field } } }"""


async def test_a_recruit_walks_all_25_steps_to_full_membership(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    p2024 = await period(gql, world, 2024)
    p2023 = await period(gql, world, 2023)
    created = await create(gql, world)
    assert created["errors"] == []
    recruit = created["recruit"]
    assert (recruit["stage"], recruit["nextStep"], recruit["nextDueOn"]) == (
        "APPLICANT",
        "TALK",
        "2022-10-15",
    )
    assert recruit["branch"] == {"name": "甲院第一党支部"}
    stages = []
    for code, on, data, account in WALK:
        payload = await step(gql, world, recruit["id"], code, on, data, account)
        assert payload["errors"] == [], (code, payload)
        stages.append(payload["recruit"]["stage"])
    final = payload["recruit"]
    assert final["stage"] == "FULL_MEMBER" and final["findings"] == [] and final["nextStep"] is None
    assert final["approvedOn"] == "2024-06-25"
    assert stages.index("PROBATIONARY") == [w[0] for w in WALK].index("approval")
    assert await scalar(owner_engine, "SELECT count(*) FROM recruit_steps") == len(WALK) + 1
    # The admission counts in the period containing its approval date, up the tree.
    assert [await admitted(gql, world, u, p2024) for u in ("A1a", "A1", "A")] == [1, 1, 1]
    assert await admitted(gql, world, "A", p2023) == 0
    assert await admitted(gql, world, "A2", p2024) == 0


async def test_identity_errors_are_typed_and_write_nothing(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    good = id_number("20030504", 12)
    bad_digit = good[:-1] + ("0" if good[-1] != "0" else "1")
    cases = [
        ({"idNumber": bad_digit}, [("INVALID_ID_NUMBER", "idNumber")]),
        ({"birthDate": "2003-05-05"}, [("ID_BIRTH_DATE_MISMATCH", "birthDate")]),
        ({"gender": "FEMALE"}, [("ID_GENDER_MISMATCH", "gender")]),
        ({"ethnicity": "汉"}, [("INVALID_ETHNICITY", "ethnicity")]),
        ({"phone": "12345"}, [("INVALID_PHONE", "phone")]),
        (
            {"ethnicity": "汉", "phone": "1"},
            [("INVALID_ETHNICITY", "ethnicity"), ("INVALID_PHONE", "phone")],
        ),
        ({"applicationDate": "2099-01-01"}, [("FUTURE_DATE", "applicationDate")]),
        ({"birthDate": "2099-05-04"}, [("INVALID_BIRTH_DATE", "birthDate")]),
        ({"birthDate": "1899-12-31"}, [("INVALID_BIRTH_DATE", "birthDate")]),
    ]
    for overrides, expected in cases:
        payload = await create(gql, world, **overrides)
        assert payload["recruit"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == expected, overrides
    assert await scalar(owner_engine, "SELECT count(*) FROM recruits") == 0
    assert await scalar(owner_engine, "SELECT count(*) FROM audit_log") == 0


async def test_underage_applicant_is_refused_on_the_application_date(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    """Under 18 on the application date: UNDERAGE, citing the rule, on ``applicationDate`` —
    the field to fix, since the birth date is a fact checked against the ID number. The same
    for a row of a bulk import, and nothing is written."""
    young = {"birthDate": "2005-01-20", "idNumber": id_number("20050120", 3)}
    payload = await create(gql, world, **young, applicationDate="2022-09-15")
    assert payload["recruit"] is None
    [error] = payload["errors"]
    assert (error["code"], error["field"]) == ("UNDERAGE", "applicationDate")
    assert "application.min_age" in error["message"] and "2023-01-20" in error["message"]
    assert unresolved("createRecruit", error["field"], person(**young)) is None
    row = {"branchId": world.gid("A1a"), **person(**young, applicationDate="2023-01-19")}
    imported = await gql(IMPORT, {"input": {"rows": [row]}}, world.tokens["branch_secretary"])
    assert [
        (e["index"], e["code"], e["field"]) for e in imported["data"]["importRecruits"]["errors"]
    ] == [(0, "UNDERAGE", "rows.0.applicationDate")]
    assert await scalar(owner_engine, "SELECT count(*) FROM recruits") == 0
    # On the 18th birthday the application stands.
    assert (await create(gql, world, **young, applicationDate="2023-01-20"))["errors"] == []


async def test_duplicate_id_number_even_in_another_school(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    assert (await create(gql, world, "other_school_admin", "B1"))["errors"] == []
    payload = await create(gql, world, name="王芳")
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("DUPLICATE_ID_NUMBER", "idNumber")
    ]
    assert await scalar(owner_engine, "SELECT count(*) FROM recruits") == 1


async def test_quorum_less_meeting_is_refused_and_nothing_is_written(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    recruit = (await create(gql, world))["recruit"]["id"]
    for code, on, data, account in WALK[: [w[0] for w in WALK].index("branch_meeting")]:
        assert (await step(gql, world, recruit, code, on, data, account))["errors"] == []
    before = await scalar(owner_engine, "SELECT count(*) FROM recruit_steps")
    cases = [
        ({"entitled": 25, "present": 12, "in_favour": 12}, "meeting.quorum"),  # no quorum
        ({"entitled": 25, "present": 20, "in_favour": 12}, "meeting.majority"),  # of present only
    ]
    for votes, rule in cases:
        payload = await step(
            gql, world, recruit, "branch_meeting", date(2024, 6, 5), votes, "branch_secretary"
        )
        assert {e["code"] for e in payload["errors"]} == {"RULE_VIOLATION"}, payload
        assert any(f"规则 {rule} " in e["message"] for e in payload["errors"]), payload
    assert await scalar(owner_engine, "SELECT count(*) FROM recruit_steps") == before


async def test_late_steps_are_accepted_with_findings(gql, world) -> None:  # type: ignore[no-untyped-def]
    recruit = (await create(gql, world))["recruit"]["id"]
    payload = await step(
        gql, world, recruit, "talk", date(2022, 11, 20), {"talked_by": "书记"}, "branch_secretary"
    )
    assert payload["errors"] == []
    findings = payload["recruit"]["findings"]
    assert len(findings) == 1 and findings[0]["step"] == "TALK" and findings[0]["daysLate"] > 0
    assert payload["recruit"]["openFindings"] == 1


async def test_approval_needs_the_committee(gql, world) -> None:  # type: ignore[no-untyped-def]
    recruit = (await create(gql, world))["recruit"]["id"]
    result = await gql(
        STEP,
        {
            "input": {
                "recruitId": recruit,
                "step": "ACTIVIST_FILING",
                "on": "2023-03-27",
                "data": {},
            }
        },
        world.tokens["branch_secretary"],
    )
    assert codes(result) == ["FORBIDDEN"]


async def test_pii_masked_without_the_permission(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    recruit = (await create(gql, world))["recruit"]
    number = id_number("20030504", 12)
    assert recruit["idNumber"] == number[:3] + "*" * 11 + number[-4:]  # the secretary: masked
    assert recruit["phone"] == "138****5678"
    query = "query($id: ID!) { recruit(id: $id) { idNumber phone } }"
    shown = await gql(query, {"id": recruit["id"]}, world.tokens["school_admin"])
    assert shown["data"]["recruit"] == {"idNumber": number, "phone": "13812345678"}
    async with owner_engine.connect() as conn:  # encrypted at rest
        row = (await conn.execute(sa.text("SELECT id_number_enc, phone_enc FROM recruits"))).one()
    assert number.encode() not in bytes(row.id_number_enc) and b"1381234" not in bytes(
        row.phone_enc
    )
    found = await gql(
        "query($s: String) { recruits(search: $s) { edges { node { name } } } }",
        {"s": number},
        world.tokens["viewer"],
    )
    assert [e["node"]["name"] for e in found["data"]["recruits"]["edges"]] == ["李明"]


async def test_admissions_count_by_approval_date_across_a_period_boundary(gql, world) -> None:  # type: ignore[no-untyped-def]
    p2023, p2024 = await period(gql, world, 2023), await period(gql, world, 2024)
    for i, approval_on in enumerate((date(2023, 12, 29), date(2024, 1, 2))):
        shift = approval_on - date(2024, 6, 25)  # the walk, moved to end on this approval
        recruit = await create(
            gql,
            world,
            idNumber=id_number("20030504", 20 + i),
            name="学生" + "甲乙"[i],
            applicationDate=(date(2022, 9, 15) + shift).isoformat(),
        )
        for code, on, data, account in WALK[: [w[0] for w in WALK].index("approval") + 1]:
            payload = await step(
                gql, world, recruit["recruit"]["id"], code, on + shift, data, account
            )
            assert payload["errors"] == [], (code, payload)
        assert payload["recruit"]["approvedOn"] == approval_on.isoformat()
    assert await admitted(gql, world, "A", p2023) == 1
    assert await admitted(gql, world, "A", p2024) == 1


async def test_list_statement_count_does_not_grow_with_the_page(gql, world, platform) -> None:  # type: ignore[no-untyped-def]
    for i in range(12):
        created = await create(
            gql,
            world,
            idNumber=id_number("20030504", 40 + i),
            name="学生" + "甲乙丙丁戊己庚辛壬癸子丑"[i],
        )
        assert created["errors"] == [], created
    query = """query($n: Int) { recruits(first: $n) { edges { node { name idNumber stage nextStep
               branch { name } steps { step on } findings { ruleId } } } } }"""
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    engine = platform.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        counts = []
        for n in (2, 12):
            statements.clear()
            result = await gql(query, {"n": n}, world.tokens["school_admin"])
            assert len(result["data"]["recruits"]["edges"]) == n
            counts.append(len(statements))
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert counts[0] == counts[1] <= 6, counts


async def test_record_step_statement_count_does_not_grow_with_the_history(
    gql, world, platform
) -> None:  # type: ignore[no-untyped-def]
    recruit = (await create(gql, world))["recruit"]["id"]
    for code, on, data, account in WALK[:4]:
        assert (await step(gql, world, recruit, code, on, data, account))["errors"] == []
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    engine = platform.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        counts = []
        for month in (5, 7, 9, 11):  # cultivation is repeatable: the history grows by one each
            statements.clear()
            payload = await step(
                gql,
                world,
                recruit,
                "cultivation",
                date(2023, month, 20),
                {"assessment": "合格"},
                "branch_secretary",
            )
            assert payload["errors"] == [] and payload["recruit"]["stage"] == "ACTIVIST"
            counts.append(len(statements))
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    # bind, the recruit locked with its branch and its commission's procedure (rule overlays,
    # calendar, document expectations), its current steps with what they carry in writing
    # (read after the lock: its writers write them under it), the write (step, findings,
    # derived columns, audit entry); the payload shows what the write returned (no second
    # read), and a document's only mutation needs no savepoint (schema/mutations.py)
    assert len(set(counts)) == 1 and counts[0] == 4, (counts, statements)


async def test_record_step_statement_count_is_the_same_with_findings_and_in_payloads(
    gql, world, platform
) -> None:  # type: ignore[no-untyped-def]
    """A late step (a finding written) costs the statements of one on time; two steps of one
    recruit in one document each answer the record as their own write left it."""
    recruit = (await create(gql, world))["recruit"]["id"]
    both = """mutation($a: RecordStepInput!, $b: RecordStepInput!) {
      a: recordStep(input: $a) { recruit { stage openFindings steps { step }
        findings { ruleId step daysLate } } errors { code } }
      b: recordStep(input: $b) { recruit { stage openFindings steps { step }
        findings { ruleId step daysLate } } errors { code } } }"""

    def recorded(code: str, on: date, data: dict[str, Any]) -> dict[str, Any]:
        return {"recruitId": recruit, "step": code.upper(), "on": on.isoformat(), "data": data}

    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    engine = platform.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        result = await gql(
            both,
            {
                "a": recorded("talk", date(2022, 11, 20), {"talked_by": "书记"}),  # late
                "b": recorded(
                    "activist", date(2023, 3, 20), {"recommended_by": "mass_organization"}
                ),
            },
            world.tokens["branch_secretary"],
        )
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert "errors" not in result, result
    a, b = result["data"]["a"], result["data"]["b"]
    assert a["errors"] == [] and b["errors"] == [], result
    assert [s["step"] for s in a["recruit"]["steps"]] == ["APPLICATION", "TALK"]
    assert [s["step"] for s in b["recruit"]["steps"]] == ["APPLICATION", "TALK", "ACTIVIST"]
    assert a["recruit"]["stage"] == "APPLICANT" and b["recruit"]["stage"] == "ACTIVIST"
    late = [f for f in a["recruit"]["findings"] if f["step"] == "TALK"]
    assert late and late[0]["daysLate"] > 0 and a["recruit"]["openFindings"] >= 1
    assert b["recruit"]["openFindings"] == len(b["recruit"]["findings"])
    # What the payloads show is what is stored.
    stored = await gql(
        "query($id: ID!) { recruit(id: $id) { stage openFindings findings { ruleId step daysLate } } }",
        {"id": recruit},
        world.tokens["branch_secretary"],
    )
    assert stored["data"]["recruit"] == {k: b["recruit"][k] for k in stored["data"]["recruit"]}
    # bind; then, for each step, savepoint, lock, steps, write, release
    assert len(statements) <= 1 + 2 * 5, statements


async def test_branch_with_open_recruits_stays_active_and_moves_with_them(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    recruit = (await create(gql, world))["recruit"]["id"]
    refused = await gql(
        "mutation($id: ID!) { deactivateUnit(input: {unitId: $id}) { errors { code message } } }",
        {"id": world.gid("A1a")},
        world.tokens["school_admin"],
    )
    assert [e["code"] for e in refused["data"]["deactivateUnit"]["errors"]] == ["IN_USE"]
    moved = await gql(
        "mutation($id: ID!, $to: ID!) { moveUnit(input: {unitId: $id, newParentId: $to}) { errors { code } } }",
        {"id": world.gid("A1a"), "to": world.gid("A")},
        world.tokens["school_admin"],
    )
    assert moved["data"]["moveUnit"]["errors"] == []
    stale = await scalar(
        owner_engine,
        "SELECT count(*) FROM recruit_steps s JOIN units u ON u.id = :b "
        "WHERE s.unit_path <> u.path",
        b=world.units["A1a"],
    )
    assert stale == 0
    query = "query($id: ID!) { recruit(id: $id) { name } }"
    assert (await gql(query, {"id": recruit}, world.tokens["school_admin"]))["data"]["recruit"]
    assert codes(await gql(query, {"id": recruit}, world.tokens["unit_admin"])) == ["NOT_FOUND"]


CORRECT = """mutation($input: CorrectStepInput!) { correctStep(input: $input) {
  recruit { stage openFindings steps { id step on correctionReason } } errors { code field message } } }"""


async def test_corrections_supersede_keep_history_and_are_judged_again(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    recruit = (await create(gql, world))["recruit"]["id"]
    late = await step(
        gql, world, recruit, "talk", date(2022, 11, 20), {"talked_by": "书记"}, "branch_secretary"
    )
    assert late["recruit"]["openFindings"] == 1
    steps = (
        await gql(
            "query($id: ID!) { recruit(id: $id) { steps { id step } } }",
            {"id": recruit},
            world.tokens["branch_secretary"],
        )
    )["data"]["recruit"]["steps"]
    talk_id = next(s["id"] for s in steps if s["step"] == "TALK")
    secretary = world.tokens["branch_secretary"]

    def correction(step_id: str, on: str, reason: str) -> dict[str, Any]:
        return {
            "input": {"stepId": step_id, "on": on, "data": {"talked_by": "书记"}, "reason": reason}
        }

    missing = (await gql(CORRECT, correction(talk_id, "2022-10-10", " "), secretary))["data"]
    assert [e["code"] for e in missing["correctStep"]["errors"]] == ["REASON_REQUIRED"]
    before_app = (await gql(CORRECT, correction(talk_id, "2022-09-01", "笔误"), secretary))["data"]
    assert [e["code"] for e in before_app["correctStep"]["errors"]] == ["RULE_VIOLATION"]

    fixed = await gql(CORRECT, correction(talk_id, "2022-10-10", "纸质记录日期录错"), secretary)
    payload = fixed["data"]["correctStep"]
    assert payload["errors"] == [] and payload["recruit"]["openFindings"] == 0
    [talk] = [s for s in payload["recruit"]["steps"] if s["step"] == "TALK"]
    assert (talk["on"], talk["correctionReason"]) == ("2022-10-10", "纸质记录日期录错")
    assert (
        await scalar(owner_engine, "SELECT count(*) FROM recruit_steps WHERE step_code = 'talk'")
        == 2
    )
    again = (await gql(CORRECT, correction(talk_id, "2022-10-11", "再改"), secretary))["data"]
    assert [e["code"] for e in again["correctStep"]["errors"]] == ["STEP_SUPERSEDED"]
    audit = await scalar(
        owner_engine, "SELECT count(*) FROM audit_log WHERE operation = 'correctStep'"
    )
    assert audit == 1


TRANSFER = """mutation($r: ID!, $b: ID!, $why: String!) { transferRecruit(input: {recruitId: $r,
  toBranchId: $b, reason: $why}) { recruit { branch { name } steps { step } } errors { code field } } }"""


async def test_transfers_keep_the_history_and_follow_scope(gql, world) -> None:  # type: ignore[no-untyped-def]
    recruit = (await create(gql, world))["recruit"]["id"]
    await step(
        gql, world, recruit, "talk", date(2022, 10, 10), {"talked_by": "书记"}, "branch_secretary"
    )
    school = world.tokens["school_admin"]
    same = await gql(TRANSFER, {"r": recruit, "b": world.gid("A1a"), "why": "x"}, school)
    assert [e["code"] for e in same["data"]["transferRecruit"]["errors"]] == ["SAME_BRANCH"]
    why = await gql(TRANSFER, {"r": recruit, "b": world.gid("A2"), "why": " "}, school)
    assert [e["code"] for e in why["data"]["transferRecruit"]["errors"]] == ["REASON_REQUIRED"]
    elsewhere = await gql(TRANSFER, {"r": recruit, "b": world.gid("B1"), "why": "转学"}, school)
    assert codes(elsewhere) == ["NOT_FOUND"]  # another school is the commission's to move to

    moved = await gql(TRANSFER, {"r": recruit, "b": world.gid("A2"), "why": "调整支部"}, school)
    payload = moved["data"]["transferRecruit"]
    assert payload["recruit"]["branch"] == {"name": "甲校机关党支部"}
    assert [s["step"] for s in payload["recruit"]["steps"]] == ["APPLICATION", "TALK"]
    query = "query($id: ID!) { recruit(id: $id) { name } }"
    assert codes(await gql(query, {"id": recruit}, world.tokens["branch_secretary"])) == [
        "NOT_FOUND"
    ]

    across = await gql(
        TRANSFER,
        {"r": recruit, "b": world.gid("B1"), "why": "转学"},
        world.tokens["commission_admin"],
    )
    assert across["data"]["transferRecruit"]["errors"] == []
    seen = await gql(
        "query($id: ID!) { recruit(id: $id) { steps { step } } }",
        {"id": recruit},
        world.tokens["other_school_admin"],
    )
    assert len(seen["data"]["recruit"]["steps"]) == 2
    assert codes(await gql(query, {"id": recruit}, school)) == ["NOT_FOUND"]


async def test_probation_extended_once_then_cancellation(gql, world) -> None:  # type: ignore[no-untyped-def]
    recruit = (await create(gql, world))["recruit"]["id"]
    for code, on, data, account in WALK[: [w[0] for w in WALK].index("oath") + 1]:
        assert (await step(gql, world, recruit, code, on, data, account))["errors"] == []
    extended = await step(
        gql,
        world,
        recruit,
        "probation_extension",
        date(2025, 6, 5),
        {"months": 6, "reason": "考察不足"},
        "branch_secretary",
    )
    assert extended["errors"] == [] and extended["recruit"]["stage"] == "PROBATIONARY"
    assert extended["recruit"]["nextDueOn"] > "2025-09-05"  # the conversion deadline moved
    again = await step(
        gql,
        world,
        recruit,
        "probation_extension",
        date(2025, 7, 1),
        {"months": 6},
        "branch_secretary",
    )
    assert [e["code"] for e in again["errors"]] == ["RULE_VIOLATION"]
    cancelled = await step(
        gql,
        world,
        recruit,
        "probation_cancellation",
        date(2025, 8, 1),
        {"reason": "不具备党员条件"},
        "branch_secretary",
    )
    assert cancelled["recruit"]["stage"] == "CANCELLED" and cancelled["recruit"]["nextStep"] is None


async def test_a_list_prefetches_findings_and_answers_as_the_recruit_does(
    gql, world, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    late, timely = (
        (await create(gql, world))["recruit"]["id"],
        (await create(gql, world, idNumber=id_number("20030504", 77), name="王五"))["recruit"][
            "id"
        ],
    )
    await step(
        gql, world, late, "talk", date(2022, 11, 20), {"talked_by": "书记"}, "branch_secretary"
    )
    await step(
        gql, world, timely, "talk", date(2022, 10, 10), {"talked_by": "书记"}, "branch_secretary"
    )
    one = "query($id: ID!) { recruit(id: $id) { findings { ruleId step daysLate } } }"
    expected = {
        r: (await gql(one, {"id": r}, world.tokens["school_admin"]))["data"]["recruit"]["findings"]
        for r in (late, timely)
    }
    assert len(expected[late]) == 1 and expected[timely] == []
    from partyplan.schema.recruits import types

    def per_row(*args: Any) -> None:
        raise AssertionError("a list loads its findings for the whole page at once")

    monkeypatch.setattr(types, "load_findings", per_row)
    for listing in (
        "{ recruits { edges { node { id findings { ruleId step daysLate } } } } }",
        "{ recruits { edges { node { id ...F } } } } fragment F on Recruit { findings { ruleId step daysLate } }",
    ):
        edges = (await gql(listing, {}, world.tokens["school_admin"]))["data"]["recruits"]["edges"]
        assert {e["node"]["id"]: e["node"]["findings"] for e in edges} == expected


@pytest.mark.parametrize("text", ["助理\x00研究员", "助理\ud800研究员"])
@pytest.mark.parametrize("field", ["professionalTitle", "talentProgramme"])
async def test_unstorable_text_is_the_fields_typed_error(
    client, world, field: str, text: str
) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL's text holds no NUL and no lone surrogate: the field's error, not a 500."""
    variables = {"input": {"branchId": world.gid("A1a"), **person(**{field: text})}}
    # json.dumps escapes the lone surrogate (\ud800), as a client's JSON would carry it.
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": CREATE, "variables": variables}),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {world.tokens['branch_secretary']}",
        },
    )
    payload = response.json()["data"]["createRecruit"]
    assert payload["recruit"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_TEXT", field)]
