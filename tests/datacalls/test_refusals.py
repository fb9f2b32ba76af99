"""What a data call refuses, each a typed error naming its field (``fields.N.x``, ``unitIds.N``,
``answers.<key>``), nothing written: a bad form, a unit outside the issuer's tree, answers that
do not fit the form, hostile text and numbers; and what another school is told (NOT_FOUND)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from support import codes, scalar
from support_datacalls import ANSWER, FORM, ISSUE, ROLLUP, issue, issue_input, today
from support_inputs import unresolved

LIST = "{ dataCalls { edges { node { title issuerName } } } }"


def _errors(result: dict, name: str) -> list[tuple[str, str]]:
    assert "errors" not in result, result
    return [(e["code"], e["field"]) for e in result["data"][name]["errors"]]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"fields": [{**FORM[0], "key": "Bad key"}]}, ("INVALID_FORM", "fields.0.key")),
        ({"fields": [FORM[0], FORM[0]]}, ("INVALID_FORM", "fields.1.key")),
        ({"fields": [{**FORM[2], "options": ["唯一"]}]}, ("INVALID_FORM", "fields.0.options")),
        (
            {"fields": [{**FORM[2], "options": ["甲", "甲"]}]},
            ("INVALID_FORM", "fields.0.options.1"),
        ),
        ({"fields": [{**FORM[0], "min": 5, "max": 1}]}, ("INVALID_FORM", "fields.0.max")),
        ({"fields": [{**FORM[0], "max": 1e300}]}, ("INVALID_FORM", "fields.0.max")),
        ({"fields": [{**FORM[0], "decimals": 7}]}, ("INVALID_FORM", "fields.0.decimals")),
        ({"fields": [{**FORM[0], "label": "教师\u0000人数"}]}, ("INVALID_FORM", "fields.0.label")),
        ({"fields": [{**FORM[4], "maxLength": 0}]}, ("INVALID_FORM", "fields.0.maxLength")),
        ({"fields": []}, ("INVALID_FORM", "fields")),
        ({"title": "摸底\u202e"}, ("INVALID_TEXT", "title")),
        ({"title": "  "}, ("INVALID_TEXT", "title")),
        ({"dueOn": "2020-01-01"}, ("INVALID_DUE_DATE", "dueOn")),
        ({"remindWorkingDays": 61}, ("INVALID_DUE_DATE", "remindWorkingDays")),
        ({"unitIds": []}, ("INVALID_TARGET", "unitIds")),
    ],
)
async def test_a_bad_call_is_refused_naming_the_field(
    gql, world, owner_engine, change, expected
) -> None:  # type: ignore[no-untyped-def]
    sent = issue_input(world, "A", ["A1"], **change)
    result = await gql(ISSUE, {"input": sent}, world.tokens["school_admin"])
    assert _errors(result, "issueDataCall") == [expected]
    assert unresolved("issueDataCall", expected[1], sent) is None
    assert await scalar(owner_engine, "SELECT count(*) FROM data_calls") == 0


@pytest.mark.parametrize(
    ("issuer", "units", "token", "expected"),
    [
        ("A", ["B1"], "commission_admin", ("INVALID_TARGET", "unitIds.0")),  # another school
        ("A", ["A1", "A"], "school_admin", ("INVALID_TARGET", "unitIds.1")),  # the issuer itself
        ("A", ["A1", "A1"], "school_admin", ("INVALID_TARGET", "unitIds.1")),
        ("commission", ["C"], "commission_admin", ("INVALID_TARGET", "unitIds.0")),
        ("A1", ["A1a"], "school_admin", ("NOT_AN_ISSUER", "issuerId")),
    ],
)
async def test_units_must_lie_below_the_issuer(gql, world, issuer, units, token, expected) -> None:  # type: ignore[no-untyped-def]
    result = await gql(ISSUE, {"input": issue_input(world, issuer, units)}, world.tokens[token])
    assert _errors(result, "issueDataCall") == [expected]


async def test_bad_answers_are_refused_each_naming_its_key(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    call = await issue(gql, world, "A", ["A1a"], "school_admin")
    answers = {
        "teachers": 1.5,
        "applied": -1,
        "level": "很多",
        "surveyedOn": "2026-02-30",
        "remark": "x" * 201,
        "unknownKey": 1,
    }
    result = await gql(
        ANSWER, {"c": call, "u": world.gid("A1a"), "a": answers}, world.tokens["branch_secretary"]
    )
    assert sorted(_errors(result, "answerDataCall")) == [
        ("INVALID_ANSWER", "answers.applied"),
        ("INVALID_ANSWER", "answers.level"),
        ("INVALID_ANSWER", "answers.remark"),
        ("INVALID_ANSWER", "answers.surveyedOn"),
        ("INVALID_ANSWER", "answers.teachers"),
        ("UNKNOWN_FIELD", "answers.unknownKey"),
    ]
    missing = await gql(
        ANSWER, {"c": call, "u": world.gid("A1a"), "a": {}}, world.tokens["branch_secretary"]
    )
    keys = {spec["key"] for spec in FORM}
    for _, field in _errors(result, "answerDataCall") + _errors(missing, "answerDataCall"):
        sent = {"dataCallId": call, "unitId": world.gid("A1a"), "answers": answers}
        found = unresolved(
            "answerDataCall", field, sent, lambda at: keys if at == ("answers",) else ()
        )
        assert found is None, found
    assert sorted(_errors(missing, "answerDataCall")) == [
        ("MISSING_ANSWER", "answers.applied"),
        ("MISSING_ANSWER", "answers.level"),
        ("MISSING_ANSWER", "answers.teachers"),
    ]
    not_object = await gql(
        ANSWER, {"c": call, "u": world.gid("A1a"), "a": [1]}, world.tokens["branch_secretary"]
    )
    assert _errors(not_object, "answerDataCall") == [("INVALID_ANSWER", "answers")]
    answered = "SELECT count(*) FROM data_call_responses WHERE answers IS NOT NULL"
    assert await scalar(owner_engine, answered) == 0


HOSTILE = [
    ("remark", "含\u0000空字符"),
    ("remark", "\ud800"),
    ("remark", "转义\u001b[31m"),
    ("remark", "倒序\u202e"),
    ("teachers", 10**400),
    ("teachers", 10**12 + 1),
    ("teachers", True),
    ("teachers", "12"),
    ("level", "\ud83d"),
]


@pytest.mark.parametrize(("key", "value"), HOSTILE)
async def test_hostile_answers_are_typed_errors(
    client, gql, world, owner_engine, key, value
) -> None:  # type: ignore[no-untyped-def]
    call = await issue(gql, world, "A", ["A1a"], "school_admin")
    answers = {"teachers": 1, "applied": 0, "level": "一般", key: value}
    # Sent as raw JSON: a lone surrogate travels as its \\u escape, a huge number as digits.
    body = json.dumps(
        {"query": ANSWER, "variables": {"c": call, "u": world.gid("A1a"), "a": answers}}
    )
    response = await client.post(
        "/graphql",
        content=body.encode("utf-8", "surrogatepass"),
        headers={
            "Authorization": f"Bearer {world.tokens['branch_secretary']}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert _errors(result, "answerDataCall") == [("INVALID_ANSWER", f"answers.{key}")]
    answered = "SELECT count(*) FROM data_call_responses WHERE answers IS NOT NULL"
    assert await scalar(owner_engine, answered) == 0


async def test_infinity_and_nan_are_refused(client, gql, world) -> None:  # type: ignore[no-untyped-def]
    call = await issue(gql, world, "A", ["A1a"], "school_admin")
    for token in ("Infinity", "NaN", "-Infinity", "1e999"):
        variables = f'{{"c": "{call}", "u": "{world.gid("A1a")}", "a": {{"teachers": {token},'
        body = f'{{"query": {json.dumps(ANSWER)}, "variables": {variables}'
        body += ' "applied": 0, "level": "一般"}}}'
        response = await client.post(
            "/graphql",
            content=body.encode(),
            headers={
                "Authorization": f"Bearer {world.tokens['branch_secretary']}",
                "Content-Type": "application/json",
            },
        )
        assert response.status_code < 500, response.text
        result = response.json()
        if "errors" in result:  # refused as a variable (not JSON the server reads)
            assert codes(result) and "INTERNAL_SERVER_ERROR" not in codes(result), result
        else:
            assert _errors(result, "answerDataCall") == [("INVALID_ANSWER", "answers.teachers")]


async def test_decimals_and_ranges(gql, world) -> None:  # type: ignore[no-untyped-def]
    form = [
        {"key": "ratio", "label": "比例", "kind": "NUMBER", "decimals": 2, "min": 0, "max": 1},
        {"key": "since", "label": "日期", "kind": "DATE", "earliest": "2026-01-01"},
    ]
    result = await gql(
        ISSUE,
        {"input": issue_input(world, "A", ["A1a"], fields=form)},
        world.tokens["school_admin"],
    )
    call = result["data"]["issueDataCall"]["dataCall"]["id"]
    secretary = world.tokens["branch_secretary"]
    for answers, expected in (
        ({"ratio": 0.125, "since": "2026-03-01"}, [("INVALID_ANSWER", "answers.ratio")]),
        ({"ratio": 1.01, "since": "2026-03-01"}, [("INVALID_ANSWER", "answers.ratio")]),
        ({"ratio": 0.5, "since": "2025-12-31"}, [("INVALID_ANSWER", "answers.since")]),
        ({"ratio": 0.75, "since": "2026-03-01"}, []),
    ):
        done = await gql(ANSWER, {"c": call, "u": world.gid("A1a"), "a": answers}, secretary)
        assert _errors(done, "answerDataCall") == expected


async def test_a_unit_not_asked_is_told_so(gql, world) -> None:  # type: ignore[no-untyped-def]
    call = await issue(gql, world, "A", ["A1a"], "school_admin")
    result = await gql(
        ANSWER,
        {"c": call, "u": world.gid("A2"), "a": {"teachers": 1, "applied": 0, "level": "一般"}},
        world.tokens["school_admin"],
    )
    assert _errors(result, "answerDataCall") == [("NOT_ADDRESSED", "unitId")]


async def test_another_school_sees_nothing_of_it(gql, world) -> None:  # type: ignore[no-untyped-def]
    ours = await issue(gql, world, "A", ["A1a"], "school_admin")
    to_b = await issue(gql, world, "commission", ["B"], "commission_admin")
    other = world.tokens["other_school_admin"]
    node = await gql(ROLLUP, {"c": ours, "under": None}, other)
    assert codes(node) == ["NOT_FOUND"]
    # School A was not sent the commission's call to B: absent from its list, NOT_FOUND by id.
    mine = await gql(LIST, {}, world.tokens["school_admin"])
    assert [e["node"]["title"] for e in mine["data"]["dataCalls"]["edges"]] == ["高知群体摸底"]
    assert codes(await gql(ROLLUP, {"c": to_b, "under": None}, world.tokens["school_admin"])) == [
        "NOT_FOUND"
    ]
    theirs = await gql(LIST, {}, other)
    assert [e["node"]["issuerName"] for e in theirs["data"]["dataCalls"]["edges"]] == [
        "中共山西省委教育工作委员会"
    ]
    # Another commission's administrator reaches neither.
    third = world.tokens["other_commission_admin"]
    assert codes(await gql(ROLLUP, {"c": to_b, "under": None}, third)) == ["NOT_FOUND"]


async def test_a_due_date_today_is_still_open(gql, world) -> None:  # type: ignore[no-untyped-def]
    result = await gql(
        ISSUE,
        {"input": issue_input(world, "A", ["A1a"], dueOn=today().isoformat())},
        world.tokens["school_admin"],
    )
    assert result["data"]["issueDataCall"]["dataCall"]["state"] == "OPEN"
    yesterday = (today() - timedelta(days=1)).isoformat()
    refused = await gql(
        ISSUE,
        {"input": issue_input(world, "A", ["A1a"], dueOn=yesterday)},
        world.tokens["school_admin"],
    )
    assert _errors(refused, "issueDataCall") == [("INVALID_DUE_DATE", "dueOn")]
