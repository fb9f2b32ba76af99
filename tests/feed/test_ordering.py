"""No change is ever skipped, whatever order transactions commit in: the feed hands out only
what transactions older than every one still in flight wrote.

The first two tests fix the two interleavings by hand (a later transaction committing first;
a transaction that took its id early writing its rows late). The last is the property: 20
writers, each on its own connection, commit (or abort) in an order their seeded random sleeps
decide, while a reader polls the API throughout; it must see every committed change exactly
once and no aborted one."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from support_feed import drain, edge_key, insert_member, member_change, pull

from partyplan.resolvers.feed import service as feed
from partyplan.server.database import async_url
from partyplan.tenants.session import Session

WRITERS = 20
ROUNDS = 4
SEED = 12371
POLLS_WHILE_WRITING = 10  # the writers' last commits wait for as many polls
DEADLINE = 60.0
DRAIN_SECONDS = 10.0  # after the writers' start, to let a busy server's horizon pass


@pytest.fixture
async def connections(owner_url: str) -> AsyncIterator[AsyncEngine]:
    """Enough owner connections for every writer at once (plus the hand-made cases)."""
    engine = create_async_engine(async_url(owner_url), pool_size=WRITERS + 2, max_overflow=0)
    yield engine
    await engine.dispose()


async def test_a_commit_waits_for_an_older_transaction(
    gql, world, owner_engine, connections
) -> None:  # type: ignore[no-untyped-def]
    token, branch = world.tokens["school_admin"], world.units["A1a"]
    start = (await drain(gql, token)).cursor
    async with connections.connect() as older, connections.connect() as later:
        await older.begin()
        first = await insert_member(older, branch, "older")
        await later.begin()
        second = await insert_member(later, branch, "later")
        await later.commit()
        # Handing out `second` now would put the cursor past `first`, committed next.
        held = await drain(gql, token, start)
        assert held.changes == []
        await older.commit()
    released = await drain(gql, token, held.cursor)
    assert released.changes == [member_change(first), member_change(second)]
    assert (await drain(gql, token, start)).changes == released.changes


async def test_an_early_transaction_writing_late(gql, world, owner_engine, connections) -> None:  # type: ignore[no-untyped-def]
    """Its row has the later sequence number but the older transaction id: it comes first,
    and the change committed before it is not handed out until it ends."""
    token, branch = world.tokens["school_admin"], world.units["A1a"]
    start = (await drain(gql, token)).cursor
    async with connections.connect() as early, connections.connect() as quick:
        await early.begin()
        await early.execute(sa.text("SELECT pg_current_xact_id()"))  # its id, taken now
        await quick.begin()
        quick_member = await insert_member(quick, branch, "quick")
        await quick.commit()
        held = await drain(gql, token, start)
        assert held.changes == []
        early_member = await insert_member(early, branch, "early")
        assert early_member > quick_member
        await early.commit()
    released = await drain(gql, token, held.cursor)
    assert released.changes == [member_change(early_member), member_change(quick_member)]


async def test_aborted_changes_never_appear(gql, world, owner_engine, connections) -> None:  # type: ignore[no-untyped-def]
    token, branch = world.tokens["school_admin"], world.units["A1a"]
    start = (await drain(gql, token)).cursor
    async with connections.connect() as conn:
        await conn.begin()
        await insert_member(conn, branch, "aborted")
        await conn.rollback()
    kept = await insert_member_committed(connections, branch, "kept")
    assert (await drain(gql, token, start)).changes == [member_change(kept)]


async def test_reading_takes_no_transaction_id(world, platform) -> None:  # type: ignore[no-untyped-def]
    """A reader with an id of its own would hold the horizon back for everyone until it ends."""
    async with platform.engine.connect() as conn, conn.begin():
        session = await Session.bound(conn, world.users["school_admin"])
        page = await feed.changes(session, since=None, limit=10)
        assert page.changes
        assert await conn.scalar(sa.text("SELECT pg_current_xact_id_if_assigned()")) is None


async def insert_member_committed(engine: AsyncEngine, branch: int, code: str) -> int:
    async with engine.begin() as conn:
        return await insert_member(conn, branch, code)


class Ledger:
    """What the writers did: each committed change, each aborted one, and the commit order."""

    def __init__(self) -> None:
        self.committed: list[tuple[str, str, str]] = []
        self.aborted: set[tuple[str, str, str]] = set()
        self.first_ids_in_commit_order: list[int] = []


async def _writer(
    engine: AsyncEngine,
    number: int,
    units: list[int],
    ledger: Ledger,
    reader_polled: asyncio.Event,
) -> None:
    rng = random.Random(SEED * 100 + number)
    for round_ in range(ROUNDS):
        async with engine.connect() as conn:
            await conn.begin()
            if rng.random() < 0.5:  # take a transaction id now, write later
                await conn.execute(sa.text("SELECT pg_current_xact_id()"))
                await asyncio.sleep(rng.uniform(0, 0.02))
            ids = [
                await insert_member(conn, rng.choice(units), f"w{number}-{round_}-{k}")
                for k in range(rng.randint(1, 3))
            ]
            changes = [member_change(i) for i in ids]
            if rng.random() < 0.5:
                await conn.execute(
                    sa.text("UPDATE members SET name = '改名' WHERE id = :id"), {"id": ids[0]}
                )
                changes.append(member_change(ids[0], "UPDATED"))
            await asyncio.sleep(rng.uniform(0, 0.04))
            if round_ == ROUNDS - 1:
                await reader_polled.wait()
            if rng.random() < 0.2:
                await conn.rollback()
                ledger.aborted.update(changes)
            else:
                await conn.commit()
                ledger.committed.extend(changes)
                ledger.first_ids_in_commit_order.append(ids[0])


async def test_twenty_writers_committing_in_random_order(
    gql, world, owner_engine, connections
) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["school_admin"]
    units = [world.units[k] for k in ("A1a", "A1b", "A2")]
    cursor = (await drain(gql, token)).cursor
    ledger = Ledger()
    reader_polled = asyncio.Event()
    seen: list[tuple[str, str, str]] = []
    polls = 0

    async def poll() -> dict[str, Any]:
        nonlocal cursor, polls
        page = await pull(gql, token, cursor, first=7)
        seen.extend(edge_key(e) for e in page["edges"])
        cursor = page["pageInfo"]["endCursor"]
        polls += 1
        return page

    async def run() -> None:
        writers = asyncio.gather(
            *(_writer(connections, n, units, ledger, reader_polled) for n in range(WRITERS))
        )
        try:
            while not writers.done():
                page = await poll()
                if polls >= POLLS_WHILE_WRITING:
                    reader_polled.set()
                if not page["pageInfo"]["hasNextPage"]:
                    await asyncio.sleep(0.01)
        finally:  # a failing reader must not leave writers holding locks for the teardown
            if not writers.done():
                writers.cancel()
            await asyncio.gather(writers, return_exceptions=True)
        await writers
        # Every writer has ended: all they wrote is final once no older transaction of the
        # cluster is in flight (none, here). Read until the feed has nothing more, or it
        # stops handing out anything new: the assertions then say what is missing.
        while (await poll())["pageInfo"]["hasNextPage"] or len(seen) < len(ledger.committed):
            if asyncio.get_running_loop().time() > give_up:
                return
            await asyncio.sleep(0.05)

    give_up = asyncio.get_running_loop().time() + DRAIN_SECONDS
    await asyncio.wait_for(run(), DEADLINE)

    assert [change for change, n in Counter(seen).items() if n > 1] == []
    assert set(seen) == set(ledger.committed)
    assert not set(seen) & ledger.aborted
    # The run did what it is meant to exercise: commits out of the order of their writes,
    # some aborted, polls while the writers were in flight.
    order = ledger.first_ids_in_commit_order
    assert order != sorted(order)
    assert ledger.aborted
    assert polls > POLLS_WHILE_WRITING
