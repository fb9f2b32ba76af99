"""Shared by the change feed's tests: reading the feed through the API and writing changes
straight into the database (as the owner, each in a transaction of its own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from support import codes, gid

CHANGES = """query($since: String, $first: Int! = 100, $kinds: [ChangeKind!]) {
  changes(since: $since, first: $first, kinds: $kinds) {
    edges { cursor node { kind objectId operation at } }
    pageInfo { endCursor hasNextPage } } }"""


@dataclass(frozen=True)
class Pulled:
    """What a run of polls returned: the changes as (kind, objectId, operation), in order, and
    the cursor to poll from next."""

    changes: list[tuple[str, str, str]]
    cursor: str
    pages: int


async def pull(  # type: ignore[no-untyped-def]
    gql, token: str, since: str | None = None, first: int = 100, kinds: list[str] | None = None
) -> dict[str, Any]:
    """One page: the connection (asserting no error)."""
    result = await gql(CHANGES, {"since": since, "first": first, "kinds": kinds}, token)
    assert "errors" not in result, result
    return result["data"]["changes"]


async def refused(gql, token: str, since: str | None = None, **variables: Any) -> list[str]:  # type: ignore[no-untyped-def]
    """The error codes of a poll that must fail, checking it returned no data."""
    result = await gql(CHANGES, {"since": since, **variables}, token)
    assert result.get("data") is None, result
    return codes(result)


async def drain(  # type: ignore[no-untyped-def]
    gql, token: str, since: str | None = None, first: int = 100, kinds: list[str] | None = None
) -> Pulled:
    """Every page until one says nothing more is final yet."""
    changes: list[tuple[str, str, str]] = []
    cursor, pages = since, 0
    while True:
        page = await pull(gql, token, cursor, first, kinds)
        pages += 1
        changes += [edge_key(e) for e in page["edges"]]
        assert page["pageInfo"]["endCursor"], page
        cursor = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            return Pulled(changes, cursor, pages)


def edge_key(edge: dict[str, Any]) -> tuple[str, str, str]:
    node = edge["node"]
    return (node["kind"], node["objectId"], node["operation"])


def member_change(member_id: int, operation: str = "CREATED") -> tuple[str, str, str]:
    return ("MEMBER", gid("Member", member_id), operation)


async def insert_member(conn: Any, branch_id: int, code: str, name: str = "王芳") -> int:
    """A member on the branch's school roster (as the owner: no scope needed)."""
    return await conn.scalar(
        sa.text(
            "INSERT INTO members (school_id, branch_id, unit_path, code, name, joined_on)"
            " SELECT school_id, id, path, :code, :name, '2010-07-01' FROM units WHERE id = :b"
            " RETURNING id"
        ),
        {"b": branch_id, "code": code, "name": name},
    )


async def create_member(owner_engine: Any, branch_id: int, code: str, name: str = "王芳") -> int:
    async with owner_engine.begin() as conn:
        return await insert_member(conn, branch_id, code, name)


async def outbox_rows(owner_engine: Any) -> list[Any]:
    """Every outbox row as the owner sees it, in feed order."""
    async with owner_engine.connect() as conn:
        result = await conn.execute(
            sa.text(
                "SELECT seq, xid::text AS xid, at, school_id, unit_id, unit_path::text AS path,"
                " kind, object_id, operation FROM change_outbox ORDER BY xid, seq"
            )
        )
        return list(result.all())
