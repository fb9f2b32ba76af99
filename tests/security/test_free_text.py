"""Free text holds no NUL, no lone surrogate, no control character and no bidi control
(resolvers/text.py): each of the inputs the issue named, and a few more, refuses each with a
typed error naming the field (a query's argument: BAD_USER_INPUT naming it), never
INTERNAL_SERVER_ERROR, and nothing of it is stored."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from support_fuzz import Database
from support_plan_tree import ISSUE, PERIOD, PUBLISH
from support_recruits import create

from partyplan.resolvers.text import unsafe

HOSTILE = {
    "NUL": "甲\u0000乙",
    "lone surrogate": "甲\ud800乙",
    "ANSI escape": "\x1b[31m红色\x1b[0m",
    "C1 control": "甲\x9b乙",
    "bidi override": "abc\u202etxt.exe",
    "bidi isolate": "\u2066甲\u2069",
}


def test_the_rule() -> None:
    assert unsafe("晋教工委组〔2024〕1号 第二批\t（增补）\n") is None
    assert unsafe("阿依古丽·买买提\u200d") is None  # a joiner is text, not a control
    for text in HOSTILE.values():
        assert unsafe(text) is not None, text


def _payload(mutation: str, input_type: str, fields: str = "errors { code field message }") -> str:
    return f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ {fields} }} }}"


async def _period(gql: Any, world: Any) -> str:
    admin = world.tokens["commission_admin"]
    created = await gql(PERIOD, {"c": world.gid("commission")}, admin)
    period = created["data"]["createPlanPeriod"]["period"]["id"]
    await gql(PUBLISH, {"p": period}, admin)
    issued = await gql(ISSUE, {"p": period, "s": world.gid("A"), "t": 20}, admin)
    assert issued["data"]["issuePlan"]["errors"] == [], issued
    return period


async def _cases(gql: Any, world: Any) -> list[tuple[str, str, str, Any, str]]:
    """(label, account, document, variables with TEXT in place of the text, field refused)."""
    period = await _period(gql, world)
    recruit = (await create(gql, world))["recruit"]["id"]
    issue = {"periodId": period, "schoolId": world.gid("B"), "amounts": {"total": 1}}
    return [
        (
            "issuePlan documentNo",
            "commission_admin",
            _payload("issuePlan", "IssuePlanInput"),
            {**issue, "documentNo": "TEXT"},
            "documentNo",
        ),
        (
            "supplementQuota reason",
            "commission_admin",
            _payload("supplementQuota", "SupplementQuotaInput"),
            {**issue, "documentNo": "晋教工委组〔2024〕2号", "reason": "TEXT"},
            "reason",
        ),
        (
            "allocateQuota note",
            "school_admin",
            _payload("allocateQuota", "AllocateQuotaInput"),
            {
                "periodId": period,
                "fromUnitId": world.gid("A"),
                "toUnitId": world.gid("A1"),
                "amounts": {"total": 1},
                "note": "TEXT",
            },
            "note",
        ),
        (
            "submitForecast remark",
            "school_admin",
            _payload("submitForecast", "SubmitForecastInput"),
            {
                "periodId": period,
                "unitId": world.gid("A"),
                "amounts": {"total": 1},
                "remark": "TEXT",
            },
            "remark",
        ),
        (
            "createUser displayName",
            "school_admin",
            _payload("createUser", "CreateUserInput"),
            {"homeUnitId": world.gid("A"), "username": "new-user", "displayName": "TEXT"},
            "displayName",
        ),
        (
            "updateUser displayName",
            "school_admin",
            _payload("updateUser", "UpdateUserInput"),
            {"userId": world.uid("viewer"), "displayName": "TEXT"},
            "displayName",
        ),
        (
            "renameUnit name",
            "school_admin",
            _payload("renameUnit", "RenameUnitInput"),
            {"unitId": world.gid("A1"), "name": "TEXT"},
            "name",
        ),
        (
            "createPlanPeriod name",
            "commission_admin",
            _payload("createPlanPeriod", "CreatePlanPeriodInput"),
            {
                "commissionId": world.gid("commission"),
                "name": "TEXT",
                "kind": "CUSTOM",
                "startsOn": "2031-01-01",
                "endsOn": "2031-03-31",
            },
            "name",
        ),
        (
            "recordStep datum",
            "branch_secretary",
            _payload("recordStep", "RecordStepInput"),
            {
                "recruitId": recruit,
                "step": "TALK",
                "on": date(2022, 10, 10).isoformat(),
                "data": {"talkedBy": "TEXT"},
            },
            "data.talkedBy",
        ),
        (
            "importMembers code",
            "school_admin",
            _payload("importMembers", "ImportMembersInput", "errors { code field message }"),
            {
                "schoolId": world.gid("A"),
                "members": [
                    {
                        "code": "TEXT",
                        "name": "周红",
                        "branchId": world.gid("A1b"),
                        "joinedOn": "2011-07-01",
                    }
                ],
            },
            "members.0.code",
        ),
    ]


async def _post(client: Any, world: Any, account: str, document: str, variables: Any) -> Any:
    # As JSON escapes (ensure_ascii): a lone surrogate has no UTF-8 form of its own.
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": document, "variables": variables}).encode(),
        headers={
            "Authorization": f"Bearer {world.tokens[account]}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


SEARCHES = [
    "query($q: String) { recruits(search: $q) { totalCount } }",
    "query($q: String) { members(search: $q) { totalCount } }",
]


def _with(value: Any, text: str) -> Any:
    if value == "TEXT":
        return text
    if isinstance(value, dict):
        return {k: _with(v, text) for k, v in value.items()}
    if isinstance(value, list):
        return [_with(v, text) for v in value]
    return value


@pytest.mark.parametrize("kind", HOSTILE)
async def test_hostile_text_is_refused_naming_its_field(
    gql, client, world, owner_engine, kind
) -> None:  # type: ignore[no-untyped-def]
    text = HOSTILE[kind]
    for label, account, document, variables, field in await _cases(gql, world):
        result = await _post(client, world, account, document, {"i": _with(variables, text)})
        assert "errors" not in result, (label, result)
        (payload,) = result["data"].values()
        fields = [e["field"] for e in payload["errors"]]
        assert fields == [field], (label, payload)
    for document in SEARCHES:
        result = await _post(client, world, "school_admin", document, {"q": text})
        (error,) = result["errors"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "search"}, error
    assert await Database(owner_engine).unsafe_text() == []


@pytest.mark.parametrize("kind", ["lone surrogate", "C1 control", "bidi override", "bidi isolate"])
async def test_a_report_narrative_refuses_what_it_does_not_strip(  # type: ignore[no-untyped-def]
    gql, client, world, owner_engine, kind
) -> None:
    """The narrative keeps its paragraphs and drops C0 controls as it always did; the rest of
    the rule holds for it too."""
    period = await _period(gql, world)
    document = _payload("saveReportDraft", "ReportInput")
    variables = {"i": {"periodId": period, "unitId": world.gid("A"), "narrative": HOSTILE[kind]}}
    result = await _post(client, world, "school_admin", document, variables)
    (error,) = result["data"]["saveReportDraft"]["errors"]
    assert (error["code"], error["field"]) == ("INVALID_TEXT", "narrative")
    assert await Database(owner_engine).unsafe_text() == []
