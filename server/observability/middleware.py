"""The access middleware: a request id, one access line, the request's metrics and its span.

For every HTTP request it:

- takes the request id from ``X-Request-ID`` when that is acceptable (``context.py``), else
  makes one, and echoes it in the response's ``X-Request-ID``;
- writes one line on ``partyplan.access`` when the answer is sent: method, path (never the
  query string: a download link's token is there), status, duration, user, OAuth2 client,
  peer address, and for GraphQL the operation and its outcome. Probes (``/healthz``,
  ``/readyz``, ``/metrics``) that succeed are logged at DEBUG, so that the probing of a
  Kubernetes cluster does not drown the rest;
- counts the request in the metrics (``metrics.py``), and a GraphQL 429 as a rate-limit refusal
  of the caller's client (``server/limits.py`` is the one source of those);
- answers an exception that escaped the application with a coded JSON 500 (the masked
  message, code ``INTERNAL_SERVER_ERROR``, ``requestId`` the request's) and logs its traceback
  with the request id, instead of Starlette's plain-text page.

It sits inside the CORS middleware, so that its answers carry CORS headers too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from partyplan.schema.errors import UNEXPECTED_MESSAGE

from .context import Observation, accepted_request_id, begin, end
from .graphql import INTERNAL
from .metrics import Metrics
from .tracing import Tracing

access = logging.getLogger("partyplan.access")
errors = logging.getLogger("partyplan.errors")

_HEADER = b"x-request-id"
PROBES = frozenset({"/healthz", "/readyz", "/metrics"})
_MAX_PATH = 1000


def printable(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, anything unprintable escaped: a decoded path may
    hold a newline that would forge a second line in a text log."""
    text = text[:limit]
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


class Observe:
    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics,
        routes: Sequence[BaseRoute] = (),
        tracing: Callable[[], Tracing | None] = lambda: None,
        graphql_path: str = "/graphql",
    ) -> None:
        self.app, self.metrics, self.routes = app, metrics, tuple(routes)
        self.tracing, self.graphql_path = tracing, graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers") or []
        given = next((value for name, value in headers if name == _HEADER), None)
        observation = Observation(accepted_request_id(given))
        token = begin(observation)
        tracing = self.tracing()
        try:
            if tracing is None:
                await self._answer(scope, receive, send, observation)
                return
            carrier = {name.decode("latin-1"): value.decode("latin-1") for name, value in headers}
            with tracing.span(scope["method"], carrier, observation) as span:
                status, route = await self._answer(scope, receive, send, observation)
                tracing.finish(span, scope["path"], route, status, observation)
        finally:
            end(token)

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, observation: Observation
    ) -> tuple[int, str]:
        status: int | None = None
        stamp = (_HEADER, observation.request_id.encode("ascii"))

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != _HEADER]
                message = {**message, "headers": [*kept, stamp]}
            await send(message)

        began = time.perf_counter()
        try:
            await self.app(scope, receive, sending)
        except Exception:
            errors.exception("unhandled error answering %s", printable(scope["path"], 200))
            if status is not None:
                raise  # the answer had begun: nothing coded can be sent any more
            await JSONResponse(self._internal(scope, observation), status_code=500)(
                scope, receive, sending
            )
        finally:
            route = self._route(scope)
            self._record(scope, observation, route, status or 500, time.perf_counter() - began)
        return status or 500, route

    def _internal(self, scope: Scope, observation: Observation) -> dict:
        """The masked error, shaped as the route's other errors are: a GraphQL response on
        the API, ``{"error", "code"}`` elsewhere (as the download routes answer)."""
        extensions = {"code": INTERNAL, "requestId": observation.request_id}
        if scope["path"] == self.graphql_path:
            return {"errors": [{"message": UNEXPECTED_MESSAGE, "extensions": extensions}]}
        return {"error": UNEXPECTED_MESSAGE, **extensions}

    def _route(self, scope: Scope) -> str:
        """The matched route's template; a request refused before routing (a body too large)
        is matched here, so it is counted under its route all the same."""
        route = scope.get("route")
        if route is None:
            route = next((r for r in self.routes if r.matches(scope)[0] is Match.FULL), None)
        return getattr(route, "path", None) or "unmatched"

    def _record(
        self, scope: Scope, observation: Observation, route: str, status: int, seconds: float
    ) -> None:
        method = scope["method"]
        self.metrics.request(method, route, status, seconds)
        outcome = None
        if route == self.graphql_path:
            outcome = _outcome(status, observation.outcome)
            if status == 429:
                self.metrics.refused(observation.client, observation.user)
            if outcome is not None:
                known = observation.outcome is not None
                self.metrics.operation(
                    observation.operation, observation.operation_type, outcome, seconds, known
                )
        path = scope["path"]
        if status >= 500:
            level = logging.WARNING
        elif path in PROBES and status < 400:
            level = logging.DEBUG
        else:
            level = logging.INFO
        if not access.isEnabledFor(level):
            return
        path = printable(path, _MAX_PATH)
        client = scope.get("client")
        operation = observation.operation
        access.log(
            level,
            "%s %s %d %.1fms",
            method,
            path,
            status,
            seconds * 1000,
            extra={
                "method": method,
                "path": path,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
                "user": observation.user,
                "client": observation.client,
                "address": None if client is None else client[0],
                "operation": None if operation is None else printable(operation, 100),
                "outcome": outcome,
            },
        )


def _outcome(status: int, reported: str | None) -> str | None:
    """How a GraphQL request ended: what the schema reported, unless the HTTP answer says
    worse; None for a request that was no operation (the GraphiQL page)."""
    if status >= 500:
        return "server_error"
    if status == 429:
        return "rate_limited"
    if reported is not None:
        return reported
    return "client_error" if status >= 400 else None
