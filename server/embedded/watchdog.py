"""A running service's guard over the embedded server it owns.

When the postmaster dies (the OOM killer, ``kill -9``), the watchdog starts it again through the
owner's ``start()``: PostgreSQL's crash recovery replays the WAL, so every committed
transaction is kept. Meanwhile ``state`` is ``restarting`` (the service answers 503 with
``Retry-After``); after ``attempts`` failed starts it is ``failed`` for good, ``on_failed`` is
called (``serve`` exits with status 1) and ``/healthz`` answers 503: the supervisor restarts the
whole service, which is all that is left to try.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Literal

from .server import EmbeddedPostgres

log = logging.getLogger("partyplan.embedded")

State = Literal["up", "restarting", "failed"]

#: Seconds between two looks at the postmaster (a look reads postmaster.pid and /proc).
INTERVAL = 1.0
ATTEMPTS = 3
#: Seconds before the second attempt; then twice that, and so on.
BACKOFF = 1.0


class Watchdog:
    def __init__(
        self,
        embedded: EmbeddedPostgres,
        on_restarted: Callable[[], Awaitable[None]],
        on_failed: Callable[[], None] | None = None,
        *,
        interval: float = INTERVAL,
        attempts: int = ATTEMPTS,
        backoff: float = BACKOFF,
    ) -> None:
        self.embedded = embedded
        self.on_restarted, self.on_failed = on_restarted, on_failed
        self.interval, self.attempts, self.backoff = interval, attempts, backoff
        self.state: State = "up"
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="embedded-postgres-watchdog")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def nudge(self) -> None:
        """Look now rather than at the next interval: a request could not reach the server."""
        self._wake.set()

    async def _run(self) -> None:
        while self.state != "failed":
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()
            try:
                alive = await asyncio.to_thread(self.embedded.running)
            except Exception as error:  # noqa: BLE001 - cannot tell now: look again next time
                log.warning("cannot tell whether the embedded PostgreSQL runs: %s", error)
                continue
            if not alive:
                await self._recover()

    async def _recover(self) -> None:
        self.state = "restarting"
        pgdata = self.embedded.pgdata
        log.error("embedded PostgreSQL in %s is not running; starting it again", pgdata)
        for attempt in range(1, self.attempts + 1):
            try:
                await asyncio.to_thread(self.embedded.start)
                await self.on_restarted()
            except Exception as error:  # noqa: BLE001 - every failure is one more attempt
                log.error("restart %d of %d failed: %s", attempt, self.attempts, error)
                if attempt < self.attempts:
                    await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
                continue
            self.state = "up"
            log.warning("embedded PostgreSQL in %s serves again (restart %d)", pgdata, attempt)
            return
        self.state = "failed"
        log.critical("embedded PostgreSQL in %s could not be started again; giving up", pgdata)
        if self.on_failed is not None:
            self.on_failed()
