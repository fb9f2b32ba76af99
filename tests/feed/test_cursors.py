"""Cursors are opaque, versioned and decoded strictly; a forged one is refused, never half
read, and never makes the feed skip."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support_feed import drain, refused

from partyplan.resolvers.feed.errors import FeedError, FeedErrorCode
from partyplan.resolvers.feed.rules import (
    XID_MAX,
    Position,
    check_since,
    decode_cursor,
    encode_cursor,
    page_end,
)


def _raw(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@given(st.integers(0, XID_MAX), st.integers(0, 2**63 - 1))
def test_round_trip(xid: int, seq: int) -> None:
    cursor = encode_cursor(Position(xid, seq))
    assert cursor.isascii() and "=" not in cursor
    assert decode_cursor(cursor) == Position(xid, seq)


@given(st.text(max_size=80))
def test_anything_else_is_refused_or_is_a_cursor_of_ours(text: str) -> None:
    try:
        position = decode_cursor(text)
    except FeedError as error:
        assert error.code is FeedErrorCode.INVALID_CURSOR
    else:
        assert position is not None and encode_cursor(position) == text


@pytest.mark.parametrize(
    "body",
    [
        "feed:2:1:1",  # another version
        "feed:1:01:1",  # not the one spelling
        "feed:1:1:-1",
        "feed:1:1",
        "feed:1:1:1:1",
        f"feed:1:{2**64}:1",  # beyond xid8
        f"feed:1:1:{2**63}",  # beyond bigint
        "feed:1: 1:1",
        "k:5",  # another connection's cursor
    ],
)
def test_forged_bodies(body: str) -> None:
    with pytest.raises(FeedError):
        decode_cursor(_raw(body))


def test_beyond_the_horizon_was_never_issued() -> None:
    check_since(Position(10, 0), 10, None)
    for since in (Position(10, 1), Position(11, 0)):
        with pytest.raises(FeedError) as refused_:
            check_since(since, 10, None)
        assert refused_.value.code is FeedErrorCode.INVALID_CURSOR


def test_before_the_pruned_mark_is_expired() -> None:
    mark = Position(7, 40)
    check_since(mark, 10, mark)
    check_since(None, 10, mark)
    for since in (Position(7, 39), Position(7, 0), Position(3, 99)):
        with pytest.raises(FeedError) as refused_:
            check_since(since, 10, mark)
        assert refused_.value.code is FeedErrorCode.CURSOR_EXPIRED


def test_a_page_ends_at_its_last_row_or_at_the_horizon() -> None:
    rows = [Position(3, 1), Position(3, 2), Position(5, 3)]
    assert page_end(None, 9, rows, 2) == (Position(3, 2), True)
    assert page_end(None, 9, rows, 3) == (Position(9, 0), False)
    assert page_end(Position(2, 7), 9, [], 3) == (Position(9, 0), False)
    assert page_end(Position(9, 0), 9, [], 3) == (Position(9, 0), False)


async def test_forged_cursors_through_the_api(gql, world) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["school_admin"]
    end = decode_cursor((await drain(gql, token)).cursor)
    assert end is not None
    future = [Position(end.xid + 1000, 0), Position(end.xid, 5), Position(XID_MAX, 0)]
    for position in future:
        assert await refused(gql, token, encode_cursor(position)) == ["BAD_USER_INPUT"]
    assert await refused(gql, token, _raw("feed:2:1:1")) == ["BAD_USER_INPUT"]
    # A position of the past, well formed: a cursor like any other.
    assert (await drain(gql, token, encode_cursor(Position(1, 0)))).changes
