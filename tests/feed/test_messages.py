"""The change feed's refusals (GraphQL errors of the ``changes`` query: the feed has no
mutation) are read by the people who run a client: their messages are Chinese, while
``extensions.code`` and ``field`` stay the contract."""

from __future__ import annotations

from support_feed import CHANGES
from support_messages import assert_chinese


async def test_a_refused_poll_is_explained_in_chinese(gql, world) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["school_admin"]
    forged = await gql(CHANGES, {"since": "not-a-cursor"}, token)
    [error] = forged["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "since"}
    assert_chinese(error["message"])
    assert error["message"] == "该游标不是本变更流发出的"
    nothing = await gql(CHANGES, {"kinds": []}, token)
    [error] = nothing["errors"]
    assert error["extensions"]["field"] == "kinds"
    assert_chinese(error["message"])
