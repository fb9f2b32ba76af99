"""Whatever a client sends, the answer is a client error with a code, never a 500.

Every error of every response carries ``extensions.code``; hostile bytes (NUL, lone surrogates,
invalid UTF-8, huge integers, malformed IDs) are refused as input, not crashed on.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

UNIT = "query($id: ID!) { node(id: $id) { id } }"
UNITS = "query($first: Int) { units(first: $first) { edges { node { id } } } }"
CREATE_UNIT = """
mutation($input: CreateUnitInput!) { createUnit(input: $input) {
  unit { id } errors { code field message } } }
"""

# (label, JSON body) sent as application/json with a valid token.
DOCUMENTS: list[tuple[str, Any]] = [
    ("parse error", {"query": "query { units( }"}),
    ("unknown field", {"query": "{ noSuchField }"}),
    ("unknown argument", {"query": "{ units(colour: 1) { totalCount } }"}),
    ("missing variable", {"query": UNIT}),
    ("variable of the wrong type", {"query": UNIT, "variables": {"id": 12}}),
    ("variables not an object", {"query": UNIT, "variables": [1, 2]}),
    ("query not a string", {"query": 12}),
    ("no query", {"variables": {}}),
    ("empty document", {"query": ""}),
    ("ID literal that is no global id", {"query": '{ node(id: "!!not-an-id") { id } }'}),
    ("ID variable that is no global id", {"query": UNIT, "variables": {"id": "!!not-an-id"}}),
    ("ID of base64 garbage", {"query": UNIT, "variables": {"id": "VW5pdDp4eXo="}}),
    ("ID with NUL", {"query": UNIT, "variables": {"id": "Unit:\u00001"}}),
    (
        "ID past bigint",
        {"query": UNIT, "variables": {"id": "VW5pdDo5OTk5OTk5OTk5OTk5OTk5OTk5OQ=="}},
    ),
    ("ID of spaced digits", {"query": UNIT, "variables": {"id": "VW5pdDogMTI="}}),
    (
        "parent ID past bigint",
        {
            "query": CREATE_UNIT,
            "variables": {
                "input": {
                    "parentId": "VW5pdDo5OTk5OTk5OTk5OTk5OTk5OTk5OQ==",
                    "kind": "BRANCH",
                    "name": "x",
                }
            },
        },
    ),
    ("huge integer", {"query": UNITS, "variables": {"first": 10**40}}),
    ("negative page size", {"query": UNITS, "variables": {"first": -1}}),
    ("huge integer literal", {"query": "{ units(first: 99999999999999999999) { totalCount } }"}),
    ("float for an Int", {"query": UNITS, "variables": {"first": 1.5}}),
    ("unknown operation name", {"query": UNIT, "operationName": "Nope"}),
    ("NUL in a string input", {"query": CREATE_UNIT, "variables": {"input": {"name": "a\u0000b"}}}),
]


@pytest.mark.parametrize(("label", "body"), DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
async def test_every_error_has_a_code(
    label: str, body: Any, client: httpx.AsyncClient, world: Any
) -> None:
    token = world.tokens["school_admin"]
    response = await client.post(
        "/graphql", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code < 500, response.text
    _check_errors(response)


RAW_BODIES: list[tuple[str, bytes]] = [
    ("invalid UTF-8", b'{"query": "{ units { totalCount } }\xff\xfe"}'),
    (
        "lone surrogate escape",
        b'{"query": "{ units { totalCount } }", "variables": {"x": "\\ud800"}}',
    ),
    ("NUL byte", b'{"query": "{ units\x00 { totalCount } }"}'),
    (
        "ID with a lone surrogate",
        b'{"query": "query($id: ID!) { node(id: $id) { id } }", "variables": {"id": "\\ud800"}}',
    ),
    ("not JSON", b"query { units { totalCount } }"),
    ("truncated JSON", b'{"query": "{ units'),
    ("JSON array", b"[1, 2, 3]"),
    ("deeply nested JSON", b'{"variables": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
]


@pytest.mark.parametrize(("label", "raw"), RAW_BODIES, ids=[r[0] for r in RAW_BODIES])
async def test_hostile_bodies_are_client_errors(
    label: str, raw: bytes, client: httpx.AsyncClient, world: Any
) -> None:
    token = world.tokens["school_admin"]
    response = await client.post(
        "/graphql",
        content=raw,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code < 500, response.text
    if response.headers.get("content-type", "").startswith("application/json"):
        _check_errors(response)


def _check_errors(response: httpx.Response) -> None:
    try:
        result = response.json()
    except json.JSONDecodeError:
        return  # a plain-text refusal (400) carries no GraphQL errors
    errors = result.get("errors") or []
    uncoded = [e for e in errors if not (e.get("extensions") or {}).get("code")]
    assert uncoded == [], uncoded
    for error in errors:
        assert error["extensions"]["code"] != "INTERNAL_SERVER_ERROR", error


WORKBOOK_PATHS = [
    "/reports/99999999999999999999999.xlsx",
    "/reports/9223372036854775808.xlsx",
    "/reports/%C2%B2.xlsx",  # a superscript two: str.isdigit() says yes, int() says no
    "/reports/%D9%A1%D9%A2.xlsx",  # Arabic-Indic digits
    "/reports/0.xlsx",
    "/reports/-1.xlsx",
    "/reports/%00.xlsx",
    "/reports/%ED%A0%80.xlsx",  # an encoded lone surrogate
    "/reports/RXhlY3V0aW9uUmVwb3J0Ojk5OTk5OTk5OTk5OTk5OTk5OTk5OQ==.xlsx",
    "/reports/periods/99999999999999999999999/province.xlsx",
    "/reports/periods/UGxhblBlcmlvZDrCsg==/province.xlsx",
]


@pytest.mark.parametrize("path", WORKBOOK_PATHS)
async def test_workbook_ids_that_are_no_ids_are_not_found(
    path: str, client: httpx.AsyncClient, world: Any
) -> None:
    token = world.tokens["commission_admin"]
    response = await client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404, (path, response.status_code, response.text)
