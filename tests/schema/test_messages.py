"""Messages a person reads are in Chinese; ``code`` and ``field`` stay the machine contract
(docs/architecture.md, "Errors"). One representative refusal of each domain, sent through
GraphQL, and the access failures every domain shares."""

from __future__ import annotations

import re
from typing import Any

import pytest
from support import codes
from support_policies import REGISTER, client_gid, create_client

_CJK = re.compile(r"[\u4e00-\u9fff]")
# Two English words in a row: what an untranslated message reads like (an input path, a key or
# an id quoted in a Chinese message is one token).
_ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,:;]+[A-Za-z]{2,}")


def is_chinese(message: str) -> bool:
    return bool(_CJK.search(message)) and not _ENGLISH.search(message)


def test_is_chinese_tells_an_english_message() -> None:
    assert is_chinese("计划期已关闭，不能再调整")
    assert is_chinese("未找到该单位（newParentId）")
    assert not is_chinese("学校甲党委: total quota would be short of 3 place(s)")
    assert not is_chinese("the period ends before it starts")


async def _refusal(gql: Any, token: str, mutation: str, payload: str, input_: dict) -> dict:
    """The payload's one typed error (code, field, message)."""
    result = await gql(mutation, {"input": input_}, token)
    assert "errors" not in result, result
    (error,) = result["data"][payload]["errors"]
    return error


def _mutation(name: str, input_type: str, fields: str = "code field message") -> str:
    return (
        f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ errors {{ {fields} }} }} }}"
    )


def _period_input(world: Any, starts_on: str, ends_on: str) -> dict:
    return {
        "commissionId": world.gid("commission"),
        "name": "2030 年度",
        "kind": "CALENDAR_YEAR",
        "startsOn": starts_on,
        "endsOn": ends_on,
    }


CREATE_PERIOD = _mutation("createPlanPeriod", "CreatePlanPeriodInput")


async def test_plans(gql, world) -> None:  # type: ignore[no-untyped-def]
    error = await _refusal(
        gql,
        world.tokens["commission_admin"],
        CREATE_PERIOD,
        "createPlanPeriod",
        _period_input(world, "2030-12-31", "2030-01-01"),
    )
    assert (error["code"], error["field"]) == ("INVALID_PERIOD", "endsOn")
    assert is_chinese(error["message"]) and "截止日期" in error["message"], error


async def test_units(gql, world) -> None:  # type: ignore[no-untyped-def]
    error = await _refusal(
        gql,
        world.tokens["school_admin"],
        _mutation("createUnit", "CreateUnitInput"),
        "createUnit",
        {"parentId": world.gid("A1"), "kind": "BRANCH", "name": "甲院第三党支部", "code": "a b"},
    )
    assert (error["code"], error["field"]) == ("INVALID_CODE", "code")
    assert is_chinese(error["message"]) and "组织代码" in error["message"], error


async def test_access(gql, world) -> None:  # type: ignore[no-untyped-def]
    error = await _refusal(
        gql,
        world.tokens["school_admin"],
        _mutation("createUser", "CreateUserInput"),
        "createUser",
        {"homeUnitId": world.gid("A"), "username": "school-admin", "displayName": "王老师"},
    )
    assert (error["code"], error["field"]) == ("DUPLICATE_USERNAME", "username")
    assert is_chinese(error["message"]) and "school-admin" in error["message"], error


async def test_clients(gql, world) -> None:  # type: ignore[no-untyped-def]
    error = await _refusal(
        gql,
        world.tokens["commission_admin"],
        _mutation("registerClient", "RegisterClientInput"),
        "registerClient",
        {
            "name": "学工系统",
            "kind": "FRONT_END",
            "unitId": world.gid("commission"),
            "allowedScopes": ["read"],
        },
    )
    assert (error["code"], error["field"]) == ("REDIRECT_URI_REQUIRED", "redirectUris")
    assert is_chinese(error["message"]) and "回调地址" in error["message"], error


async def test_warnings(gql, world) -> None:  # type: ignore[no-untyped-def]
    error = await _refusal(
        gql,
        world.tokens["commission_admin"],
        _mutation("setWarningRule", "SetWarningRuleInput"),
        "setWarningRule",
        {"commissionId": world.gid("commission"), "kind": "RUSHED", "params": {"max_share": 2}},
    )
    assert (error["code"], error["field"]) == ("INVALID_RULE", "params.max_share")
    assert is_chinese(error["message"]) and "0 至 1" in error["message"], error


async def test_reports(gql, world) -> None:  # type: ignore[no-untyped-def]
    created = await gql(
        "mutation($input: CreatePlanPeriodInput!) { createPlanPeriod(input: $input) "
        "{ period { id } errors { code } } }",
        {"input": _period_input(world, "2030-01-01", "2030-12-31")},
        world.tokens["commission_admin"],
    )
    period = created["data"]["createPlanPeriod"]["period"]["id"]  # a draft: not issued
    error = await _refusal(
        gql,
        world.tokens["school_admin"],
        _mutation("submitReport", "ReportInput"),
        "submitReport",
        {"periodId": period, "unitId": world.gid("A"), "narrative": "执行情况"},
    )
    assert (error["code"], error["field"]) == ("PERIOD_NOT_ISSUED", "periodId")
    assert is_chinese(error["message"]) and "尚未下达" in error["message"], error


async def test_members(gql, world) -> None:  # type: ignore[no-untyped-def]
    row = {
        "code": "m-900",
        "name": "周红",
        "branchId": world.gid("A1b"),
        "joinedOn": "2010-07-01",
        "fullOn": "2009-07-01",
    }
    error = await _refusal(
        gql,
        world.tokens["school_admin"],
        _mutation("importMembers", "ImportMembersInput"),
        "importMembers",
        {"schoolId": world.gid("A"), "members": [row]},
    )
    assert (error["code"], error["field"]) == ("INVALID_DATES", "members.0.fullOn")
    assert is_chinese(error["message"]) and "2010-07-01" in error["message"], error


async def test_policies(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    pk, _ = await create_client(owner_engine, world)
    result = await gql(REGISTER, {"c": client_gid(pk), "d": []}, world.tokens["commission_admin"])
    (error,) = result["data"]["registerDocuments"]["errors"]
    assert (error["code"], error["field"]) == ("NO_DOCUMENTS", "documents")
    assert is_chinese(error["message"]), error


UNIT = "query($id: ID!) { unit(id: $id) { name } }"
RENAME = _mutation("renameUnit", "RenameUnitInput")


@pytest.mark.parametrize(
    ("account", "query", "key", "code"),
    [
        (None, UNIT, "A", "UNAUTHENTICATED"),
        ("school_admin", UNIT, "B", "NOT_FOUND"),
        ("viewer", RENAME, "A1", "FORBIDDEN"),
    ],
)
async def test_access_failures(gql, world, account, query, key, code) -> None:  # type: ignore[no-untyped-def]
    """Top-level GraphQL errors: no token, another school's unit, a role without the right."""
    unit = world.gid(key)
    variables = {"id": unit} if query == UNIT else {"input": {"unitId": unit, "name": "甲院党委"}}
    result = await gql(query, variables, None if account is None else world.tokens[account])
    assert codes(result) == [code], result
    assert is_chinese(result["errors"][0]["message"]), result
