"""The commission sets which documents a step expects (overlays on the national default), and
records are judged by them from their next write."""

from __future__ import annotations

from support import codes, id_number, scalar
from support_attachments import FINDINGS, recruit_with_steps

SET = """mutation($i: SetDocumentExpectationInput!) { setDocumentExpectation(input: $i) {
  expectation { step documents schoolId effectiveFrom source } errors { code field message } } }"""
READ = """query($c: ID!) { documentExpectations(commissionId: $c) { nationalFrom
  national { step documents } overlays { step documents schoolId effectiveFrom } } }"""


def _input(world, **changes):  # type: ignore[no-untyped-def]
    return {
        "commissionId": world.gid("commission"),
        "step": "TALK",
        "documents": ["TALK_RECORD", "TALK_RECORD"],
        "effectiveFrom": "2020-01-01",
        "source": "晋教工委组〔2023〕23号",
        **changes,
    }


async def test_the_commission_sets_what_a_step_expects(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    admin = world.tokens["commission_admin"]
    done = await gql(SET, {"i": _input(world)}, admin)
    payload = done["data"]["setDocumentExpectation"]
    assert payload["errors"] == []
    assert payload["expectation"]["documents"] == ["TALK_RECORD"]  # once each
    # Set again for the same step, scope and date: replaced, not added.
    again = await gql(SET, {"i": _input(world, documents=["TALK_RECORD", "OTHER"])}, admin)
    assert again["data"]["setDocumentExpectation"]["errors"] == []
    # School A waives it from 2022-10-01.
    waived = await gql(
        SET,
        {"i": _input(world, schoolId=world.gid("A"), documents=[], effectiveFrom="2022-10-01")},
        admin,
    )
    assert waived["data"]["setDocumentExpectation"]["errors"] == []
    read = await gql(READ, {"c": world.gid("commission")}, world.tokens["commission_viewer"])
    body = read["data"]["documentExpectations"]
    assert body["nationalFrom"] == "2027-01-01"
    assert {"step": "TALK", "documents": ["TALK_RECORD"]} in body["national"]
    assert [(o["documents"], o["schoolId"]) for o in body["overlays"]] == [
        (["TALK_RECORD", "OTHER"], None),
        ([], world.gid("A")),
    ]
    assert (
        await scalar(
            owner_engine,
            "SELECT count(*) FROM audit_log WHERE operation = 'setDocumentExpectation'",
        )
        == 3
    )
    # A recruit of school A (talk 2022-10-10): waived; one of school B: expected.
    mine, _ = await recruit_with_steps(gql, world)
    result = await gql(FINDINGS, {"r": mine}, world.tokens["school_admin"])
    assert result["data"]["recruit"]["findings"] == []
    theirs, _ = await recruit_with_steps(
        gql, world, branch="B1", account="other_school_admin", idNumber=id_number("20030504", 13)
    )
    result = await gql(FINDINGS, {"r": theirs}, world.tokens["other_school_admin"])
    assert [f["ruleId"] for f in result["data"]["recruit"]["findings"]] == [
        "documents.talk.missing"
    ]


async def test_bad_expectations_are_typed_errors(gql, world) -> None:  # type: ignore[no-untyped-def]
    admin = world.tokens["commission_admin"]
    cases = [
        ({"source": "  "}, ("SOURCE_REQUIRED", "source")),
        ({"source": "通知\u202e"}, ("INVALID_TEXT", "source")),
        ({"schoolId": world.gid("A1")}, ("NOT_A_SCHOOL", "schoolId")),
        ({"commissionId": world.gid("A")}, ("NOT_A_COMMISSION", "commissionId")),
    ]
    for changes, expected in cases:
        result = await gql(SET, {"i": _input(world, **changes)}, admin)
        errors = result["data"]["setDocumentExpectation"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [expected], changes
    # Another commission's school is none the caller can see.
    other = await gql(SET, {"i": _input(world, schoolId=world.gid("C"))}, admin)
    assert codes(other) == ["NOT_FOUND"]
