"""Retention: ``partyplan feed prune`` deletes the changes older than the retention, a prefix of
the feed, and records how far; a cursor from before that is CURSOR_EXPIRED, a poller that kept
up is not, and polling without a cursor starts again at the oldest change kept."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from support import scalar
from support_feed import create_member, drain, member_change, outbox_rows, pull

from partyplan.resolvers.feed.rules import Position
from partyplan.resolvers.feed.service import prune
from partyplan.server.cli import main
from partyplan.server.database import async_url

RETENTION = timedelta(days=30)


async def _age(owner_engine, days: int, where: str = "true") -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                f"UPDATE change_outbox SET at = now() - make_interval(days => :d) WHERE {where}"
            ),
            {"d": days},
        )


async def _prune(owner_engine) -> tuple[int, Position | None]:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        return await prune(conn, datetime.now(UTC), RETENTION)


async def test_an_old_cursor_expires_a_kept_up_one_does_not(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["school_admin"]
    branch = world.units["A1a"]
    first_poll = await pull(gql, token, first=1)  # a job that read one change and stopped
    stale = first_poll["pageInfo"]["endCursor"]
    old = [await create_member(owner_engine, branch, f"old-{i}") for i in range(3)]
    kept_up = (await drain(gql, token)).cursor
    await _age(owner_engine, 40)
    new = await create_member(owner_engine, branch, "new")

    deleted, mark = await _prune(owner_engine)
    assert deleted == 10 + 3  # the world's roster (both schools) and the old members
    assert mark is not None
    assert [r.object_id for r in await outbox_rows(owner_engine)] == [new]

    expired = await gql(
        "query($s: String) { changes(since: $s) { edges { cursor } } }", {"s": stale}, token
    )
    assert expired["data"] is None
    [error] = expired["errors"]
    assert error["extensions"] == {"code": "CURSOR_EXPIRED", "field": "since"}
    assert (await drain(gql, token, kept_up)).changes == [member_change(new)]
    assert (await drain(gql, token)).changes == [member_change(new)]
    assert member_change(old[0]) not in (await drain(gql, world.tokens["commission_admin"])).changes


async def test_prune_deletes_a_prefix_and_is_idempotent(world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    """An old change after a recent one stays until everything before it is old: the mark
    must bound every deleted row, so a cursor past it has missed nothing."""
    branch = world.units["A2"]
    ids = [await create_member(owner_engine, branch, f"p-{i}") for i in range(3)]
    await _age(owner_engine, 40)
    await _age(owner_engine, 1, f"object_id = {ids[1]} AND kind = 'member'")
    deleted, mark = await _prune(owner_engine)
    rows = await outbox_rows(owner_engine)
    assert deleted == 10 + 1
    assert [r.object_id for r in rows] == ids[1:]
    assert mark is not None and mark < Position(int(rows[0].xid), rows[0].seq)
    recorded = await scalar(
        owner_engine, "SELECT xid::text || '/' || seq FROM change_outbox_pruned"
    )
    assert recorded == f"{mark.xid}/{mark.seq}"

    assert await _prune(owner_engine) == (0, None)
    assert len(await outbox_rows(owner_engine)) == 2
    recorded_again = await scalar(
        owner_engine, "SELECT xid::text || '/' || seq FROM change_outbox_pruned"
    )
    assert recorded_again == recorded


async def test_nothing_recent_is_pruned(world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    assert await _prune(owner_engine) == (0, None)
    assert len(await outbox_rows(owner_engine)) == 10
    assert await scalar(owner_engine, "SELECT count(*) FROM change_outbox_pruned") == 0


def test_the_command(owner_url: str, owner_engine, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """``partyplan feed prune`` with ``FEED_RETENTION_DAYS`` (as the owner, every school)."""

    async def setup() -> None:
        engine = create_async_engine(async_url(owner_url))
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    sa.text(
                        "INSERT INTO change_outbox (school_id, unit_id, unit_path, kind,"
                        " object_id, operation, at) VALUES"
                        " (1, 1, '1', 'member', 1, 'created', now() - interval '8 days'),"
                        " (1, 1, '1', 'member', 2, 'created', now() - interval '6 days')"
                    )
                )
        finally:
            await engine.dispose()

    asyncio.run(setup())
    monkeypatch.setenv("PARTYPLAN_DATABASE_URL", owner_url)
    monkeypatch.setenv("PARTYPLAN_FEED_RETENTION_DAYS", "7")
    assert main(["feed", "prune"]) == 0
    assert capsys.readouterr().out.startswith("change_outbox 1 (through ")
    assert main(["feed", "prune"]) == 0
    assert capsys.readouterr().out == "change_outbox 0\n"
