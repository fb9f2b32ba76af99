"""The ASGI application: GraphQL, workbook downloads, health, readiness and the public signing
keys."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

from partyplan.auth.tokens import TokenClaims, TokenError
from partyplan.schema.context import Context
from partyplan.schema.schema import build_schema

from . import exports
from .platform import Platform

log = logging.getLogger("partyplan")


def _claims(platform: Platform, header: str | None) -> tuple[TokenClaims | None, str | None]:
    if header is None:
        return None, None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, "the Authorization header must be 'Bearer <token>'"
    try:
        return platform.tokens.verify(token.strip()), None
    except TokenError as error:
        return None, f"invalid bearer token ({error.reason})"


def request_context(platform: Platform, request: Request) -> Context:
    """A request's context: its verified token (if any); the session opens on first use."""
    claims, error = _claims(platform, request.headers.get("authorization"))
    assert platform.engine is not None
    return Context(
        request=request,
        settings=platform.settings,
        engine=platform.engine,
        claims=claims,
        pii=platform.pii,
        auth_error=error,
    )


class GraphQLView(GraphQL):
    """Strawberry's ASGI view, with one database transaction per request (opened lazily, on
    the first resolver that needs it) committed before the response is sent."""

    def __init__(self, platform: Platform) -> None:
        settings = platform.settings
        super().__init__(
            build_schema(settings),
            graphql_ide=None if settings.is_production else "graphiql",
            allow_queries_via_get=not settings.is_production,
        )
        self.platform = platform

    async def get_context(self, request: Any, response: Any) -> Context:  # type: ignore[override]
        return request_context(self.platform, request)

    async def execute_single(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        context: Context = kwargs["context"]
        try:
            return await super().execute_single(*args, **kwargs)
        except BaseException:
            context.failed = True
            raise
        finally:
            await context.finish()


class BodyLimit:
    """Refuse request bodies above ``limit`` bytes (strawberry would parse a 5 MB document)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await _too_large(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _too_large(scope, receive, send)


class _TooLarge(Exception):
    pass


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse({"error": "request body too large"}, status_code=413)
    await response(scope, receive, send)


def create_app(
    platform: Platform,
    *,
    on_ready: Callable[[Platform], Awaitable[None]] | None = None,
    manage_platform: bool = True,
) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_platform:
            await platform.start()
        try:
            if on_ready is not None:
                await on_ready(platform)
            yield
        finally:
            if manage_platform:
                await platform.stop()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            assert platform.engine is not None
            async with platform.engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 - any failure means not ready
            log.warning("readiness check failed: %s", error.__class__.__name__)
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    async def jwks(request: Request) -> Response:
        return JSONResponse(platform.keys.public_jwks(), headers={"Cache-Control": "max-age=300"})

    view = GraphQLView(platform)
    app = Starlette(
        routes=[
            Route("/graphql", view),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/.well-known/jwks.json", jwks),
            *exports.routes(lambda request: request_context(platform, request)),
        ],
        lifespan=lifespan,
    )
    app.state.platform = platform
    app.add_middleware(BodyLimit, limit=platform.settings.max_body_bytes)
    return app
