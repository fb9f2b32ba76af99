"""CORS for the API and the workbook downloads: the allowed origins are the registered clients'.

A browser front end calls ``/graphql`` (and downloads workbooks) from its own origin; it may do
so once an active client lists that origin (``registerClient``'s ``allowedOrigins``). The rules
are Starlette's :class:`CORSMiddleware`'s, with the origin list read from the database:

- a preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) from an
  allowed origin is answered 200 with that origin echoed, the methods (GET, POST), the headers
  (``Authorization``, ``Content-Type`` and the safelisted ones) and a max age; from any other
  origin it gets no ``Access-Control-*`` header at all (a 400 the browser reports as a CORS
  failure), never reaching the routes;
- a request from an allowed origin gets ``Access-Control-Allow-Origin`` echoing it (and
  ``Vary: Origin`` always, so no cache serves one origin's answer to another);
- credentials are never allowed: the API takes bearer tokens, not cookies.

Other paths (health, keys, the doors) are passed through untouched.

**The origins** are the union of the active clients' ``allowed_origins``, read in a short
transaction of its own (a door's: no principal is bound) and cached in the process for
``cors_cache_seconds``. A registration or disabling that changes them, once committed in this
process, refreshes the cache at the next request (``resolvers.clients.service.origins_version``);
other processes see it within the cache's lifetime. A failed read keeps the last list (empty
before the first) until the next refresh: the answer to a browser is never a 500.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Collection

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from partyplan.resolvers.clients import service

from .platform import Platform

log = logging.getLogger("partyplan.cors")

#: The paths a browser front end fetches: the API, the workbook downloads, and the token and
#: revocation endpoints of the code flow. Never the authorization pages: a browser navigates
#: to those, and a page that a script could read across origins would leak its CSRF token.
CORS_PATHS = ("/graphql", "/reports/", "/oauth/token", "/oauth/revoke")
METHODS = ("GET", "POST")
# X-Partyplan-LSN: the caller's last write, returned for read-your-writes (server/replica.py).
HEADERS = ("Authorization", "Content-Type", "X-Partyplan-LSN")
#: Headers a script reads only if exposed: the workbook's file name, the rate limit's state
#: (server/limits.py), so that a front end can back off before it is refused, and the request
#: id (server/observability), for a user to quote.
EXPOSED = (
    "Content-Disposition",
    "X-Request-ID",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
    "X-Partyplan-LSN",
)
MAX_AGE = 600


class OriginCache:
    """The allowed origins, read at most every ``ttl`` seconds, or at once when ``version()``
    changed; one read at a time, the others awaiting it."""

    def __init__(
        self,
        load: Callable[[], Awaitable[frozenset[str]]],
        ttl: float,
        version: Callable[[], int] = service.origins_version,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load, self._ttl, self._version, self._clock = load, ttl, version, clock
        self._origins: frozenset[str] = frozenset()
        self._expires = float("-inf")
        self._loaded_version: int | None = None
        self._lock = asyncio.Lock()

    @property
    def current(self) -> frozenset[str]:
        """The list as last read (no refresh)."""
        return self._origins

    def _fresh(self) -> bool:
        return self._clock() < self._expires and self._loaded_version == self._version()

    async def get(self) -> frozenset[str]:
        if self._fresh():
            return self._origins
        async with self._lock:
            if not self._fresh():
                version = self._version()
                try:
                    self._origins = await self._load()
                except Exception:  # noqa: BLE001 - keep serving the last list
                    log.warning("reading the allowed origins failed", exc_info=True)
                self._loaded_version = version
                self._expires = self._clock() + self._ttl
        return self._origins


def database_origins(platform: Platform) -> Callable[[], Awaitable[frozenset[str]]]:
    """The origins read in a transaction of their own (the platform's engine exists once the
    application has started, before any request)."""

    async def load() -> frozenset[str]:
        assert platform.engine is not None
        async with platform.engine.connect() as conn, conn.begin():
            return await service.allowed_origins(conn)

    return load


class ClientOriginsCORS(CORSMiddleware):
    """Starlette's CORS with the origins of :class:`OriginCache`, on :data:`CORS_PATHS`."""

    def __init__(
        self, app: ASGIApp, origins: OriginCache, paths: Collection[str] = CORS_PATHS
    ) -> None:
        super().__init__(
            app,
            allow_methods=METHODS,
            allow_headers=HEADERS,
            allow_credentials=False,
            max_age=MAX_AGE,
        )
        self.origins = origins
        self.paths = tuple(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.paths):
            await self.app(scope, receive, send)
            return
        if any(name == b"origin" for name, _ in scope["headers"]):
            await self.origins.get()  # fresh enough for Starlette's (synchronous) checks
        await super().__call__(scope, receive, send)

    def is_allowed_origin(self, origin: str) -> bool:
        return origin in self.origins.current

    def preflight_response(self, request_headers: Headers) -> Response:
        if not self.is_allowed_origin(request_headers["origin"]):
            # Starlette would still list the methods and headers: an unknown origin learns
            # nothing, and gets nothing a browser could act on.
            return PlainTextResponse("Disallowed CORS origin", status_code=400)
        return super().preflight_response(request_headers)

    @staticmethod
    def allow_explicit_origin(headers: MutableHeaders, origin: str) -> None:
        """An allowed origin's answer (only theirs) also exposes the workbook's file name."""
        CORSMiddleware.allow_explicit_origin(headers, origin)
        headers["Access-Control-Expose-Headers"] = ", ".join(EXPOSED)
