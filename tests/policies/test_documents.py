"""Trusted documents: registering them (registerDocuments), the platform's own (a folder read at
startup), and running either by id — the caller's client's or the platform's only, a client
restricted to them refused free text, a hostile id a client error with a code.

Refusals per field (no token, wrong role, other commission) are also rows of
tests/security/test_access_matrix.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import codes, scalar
from support_policies import (
    REGISTER,
    by_id,
    client_gid,
    client_token,
    create_client,
    sha256_id,
    store_document,
)

from partyplan.resolvers.policies import service
from partyplan.resolvers.policies.service import InvalidPlatformDocument
from partyplan.server.app import create_app

ROLES = "{ roles { name } }"
UNIT = "query Unit($id: ID!) { unit(id: $id) { name } }"
TYPENAME = "{ __typename }"


async def _register(gql: Any, world: Any, client_pk: int, documents: list[str], account: str):  # type: ignore[no-untyped-def]
    result = await gql(
        REGISTER, {"c": client_gid(client_pk), "d": documents}, world.tokens[account]
    )
    return result


# --- registerDocuments --------------------------------------------------------------------------


async def test_register_documents_stores_them_by_their_hash(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    pk, client_id = await create_client(owner_engine, world)
    result = await _register(gql, world, pk, [ROLES, UNIT], "commission_admin")
    payload = result["data"]["registerDocuments"]
    expected = ["sha256:" + hashlib.sha256(t.encode()).hexdigest() for t in (ROLES, UNIT)]
    assert payload == {"documentIds": expected, "errors": []}
    stored = await scalar(
        owner_engine,
        "SELECT json_agg(json_build_array(document_id, document, registered_by::text)"
        " ORDER BY document_id) FROM trusted_documents WHERE client_pk = :pk",
        pk=pk,
    )
    user = str(world.users["commission_admin"])
    assert sorted(stored) == sorted(
        [[i, t, user] for i, t in zip(expected, (ROLES, UNIT), strict=True)]
    )
    audited = await scalar(
        owner_engine,
        "SELECT json_agg(json_build_array(operation, object_type, object_id, after))"
        " FROM audit_log",
    )
    after = {"client_id": client_id, "document_ids": expected}
    assert audited == [["registerDocuments", "OAuthClient", pk, after]]


async def test_registering_again_changes_nothing(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    pk, client_id = await create_client(owner_engine, world)
    first = await _register(gql, world, pk, [ROLES], "commission_admin")
    again = await _register(gql, world, pk, [ROLES, UNIT, ROLES], "commission_admin")
    assert first["data"]["registerDocuments"]["documentIds"] == [sha256_id(ROLES)]
    assert again["data"]["registerDocuments"] == {
        "documentIds": [sha256_id(ROLES), sha256_id(UNIT), sha256_id(ROLES)],
        "errors": [],
    }
    assert await scalar(owner_engine, "SELECT count(*) FROM trusted_documents") == 2
    # Only what each call stored is audited: ROLES once, then UNIT alone.
    audited = await scalar(owner_engine, "SELECT json_agg(after ORDER BY id) FROM audit_log")
    assert audited == [
        {"client_id": client_id, "document_ids": [sha256_id(ROLES)]},
        {"client_id": client_id, "document_ids": [sha256_id(UNIT)]},
    ]
    third = await _register(gql, world, pk, [UNIT], "commission_admin")
    assert third["data"]["registerDocuments"]["errors"] == []
    assert await scalar(owner_engine, "SELECT count(*) FROM audit_log") == 2


@pytest.mark.parametrize(
    ("documents", "fields"),
    [
        ([ROLES, "{ noSuchField }"], ["documents.1"]),
        (["query { roles { name } "], ["documents.0"]),
        ([ROLES, "{ roles { name } }\x00", "{ me { bogus } }"], ["documents.1", "documents.2"]),
        (["{ roles { name } } # \ud800"], ["documents.0"]),
        ([""], ["documents.0"]),
        (["fragment F on Role { name }"], ["documents.0"]),
    ],
    ids=["unknown field", "parse error", "NUL and invalid", "lone surrogate", "empty", "no op"],
)
async def test_invalid_documents_are_named_and_nothing_is_stored(
    documents: list[str], fields: list[str], client, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    pk, _ = await create_client(owner_engine, world)
    # ASCII JSON, so that a lone surrogate arrives as JSON allows it (\ud800).
    body = json.dumps({"query": REGISTER, "variables": {"c": client_gid(pk), "d": documents}})
    response = await client.post(
        "/graphql",
        content=body,
        headers={
            "Authorization": f"Bearer {world.tokens['commission_admin']}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 200, response.text
    payload = response.json()["data"]["registerDocuments"]
    assert payload["documentIds"] == []
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("INVALID_DOCUMENT", f) for f in fields
    ]
    assert all(e["message"] for e in payload["errors"])
    assert await scalar(owner_engine, "SELECT count(*) FROM trusted_documents") == 0
    assert await scalar(owner_engine, "SELECT count(*) FROM audit_log") == 0


async def test_a_document_over_the_depth_limit_is_invalid(
    gql, world, owner_engine, settings
) -> None:  # type: ignore[no-untyped-def]
    pk, _ = await create_client(owner_engine, world)
    deep = "{ me { user { " + "homeUnit { parent { " * settings.max_query_depth + "name"
    deep += " } }" * settings.max_query_depth + " } } }"
    result = await _register(gql, world, pk, [deep], "commission_admin")
    errors = result["data"]["registerDocuments"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_DOCUMENT", "documents.0")]
    assert "depth" in errors[0]["message"]


async def test_no_documents_is_refused(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    pk, _ = await create_client(owner_engine, world)
    result = await _register(gql, world, pk, [], "commission_admin")
    errors = result["data"]["registerDocuments"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("NO_DOCUMENTS", "documents")]


async def test_another_commissions_client_is_not_found(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    pk, _ = await create_client(owner_engine, world, unit="A")
    other = await _register(gql, world, pk, [ROLES], "other_commission_admin")
    assert codes(other) == ["NOT_FOUND"]
    school = await _register(gql, world, pk, [ROLES], "school_admin")
    assert codes(school) == ["FORBIDDEN"]  # in its school, but client.manage is the commission's
    no_such = await gql(
        REGISTER, {"c": client_gid(pk + 1000), "d": [ROLES]}, world.tokens["commission_admin"]
    )
    assert codes(no_such) == ["NOT_FOUND"]
    assert await scalar(owner_engine, "SELECT count(*) FROM trusted_documents") == 0


# --- the platform's documents -------------------------------------------------------------------


def test_the_loader_reads_every_graphql_file(tmp_path: Path) -> None:
    (tmp_path / "roles.graphql").write_bytes(ROLES.encode())
    (tmp_path / "unit.graphql").write_bytes((UNIT + "\r\n").encode())  # bytes kept as shipped
    (tmp_path / "notes.txt").write_text("not a document")
    seen: list[str] = []

    def check(text: str) -> list[str]:
        seen.append(text)
        return []

    loaded = service.platform_documents(tmp_path, check)
    unit_bytes = (UNIT + "\r\n").encode()
    assert loaded == {
        "sha256:" + hashlib.sha256(ROLES.encode()).hexdigest(): ROLES,
        "sha256:" + hashlib.sha256(unit_bytes).hexdigest(): UNIT + "\r\n",
    }
    assert sorted(seen) == sorted(loaded.values())
    assert service.platform_documents(tmp_path / "absent", check) == {}


@pytest.mark.parametrize(
    "content",
    [b"{ noSuchField }", b"{ roles { name } ", b"{ roles { name } }\xff", b"{ roles \x00 }"],
    ids=["invalid", "parse error", "not UTF-8", "NUL"],
)
async def test_an_invalid_platform_document_stops_the_start(
    content: bytes, tmp_path: Path, platform
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "good.graphql").write_text(ROLES)
    (tmp_path / "bad.graphql").write_bytes(content)
    with pytest.raises(InvalidPlatformDocument, match=r"^bad\.graphql: "):
        create_app(platform, manage_platform=False, documents_dir=tmp_path)


def test_the_shipped_documents_are_valid(platform) -> None:  # type: ignore[no-untyped-def]
    create_app(platform, manage_platform=False)  # raises on an invalid shipped document


@pytest.fixture
async def console(platform, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """The app with two platform documents: ``roles`` and ``__typename``."""
    (tmp_path / "roles.graphql").write_text(ROLES)
    (tmp_path / "typename.graphql").write_text(TYPENAME)
    app = create_app(platform, manage_platform=False, documents_dir=tmp_path)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_every_caller_runs_the_platforms_documents(
    console, platform, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    _, client_id = await create_client(owner_engine, world, trusted_documents_only=True)
    tokens = {
        "operator": world.tokens["viewer"],
        "client": client_token(platform, world, "viewer", client_id),
    }
    for token in tokens.values():
        response = await by_id(console, sha256_id(ROLES), token=token)
        assert response.status_code == 200, response.text
        assert "errors" not in response.json() and response.json()["data"]["roles"]
    anonymous = await by_id(console, sha256_id(TYPENAME))
    assert anonymous.json() == {"data": {"__typename": "Query"}}


# --- a client's documents by id -----------------------------------------------------------------


async def test_a_client_runs_its_own_documents(client, gql, platform, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    pk, client_id = await create_client(owner_engine, world)
    registered = await _register(gql, world, pk, [UNIT], "commission_admin")
    [document_id] = registered["data"]["registerDocuments"]["documentIds"]
    token = client_token(platform, world, "viewer", client_id)
    response = await by_id(
        client, document_id, {"id": world.gid("A1a")}, token, operationName="Unit"
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"unit": {"name": "甲院第一党支部"}}}
    # The same id again (served from the process's cache) with other variables.
    again = await by_id(client, document_id, {"id": world.gid("A2")}, token)
    assert again.json() == {"data": {"unit": {"name": "甲校机关党支部"}}}


async def test_another_clients_document_is_not_found(client, platform, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    owner_pk, owner_id = await create_client(owner_engine, world)
    _, other_id = await create_client(owner_engine, world)
    document_id = await store_document(owner_engine, owner_pk, ROLES)
    callers = {
        "another client": client_token(platform, world, "viewer", other_id),
        "no client": world.tokens["viewer"],
        "anonymous": None,
    }
    for name, token in callers.items():
        response = await by_id(client, document_id, token=token)
        assert response.status_code == 400, (name, response.text)
        assert codes(response.json()) == ["PERSISTED_DOCUMENT_NOT_FOUND"], name
    mine = await by_id(client, document_id, token=client_token(platform, world, "viewer", owner_id))
    assert mine.status_code == 200 and "errors" not in mine.json(), mine.text


async def test_an_unknown_id_is_not_found(client, world) -> None:  # type: ignore[no-untyped-def]
    response = await by_id(
        client, sha256_id("{ nothing registered }"), token=world.tokens["viewer"]
    )
    assert response.status_code == 400
    assert codes(response.json()) == ["PERSISTED_DOCUMENT_NOT_FOUND"]


async def test_a_trusted_documents_only_client_sends_nothing_else(
    client, gql, platform, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    pk, client_id = await create_client(owner_engine, world, trusted_documents_only=True)
    document_id = await store_document(owner_engine, pk, ROLES)
    token = client_token(platform, world, "viewer", client_id)
    response = await client.post(
        "/graphql", json={"query": ROLES}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400
    assert codes(response.json()) == ["TRUSTED_DOCUMENTS_ONLY"]
    allowed = await by_id(client, document_id, token=token)
    assert allowed.status_code == 200 and allowed.json()["data"]["roles"], allowed.text
    # The same free text from a client not so restricted, and from an operator, runs.
    _, open_id = await create_client(owner_engine, world)
    for other in (client_token(platform, world, "viewer", open_id), world.tokens["viewer"]):
        result = await gql(ROLES, token=other)
        assert "errors" not in result and result["data"]["roles"], result


HOSTILE_IDS: list[tuple[str, Any, str]] = [
    ("a number", 12, "BAD_REQUEST"),
    ("a list", ["sha256:" + "0" * 64], "BAD_REQUEST"),
    ("an object", {"id": 1}, "BAD_REQUEST"),
    ("null", None, "BAD_REQUEST"),
    ("huge", "sha256:" + "a" * 200_000, "PERSISTED_DOCUMENT_NOT_FOUND"),
    ("NUL", "sha256:" + "0" * 63 + "\x00", "PERSISTED_DOCUMENT_NOT_FOUND"),
    ("upper case", "sha256:" + "A" * 64, "PERSISTED_DOCUMENT_NOT_FOUND"),
    ("another hash", "md5:" + "0" * 32, "PERSISTED_DOCUMENT_NOT_FOUND"),
    ("empty", "", "PERSISTED_DOCUMENT_NOT_FOUND"),
]


@pytest.mark.parametrize(("label", "value", "code"), HOSTILE_IDS, ids=[h[0] for h in HOSTILE_IDS])
async def test_hostile_document_ids_are_client_errors(
    label: str, value: Any, code: str, client, platform, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    _, client_id = await create_client(owner_engine, world)
    token = client_token(platform, world, "viewer", client_id)
    response = await by_id(client, value, token=token)
    assert response.status_code == 400, response.text
    assert codes(response.json()) == [code]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"documentId": "sha256:\\ud800' + b"0" * 59 + b'", "variables": {}}',
        b'{"documentId": "\\ud800\\udfff\\ud800", "variables": {}}',
        b'{"documentId": "sha256:' + b"0" * 64 + b'", "variables": {"x": "\\ud800"}}',
    ],
    ids=["surrogate in the id", "surrogates only", "surrogate in a variable"],
)
async def test_surrogates_in_a_document_request_are_client_errors(
    raw: bytes, client, world
) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(
        "/graphql",
        content=raw,
        headers={
            "Authorization": f"Bearer {world.tokens['viewer']}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 400, response.text
    assert codes(response.json()) == ["PERSISTED_DOCUMENT_NOT_FOUND"]
