"""Connections (schema/connections.py, schema/pagination.py, resolvers/paging.py): paging both
ways gives every row once and in order, ``totalCount`` counts exactly what the caller may see
and costs a statement only when selected, the arguments and cursors are judged as
BAD_USER_INPUT naming the argument, and ``last`` costs what ``first`` does."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import sqlalchemy as sa
from graphql import parse
from support import codes

from partyplan.schema.cost import compile_document
from partyplan.schema.schema import build_schema

UNITS = """query($first: Int, $after: String, $last: Int, $before: String, $kind: UnitKind) {
  units(first: $first, after: $after, last: $last, before: $before, kind: $kind) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
  }
}"""
RENAME = """mutation($input: RenameUnitInput!) { renameUnit(input: $input) { errors { code } } }"""
TRAIL = """query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  auditTrail(objectId: $id, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor }
  }
}"""


def _key(cursor: str) -> int:
    return int(base64.urlsafe_b64decode(cursor).decode().removeprefix("k:"))


async def _add_branches(owner_engine: Any, world: Any, parent: str, count: int) -> None:
    async with owner_engine.begin() as conn:
        for i in range(count):
            await conn.execute(
                sa.text(
                    "INSERT INTO units (kind, name, parent_id, path) VALUES ('branch', :n, :p, '0')"
                ),
                {"n": f"支部{i:02d}", "p": world.units[parent]},
            )


async def _walk(
    gql: Any,
    query: str,
    variables: dict[str, Any],
    token: str,
    field: str,
    size: int,
    backward: bool,
) -> tuple[list[str], list[dict[str, Any]]]:  # type: ignore[no-untyped-def]
    """Every page of ``field``, forward (first/after) or backward (last/before): the edges'
    cursors in the list's order and each page's connection."""
    ids: list[str] = []
    pages: list[dict[str, Any]] = []
    cursor = None
    while True:
        args = {"last": size, "before": cursor} if backward else {"first": size, "after": cursor}
        result = await gql(query, {**variables, **args}, token)
        assert "errors" not in result, result
        connection = result["data"][field]
        pages.append(connection)
        page_ids = [e["cursor"] for e in connection["edges"]]
        ids = page_ids + ids if backward else ids + page_ids
        info = connection["pageInfo"]
        if not (info["hasPreviousPage"] if backward else info["hasNextPage"]):
            return ids, pages
        cursor = info["startCursor"] if backward else info["endCursor"]


async def test_paging_both_ways_gives_every_row_once_in_order(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await _add_branches(owner_engine, world, "A1", 8)
    token = world.tokens["school_admin"]
    forward, pages = await _walk(gql, UNITS, {}, token, "units", 3, backward=False)
    backward, back_pages = await _walk(gql, UNITS, {}, token, "units", 3, backward=True)
    school_a = [k for k in world.units if k in ("A", "A1", "A1a", "A1b", "A2")]
    assert len(forward) == len(school_a) + 8 == len(set(forward))
    assert [_key(c) for c in forward] == sorted(_key(c) for c in forward)
    assert backward == forward
    # The side not paged towards is answered too: rows lie before every forward page but the
    # first, after every backward page but the last one read.
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False] + [True] * (len(pages) - 1)
    assert [p["pageInfo"]["hasNextPage"] for p in back_pages] == [False] + [True] * (
        len(back_pages) - 1
    )
    assert {p["totalCount"] for p in pages + back_pages} == {len(forward)}
    # A page between two cursors, from either end.
    middle = await gql(
        UNITS,
        {
            "after": pages[0]["pageInfo"]["endCursor"],
            "before": pages[2]["pageInfo"]["startCursor"],
            "last": 2,
        },
        token,
    )
    assert [e["cursor"] for e in middle["data"]["units"]["edges"]] == forward[4:6]
    assert middle["data"]["units"]["pageInfo"]["hasPreviousPage"] is True
    assert middle["data"]["units"]["pageInfo"]["hasNextPage"] is True


async def test_a_newest_first_list_pages_backward_to_its_oldest(gql, world) -> None:  # type: ignore[no-untyped-def]
    admin = world.tokens["school_admin"]
    for i in range(7):
        renamed = await gql(
            RENAME, {"input": {"unitId": world.gid("A2"), "name": f"机关{i}"}}, admin
        )
        assert renamed["data"]["renameUnit"]["errors"] == []
    variables = {"id": world.gid("A2")}
    forward, pages = await _walk(gql, TRAIL, variables, admin, "auditTrail", 2, backward=False)
    backward, _ = await _walk(gql, TRAIL, variables, admin, "auditTrail", 2, backward=True)
    assert len(forward) == 7 == len(set(forward))
    assert [_key(c) for c in forward] == sorted((_key(c) for c in forward), reverse=True)
    assert backward == forward
    assert {p["totalCount"] for p in pages} == {7}


async def test_total_count_counts_only_what_the_caller_sees(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await _add_branches(owner_engine, world, "B", 4)  # another school's rows
    ours = await gql(UNITS, {"first": 1}, world.tokens["school_admin"])
    assert ours["data"]["units"]["totalCount"] == 5  # A, A1, A1a, A1b, A2
    theirs = await gql(UNITS, {"first": 1}, world.tokens["other_school_admin"])
    assert theirs["data"]["units"]["totalCount"] == 2 + 4
    branches = await gql(UNITS, {"first": 1, "kind": "BRANCH"}, world.tokens["school_admin"])
    assert branches["data"]["units"]["totalCount"] == 3  # the same filters as the page
    secretary = await gql(UNITS, {"last": 5}, world.tokens["branch_secretary"])
    assert secretary["data"]["units"]["totalCount"] == 1


async def test_first_and_last_together_and_out_of_range_are_refused(gql, world) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["school_admin"]
    for variables, field in (
        ({"first": 1, "last": 1}, "last"),
        ({"last": -1}, "last"),
        ({"last": 10_000}, "last"),
        ({"first": 10_000}, "first"),
    ):
        result = await gql(UNITS, variables, token)
        assert codes(result) == ["BAD_USER_INPUT"], result
        assert result["errors"][0]["extensions"]["field"] == field


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "",
        "飞",
        _cursor("k:abc"),
        _cursor("k:-1"),
        _cursor("k:" + "9" * 40),
        _cursor("x:1"),
        _cursor("k:9223372036854775808"),
        base64.b64encode(b"\xff\xfe").decode(),
    ],
)
@pytest.mark.parametrize("argument", ["after", "before"])
async def test_hostile_cursors_are_bad_user_input(gql, world, cursor: str, argument: str) -> None:  # type: ignore[no-untyped-def]
    result = await gql(UNITS, {argument: cursor}, world.tokens["school_admin"])
    assert codes(result) == ["BAD_USER_INPUT"], result
    assert result["errors"][0]["extensions"]["field"] == argument


async def test_the_largest_key_is_a_cursor_like_any_other(gql, world) -> None:  # type: ignore[no-untyped-def]
    top = _cursor(f"k:{2**63 - 1}")
    after = await gql(UNITS, {"after": top}, world.tokens["school_admin"])
    assert after["data"]["units"]["edges"] == [] and after["data"]["units"]["totalCount"] == 5
    before = await gql(UNITS, {"before": top, "last": 2}, world.tokens["school_admin"])
    assert len(before["data"]["units"]["edges"]) == 2


async def test_no_token_is_unauthenticated(gql, world) -> None:  # type: ignore[no-untyped-def]
    assert codes(await gql(UNITS, {"last": 1})) == ["UNAUTHENTICATED"]


async def test_counts_and_far_side_cost_a_statement_only_when_selected(
    gql, world, platform
) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["school_admin"]
    first = await gql(UNITS, {"first": 2}, token)
    after = first["data"]["units"]["pageInfo"]["endCursor"]
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    bare = "query($after: String) { units(first: 2, after: $after) { edges { node { id } } } }"
    counted = bare.replace("{ edges", "{ totalCount edges")
    both = bare.replace("{ edges", "{ totalCount pageInfo { hasPreviousPage } edges")
    engine = platform.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        runs = []
        for query in (bare, counted, both):
            statements.clear()
            result = await gql(query, {"after": after}, token)
            assert "errors" not in result, result
            runs.append(len(statements))
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert runs[1] == runs[0] + 1 and runs[2] == runs[1] + 1, runs


def test_last_costs_what_first_costs(settings) -> None:  # type: ignore[no-untyped-def]
    schema = build_schema(settings)._schema

    def measure(text: str) -> int:
        [cost] = compile_document(schema, parse(text), 200).values()
        return cost.evaluate({"n": 7})

    forward = "{ units(first: 10) { totalCount edges { node { id } } } }"
    assert measure(forward.replace("first", "last")) == measure(forward)
    by_variable = "query($n: Int) { units(last: $n) { edges { node { id } } } }"
    assert measure(by_variable) == measure(by_variable.replace("last", "first")) == 1 + 7 * 3
    nested = "{ units(last: 5) { edges { node { children(last: 4) { edges { node { id } } } } } } }"
    assert measure(nested) == measure(nested.replace("last", "first"))
