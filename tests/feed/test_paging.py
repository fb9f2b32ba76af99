"""Pages hand out every change exactly once, in order; a page that reached the end returns a
cursor to poll from, and polling again from it returns nothing new and a cursor as good."""

from __future__ import annotations

import json

from support_feed import create_member, drain, member_change, pull, refused


async def _members(owner_engine, world, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    return [await create_member(owner_engine, world.units["A2"], f"p-{i}") for i in range(count)]


async def test_pages_hand_out_each_change_once(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["school_admin"]
    start = (await drain(gql, token)).cursor
    made = await _members(owner_engine, world, 10)
    whole = await drain(gql, token, start, first=100)
    assert whole.changes == [member_change(m) for m in made]
    for size in (1, 3, 10):
        paged = await drain(gql, token, start, first=size)
        assert paged.changes == whole.changes, size
        assert paged.pages == -(-len(made) // size)  # the last page is never an empty one


async def test_a_full_page_says_more_follows(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["school_admin"]
    start = (await drain(gql, token)).cursor
    await _members(owner_engine, world, 3)
    page = await pull(gql, token, start, first=2)
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
    rest = await pull(gql, token, page["edges"][0]["cursor"], first=2)
    assert [e["node"]["objectId"] for e in rest["edges"]] == [
        e["node"]["objectId"] for e in (await pull(gql, token, start, first=3))["edges"][1:]
    ]


async def test_an_empty_page_keeps_a_cursor(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["school_admin"]
    end = (await drain(gql, token)).cursor
    empty = await pull(gql, token, end)
    assert empty["edges"] == [] and empty["pageInfo"]["hasNextPage"] is False
    again = empty["pageInfo"]["endCursor"]
    assert again  # never null: the poller keeps it
    assert (await pull(gql, token, again))["edges"] == []
    member = await create_member(owner_engine, world.units["A1a"], "late")
    assert (await drain(gql, token, again)).changes == [member_change(member)]
    assert (await drain(gql, token, end)).changes == [member_change(member)]


async def test_a_quiet_schools_cursor_moves_past_the_others(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    """School B writes; school A's poll returns nothing, with a cursor past B's changes, so A
    neither rereads them nor is left behind by a prune of them."""
    token = world.tokens["school_admin"]
    before = (await drain(gql, token)).cursor
    for i in range(3):
        await create_member(owner_engine, world.units["B1"], f"b-{i}")
    page = await pull(gql, token, before)
    assert page["edges"] == []
    assert page["pageInfo"]["endCursor"] != before


async def test_first_and_kinds_are_checked(gql, world) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["school_admin"]
    for first in (0, -1, 1001):
        assert await refused(gql, token, first=first) == ["BAD_USER_INPUT"], first
    for first in (2**31 - 1, 2**40):  # measured before it runs
        assert await refused(gql, token, first=first) == ["QUERY_TOO_COSTLY"], first
    assert await refused(gql, token, kinds=[]) == ["BAD_USER_INPUT"]
    assert await refused(gql, token, kinds=["ANNULMENT"]) == ["BAD_USER_INPUT"]
    assert (await pull(gql, token, first=1000))["pageInfo"]["endCursor"]


async def test_hostile_cursors_are_bad_input(gql, world, client) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["school_admin"]
    real = (await drain(gql, token)).cursor
    hostile = [
        "",
        "garbage",
        "a\x00b",
        "x" * 100_000,
        real + "=",  # padded: another spelling of the same position
        real[:-1],
        real.lower(),
    ]
    for cursor in hostile:
        assert await refused(gql, token, cursor) == ["BAD_USER_INPUT"], cursor
    # A lone surrogate and invalid UTF-8 never reach the resolver as text: still no 500.
    body = '{"query": "query($s: String) { changes(since: $s) { edges { cursor } } }",'
    for raw in (body + ' "variables": {"s": "\\ud800"}}').encode(), body.encode() + b'"\xff"}':
        response = await client.post(
            "/graphql",
            content=raw,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert response.status_code in (200, 400), response.text
        if response.status_code == 200:
            assert json.loads(response.text)["errors"][0]["extensions"]["code"] != (
                "INTERNAL_SERVER_ERROR"
            )
