"""One door request's transaction, and the bridge between authlib's synchronous hooks and our
asynchronous database.

authlib's server classes call their storage hooks (``query_client``, ``save_token``,
``query_authorization_code``…) synchronously, deep inside their own control flow, while every
database call of ours is a coroutine on the event loop (SQLAlchemy async over asyncpg). The
bridge: the handler runs the whole authlib call in a worker thread (:meth:`Door.call`,
``asyncio.to_thread``), and each hook hands its coroutine back to the loop with
``asyncio.run_coroutine_threadsafe(...).result()`` (:meth:`Door.run`), where it runs on the
request's one connection, in the request's one transaction. Exactly one thread touches the
connection at a time (the worker waits while the loop runs the statement), so the connection
never sees two callers, and the loop stays free for other requests meanwhile.

Two invariants keep this sound:

* :meth:`Door.run` is only ever called from the worker thread (it refuses on the loop, where it
  would wait on itself forever).
* A coroutine run through the bridge never waits on the default executor itself (no
  ``to_thread`` inside a hook): with every worker busy in a hook, that wait could not end.
  Password hashing, the one such wait of the doors, happens outside authlib's calls.

The transaction: one per HTTP request, opened with ``app.door`` set, committed when the request
succeeded and rolled back otherwise, except that a request which detected a reused code or
refresh token commits the grant's revocation it wrote (:meth:`Door.keep_writes`) although it
answers with an error: a refusal that forgot the revocation would leave the thief's tokens
alive.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from partyplan.auth.tokens import TokenService
from partyplan.resolvers.oauth import service

from ..settings import Settings

T = TypeVar("T")


class Door:
    def __init__(self, conn: AsyncConnection, loop: asyncio.AbstractEventLoop) -> None:
        self.conn = conn
        self._loop = loop
        self.failed = False
        self.keep = False

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the request's loop and wait for it (from the worker thread)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()
        coroutine.close()
        raise RuntimeError("Door.run waits for the loop: call it from a worker thread only")

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        """Run a synchronous authlib call in a worker thread; its hooks come back through run.

        If the request is cancelled meanwhile (the client went away), the worker is still
        waited for before the cancellation goes on: the transaction must not be rolled back
        and its connection handed back while a hook may still be running a statement on it.
        """
        work = asyncio.ensure_future(asyncio.to_thread(function, *args))
        try:
            return await asyncio.shield(work)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await work
            raise

    def fail(self) -> None:
        """The request did not succeed: roll back (unless writes are kept)."""
        self.failed = True

    def keep_writes(self) -> None:
        """Commit what was written although the request fails (a reuse's revocation)."""
        self.keep = True


@contextlib.asynccontextmanager
async def opened(engine: AsyncEngine) -> AsyncIterator[Door]:
    """A door transaction for one request: committed at the end unless the request failed
    (and kept nothing); rolled back on any exception."""
    async with engine.connect() as conn:
        transaction = await conn.begin()
        door = Door(conn, asyncio.get_running_loop())
        try:
            await service.open_door(conn)
            yield door
        except BaseException:
            await transaction.rollback()
            raise
        if door.failed and not door.keep:
            await transaction.rollback()
        else:
            await transaction.commit()


@dataclass(frozen=True)
class Doorway:
    """What the hooks of one request need: its door, the clock read once, the lifetimes."""

    door: Door
    settings: Settings
    tokens: TokenService
    now: datetime

    @property
    def conn(self) -> AsyncConnection:
        return self.door.conn

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.door.run(coroutine)

    @property
    def code_ttl(self) -> timedelta:
        return timedelta(seconds=self.settings.oauth_code_ttl_seconds)

    @property
    def grant_ttl(self) -> timedelta:
        return timedelta(seconds=self.settings.oauth_refresh_ttl_seconds)
