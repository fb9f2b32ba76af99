"""While the embedded database is away (its watchdog starting it again after a crash), the
routes that need it answer a coded 503 with ``Retry-After`` rather than a masked
``INTERNAL_SERVER_ERROR``; the health, readiness, keys and static routes still answer.

A request that finds the database gone before the watchdog has noticed (it looks every second)
wakes it at once, and gets the same 503 if nothing of its answer was sent yet: a connection
error that escapes the routes (any database), or a GraphQL result with a masked
``INTERNAL_SERVER_ERROR`` while the embedded server is found not running (:class:`DatabaseAway`,
raised by the view).
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import DBAPIError
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .platform import Platform

log = logging.getLogger("partyplan")

UNAVAILABLE_CODE = "SERVICE_UNAVAILABLE"
UNAVAILABLE_MESSAGE = "数据库暂不可用，请稍后重试"
#: Seconds a client should wait: a crash recovery of the embedded server takes a few.
RETRY_AFTER = 5
#: The routes that read or write the database.
DATABASE_PATHS = ("/graphql", "/reports/", "/exports/", "/oauth/")


class DatabaseAway(Exception):
    """Raised by a route whose failure was the embedded server's death: answered 503."""


async def database_away(platform: Platform) -> bool:
    """After a request failed unexpectedly: whether the embedded server is gone (if so, its
    watchdog is woken). Always False with an external database: it has no watchdog."""
    watchdog, embedded = platform.watchdog, platform.embedded
    if watchdog is None or embedded is None:
        return False
    if watchdog.state == "up" and await asyncio.to_thread(embedded.running):
        return False
    watchdog.nudge()
    return True


def unavailable() -> JSONResponse:
    body = {"errors": [{"message": UNAVAILABLE_MESSAGE, "extensions": {"code": UNAVAILABLE_CODE}}]}
    return JSONResponse(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER)})


def connection_lost(error: BaseException) -> bool:
    """Whether ``error`` says the server cannot be reached (rather than a query's failure)."""
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig or error
    # asyncpg's: the socket is gone (refused or missing), the connection was closed under
    # us, or the server is starting up / in recovery (CannotConnectNowError).
    names = {cls.__name__ for cls in type(error).__mro__}
    lost = {"ConnectionDoesNotExistError", "CannotConnectNowError", "ConnectionFailureError"}
    return isinstance(error, ConnectionError | FileNotFoundError) or bool(names & lost)


class DatabaseGate:
    def __init__(self, app: ASGIApp, platform: Platform) -> None:
        self.app, self.platform = app, platform

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(DATABASE_PATHS):
            await self.app(scope, receive, send)
            return
        if self.platform.database_state != "up":
            await unavailable()(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as error:
            if started or not (isinstance(error, DatabaseAway) or connection_lost(error)):
                raise
            log.warning("the database could not be reached: %s", error.__class__.__name__)
            if self.platform.watchdog is not None:
                self.platform.watchdog.nudge()
            await unavailable()(scope, receive, send)
