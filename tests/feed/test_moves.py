"""A unit move: the outbox's copied paths follow the unit (ties.py), and the objects moved are
reported UPDATED, so a reader whose units the move brought them into learns of them."""

from __future__ import annotations

import sqlalchemy as sa
from support_feed import create_member, drain, member_change, outbox_rows

MOVE = """mutation($u: ID!, $to: ID!) {
  moveUnit(input: {unitId: $u, newParentId: $to}) { errors { code message } } }"""


async def test_a_move_into_a_readers_units(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    reader = world.tokens["unit_admin"]  # committee A1
    member = await create_member(owner_engine, world.units["A2"], "moved")
    before = await drain(gql, reader)
    assert member_change(member) not in before.changes

    moved = await gql(
        MOVE, {"u": world.gid("A2"), "to": world.gid("A1")}, world.tokens["school_admin"]
    )
    assert moved["data"]["moveUnit"]["errors"] == [], moved

    assert (await drain(gql, reader, before.cursor)).changes == [member_change(member, "UPDATED")]
    async with owner_engine.connect() as conn:
        path = await conn.scalar(
            sa.text("SELECT path::text FROM units WHERE id = :id"), {"id": world.units["A2"]}
        )
    rows = [r for r in await outbox_rows(owner_engine) if r.object_id == member]
    assert [(r.operation, r.path, r.unit_id) for r in rows] == [
        ("created", path, world.units["A2"]),  # rewritten by the move
        ("updated", path, world.units["A2"]),
    ]
    # From the start, the reader now sees the member's whole history.
    changes = (await drain(gql, reader)).changes
    assert [c for c in changes if c[1] == member_change(member)[1]] == [
        member_change(member),
        member_change(member, "UPDATED"),
    ]
