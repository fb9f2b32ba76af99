"""Documents and helpers of the data call tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

ISSUE = """mutation($input: IssueDataCallInput!) { issueDataCall(input: $input) {
  dataCall { id title dueOn state issuerName downloadUrl
             fields { key label kind required min max decimals maxLength options } }
  errors { code field message } } }"""

ANSWER = """mutation($c: ID!, $u: ID!, $a: JSON!) {
  answerDataCall(input: {dataCallId: $c, unitId: $u, answers: $a}) {
    response { unitName answered answers revisions answeredAt revisedAt }
    errors { code field message } } }"""

CLOSE = """mutation($c: ID!) { closeDataCall(input: {dataCallId: $c}) {
  dataCall { state closedAt } errors { code field message } } }"""

ROLLUP = """query($c: ID!, $under: ID) { node(id: $c) { ... on DataCall {
  state
  rollup(under: $under) { unitName
    lines { unitName own expected answered totals choiceCounts }
    total { expected answered totals choiceCounts } }
  responses { unitName answered answers } } } }"""

FORM: list[dict[str, Any]] = [
    {"key": "teachers", "label": "高知群体教师人数", "kind": "NUMBER", "min": 0, "max": 100000},
    {"key": "applied", "label": "其中已递交入党申请书人数", "kind": "NUMBER", "min": 0},
    {"key": "level", "label": "摸底等级", "kind": "CHOICE", "options": ["充足", "一般", "不足"]},
    {"key": "surveyedOn", "label": "摸底日期", "kind": "DATE", "required": False},
    {"key": "remark", "label": "情况说明", "kind": "TEXT", "required": False, "maxLength": 200},
]


def today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def issue_input(world: Any, issuer: str, units: list[str], **changes: Any) -> dict[str, Any]:
    return {
        "issuerId": world.gid(issuer),
        "title": "高知群体摸底",
        "dueOn": (today() + timedelta(days=20)).isoformat(),
        "fields": FORM,
        "unitIds": [world.gid(u) for u in units],
        **changes,
    }


async def issue(gql: Any, world: Any, issuer: str, units: list[str], token: str) -> str:
    result = await gql(ISSUE, {"input": issue_input(world, issuer, units)}, world.tokens[token])
    payload = result["data"]["issueDataCall"]
    assert payload["errors"] == [], payload
    return payload["dataCall"]["id"]
