"""Every error is JSON with a code of the one documented list; a request that is no GraphQL
request is a coded 400 with or without a token; production tells no "Did you mean …?"."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from partyplan.schema.errors import ERROR_CODES, unstorable
from partyplan.server.app import create_app
from partyplan.server.platform import Platform
from partyplan.server.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lists_every_code() -> None:
    section = README.read_text().split("### Errors", 1)[1].split("\n### ", 1)[0]
    listed = re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.MULTILINE)
    assert sorted(listed) == sorted(ERROR_CODES)


@pytest.mark.parametrize(
    ("statement", "value", "expected"),
    [
        ("SELECT CAST(:v AS text)", "a\u0000b", True),
        ("SELECT CAST(:v AS text)", "a\ud800b", True),
        ("SELECT 1 / CAST(:v AS int)", "0", False),
    ],
    ids=["NUL", "lone surrogate", "another error"],
)
async def test_what_the_database_cannot_store_is_told_apart(
    owner_engine: Any, statement: str, value: str, expected: bool
) -> None:
    """The masking extension's safety net: such a value is the caller's input, never a bug."""
    with pytest.raises(DBAPIError) as raised:
        async with owner_engine.connect() as conn:
            await conn.execute(sa.text(statement), {"v": value})
    assert unstorable(raised.value) is expected


def _coded(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.text
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == code, error
    return error


@pytest.mark.parametrize("anonymous", [False, True], ids=["token", "no token"])
@pytest.mark.parametrize(
    "body",
    [b'{"query": "{ me { __typename } }"', b'{"query": "{ me { __typename } }\xff"}', b"null"],
    ids=["malformed JSON", "not UTF-8", "not an object"],
)
async def test_a_body_that_is_no_request_is_a_coded_400(  # type: ignore[no-untyped-def]
    client, world, caplog, body: bytes, anonymous: bool
) -> None:
    headers = {"Content-Type": "application/json"}
    if not anonymous:
        headers["Authorization"] = f"Bearer {world.tokens['viewer']}"
    with caplog.at_level(logging.ERROR):
        response = await client.post("/graphql", content=body, headers=headers)
    error = _coded(response, 400, "BAD_REQUEST")
    assert error["message"] and error["extensions"]["reason"]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []  # no traceback


async def test_validation_errors_and_bad_ids_are_coded(client, world) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {world.tokens['viewer']}"}
    unknown = await client.post(
        "/graphql", json={"query": "{ units { totalCont } }"}, headers=headers
    )
    _coded(unknown, 200, "GRAPHQL_VALIDATION_FAILED")
    literal = await client.post(
        "/graphql", json={"query": '{ node(id: "!!") { id } }'}, headers=headers
    )
    error = _coded(literal, 200, "BAD_USER_INPUT")
    assert "GlobalID" in error["message"]


@pytest.fixture
async def production(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    values = {
        "database_url": settings.database_url,
        "data_dir": settings.data_dir,
        "key_dir": settings.key_dir,
    }
    platform = Platform(Settings(**values, environment="production"), migrate=False)
    await platform.start()
    try:
        app = create_app(platform, manage_platform=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http
    finally:
        await platform.stop()


#: Each a slip graphql-core answers with a suggestion: a field, an argument, a type, an enum
#: value and an input field (the last two in variables, coerced at execution).
SLIPS = [
    ({"query": "{ units { totalCont } }"}, "totalCount"),
    ({"query": "{ units(frist: 1) { totalCount } }"}, "first"),
    ({"query": "query($s: RecruitStag) { recruits(stage: $s) { totalCount } }"}, "RecruitStage"),
    (
        {
            "query": "query($s: RecruitStage) { recruits(stage: $s) { totalCount } }",
            "variables": {"s": "APPLICANTT"},
        },
        "APPLICANT",
    ),
    (
        {
            "query": "mutation($i: CreateUnitInput!) { createUnit(input: $i) { __typename } }",
            "variables": {
                "i": {"parentId": "VW5pdDox", "kind": "BRANCH", "name": "x", "cdoe": "x"}
            },
        },
        "code",
    ),
]


async def test_suggestions_only_in_development(client, production, world) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {world.tokens['viewer']}"}
    for body, suggested in SLIPS:
        dev = (await client.post("/graphql", json=body, headers=headers)).json()
        assert "Did you mean" in dev["errors"][0]["message"], dev
        assert f"'{suggested}'" in dev["errors"][0]["message"], dev
        prod = (await production.post("/graphql", json=body, headers=headers)).json()
        (error,) = prod["errors"]
        assert "Did you mean" not in error["message"] and f"'{suggested}'" not in error["message"]
        assert error["extensions"]["code"] in ERROR_CODES
