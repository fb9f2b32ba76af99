"""The ASGI application: GraphQL, workbook downloads, health, readiness, the public signing
keys and the vendored browser assets."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cross_web import HTTPException
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from partyplan.schema.compiled import CompiledDocuments
from partyplan.schema.errors import UNEXPECTED_MESSAGE, request_refused, with_code
from partyplan.schema.policies.admission import (
    PLATFORM_DOCUMENTS,
    Admission,
    DocumentRequest,
    Refused,
    document_request,
)
from partyplan.schema.replica import ReplicaReads, replica_fields
from partyplan.schema.schema import build_schema

from . import assets, attachments, console, console_client, exports, exports_datacalls
from .availability import DatabaseAway, DatabaseGate, database_away
from .cors import ClientOriginsCORS, OriginCache, database_origins
from .database import async_url
from .graphiql import offline
from .limits import RateLimiter, buckets_for, stamp, too_many
from .oauth.routes import routes as oauth_routes
from .observability import Observability, Observe, OperationObserver, observed, request_id
from .platform import Platform
from .replica import carry
from .request import NotCommitted, RequestContext

log = logging.getLogger("partyplan")


class GraphQLView(GraphQL):
    """Strawberry's ASGI view; each request's context owns its one transaction (opened lazily,
    on the first resolver that needs it), settled before the response is sent: committed when
    the response carries no error and no mutation was refused, else rolled back whole."""

    def __init__(
        self,
        platform: Platform,
        limiter: RateLimiter | None = None,
        documents_dir: Path = PLATFORM_DOCUMENTS,
    ) -> None:
        settings = platform.settings
        super().__init__(
            build_schema(settings),
            graphql_ide=None if settings.is_production else "graphiql",
            allow_queries_via_get=not settings.is_production,
            # Bearer tokens only, never cookies: a cross-site form cannot act for anyone.
            multipart_uploads_enabled=True,
        )
        # First, so that it leaves the operation last, seeing the errors as ShapeErrors left
        # them: it names the operation and its outcome (server/observability/graphql.py).
        self.schema.extensions = (OperationObserver, *self.schema.extensions)
        fields: frozenset[str] = frozenset()
        if settings.replica_url is not None:
            # Marks the queries a streaming replica may answer (schema/replica.py).
            fields = replica_fields(self.schema._schema)
            self.schema.extensions = (*self.schema.extensions, lambda: ReplicaReads(fields))
        # Known documents answered by SQL that builds the response (schema/compiled).
        self.compiled = CompiledDocuments(self.schema._schema, settings.max_page_size, fields)
        self.platform = platform
        self.limiter = limiter or RateLimiter(settings)
        self.admission = Admission(self.schema._schema, settings, documents_dir)
        for text in self.admission.documents.platform.values():
            self.compiled.register(text)
        if self.graphql_ide:
            offline(self.graphql_ide_html)  # an asset missing from the manifest fails at start

    async def render_graphql_ide(self, request: Request) -> Response:  # type: ignore[override]
        # Every script and stylesheet served by the platform itself: an intranet has no CDN.
        return HTMLResponse(offline(self.graphql_ide_html, request.scope.get("root_path", "")))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Limits first (server/limits.py): the bearer token is verified here, once, and the
        context carrying its claims is the one the request runs with."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        context = RequestContext.of(self.platform, request)
        context.caller = await self.admission.caller(context.engine, context.claims)
        decision = await self.limiter.take(
            buckets_for(context.caller, context.client_address, self.platform.settings)
        )
        if decision is not None and not decision.allowed:
            response = too_many(decision)
        else:
            try:
                response = await self.run(request, context=context)
            except (HTTPException, StarletteHTTPException) as error:
                response = _not_graphql(error)
            except Refused as refused:
                response = JSONResponse(refused.body(), status_code=refused.status)
            except NotCommitted as lost:
                response = JSONResponse(lost.body(), status_code=lost.status, headers=lost.headers)
        stamp(response, decision)
        if context.commit_lsn is not None:  # the caller's write, for its replica reads
            secure = self.platform.settings.public_url.startswith("https:")
            carry(response, context.commit_lsn, secure)
        await response(scope, receive, send)

    async def parse_http_body(self, request_adapter: Any) -> Any:  # type: ignore[override]
        data = await super().parse_http_body(request_adapter)
        if (
            isinstance(data, GraphQLRequestData)
            and data.query is None
            and request_adapter.method == "POST"
            # A multipart body was consumed by its parsing; it carries no trusted document.
            and "multipart/" not in (request_adapter.content_type or "")
        ):
            # Only a body without a query is read again, for its documentId (a few bytes).
            return document_request(data, self.parse_json(await request_adapter.get_body()))
        return data

    async def get_context(self, request: Any, response: Any) -> RequestContext:  # type: ignore[override]
        return RequestContext.of(self.platform, request)

    def decode_json(self, data: str | bytes) -> object:
        # Bytes that are not UTF-8, nesting deeper than the decoder's recursion, a number past
        # Python's digit limit, or a value other than an object or a list (no request, nor its
        # variables, is one): the client's to fix, each a JSONDecodeError, which strawberry
        # answers with its 400, never a 500. NaN and Infinity are read: a Float refuses them
        # naming its argument, and so does every JSON value's check.
        try:
            value = json.loads(data)
        except json.JSONDecodeError:
            raise
        except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
            raise json.JSONDecodeError(type(error).__name__, "", 0) from error
        if not isinstance(value, dict | list):
            raise json.JSONDecodeError("neither an object nor a list", "", 0)
        return value

    async def process_result(self, request: Any, result: Any) -> Any:  # type: ignore[override]
        # A document that does not parse never reaches the schema's extensions: every error
        # gets its code here, whatever stage produced it.
        if result.errors:
            # No "Did you mean …?" in production, where the schema is not for browsing.
            hide = self.platform.settings.is_production
            result.errors = [with_code(e, hide_suggestions=hide) for e in result.errors]
        return await super().process_result(request, result)

    def encode_json(self, data: object) -> str | bytes:
        if isinstance(data, dict) and isinstance(data.get("data"), CompiledResponse):
            return data["data"].text  # built whole by PostgreSQL
        return super().encode_json(data)

    async def execute_single(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        context: RequestContext = kwargs["context"]
        known = isinstance(kwargs["request_data"], DocumentRequest)
        kwargs["request_data"], context.cost_budget = await self.admission.admit(
            context.engine, context.caller, kwargs["request_data"]
        )
        async with context.transaction():
            if known and (compiled := await self._compiled(context, kwargs["request_data"])):
                return compiled
            result = await super().execute_single(*args, **kwargs)
            if result.errors:
                context.fail()
        if any(_unexpected(e) for e in result.errors or ()) and await database_away(self.platform):
            raise DatabaseAway  # a coded 503 (server/availability.py), not a masked error
        return result

    async def _compiled(
        self, context: RequestContext, data: GraphQLRequestData
    ) -> ExecutionResult | None:
        """A known document's response built by SQL (schema/compiled), or None: the ordinary
        executor answers (a document not compiled, or a request that ends in an error)."""
        if data.query is None:
            return None
        operation = self.compiled.compiled(data.query, data.operation_name)
        if operation is None:
            return None
        if operation.on_replica:
            context.read_from_replica()
        try:
            text = await self.compiled.execute(operation, context, data.variables)
        except Exception as error:  # noqa: BLE001 - masked and logged as the ordinary path does
            return await self._compiled_failed(context, operation.name, error)
        if text is None:
            return None
        observed(operation.name)
        return ExecutionResult(data=CompiledResponse(text), errors=None)  # type: ignore[arg-type]

    async def _compiled_failed(
        self, context: RequestContext, name: str | None, error: Exception
    ) -> ExecutionResult:
        """A compiled statement that failed (the database went away, a statement timed out):
        rolled back, logged, and answered as the ordinary executor answers an unexpected error
        (a coded 503 when the database is away)."""
        context.fail()
        log.error("unexpected error in compiled document %s", name, exc_info=error)
        if await database_away(self.platform):
            raise DatabaseAway from error
        observed(name, "server_error")
        extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id()}
        return ExecutionResult(
            data=None, errors=[GraphQLError(UNEXPECTED_MESSAGE, extensions=extensions)]
        )


class CompiledResponse:
    """A whole response's JSON text, made by PostgreSQL: written as it is (encode_json)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _unexpected(error: Any) -> bool:
    return (error.extensions or {}).get("code") == "INTERNAL_SERVER_ERROR"


def _not_graphql(error: HTTPException | StarletteHTTPException) -> Response:
    """A request that is no GraphQL request (not JSON, not UTF-8, a broken multipart body, a
    method the endpoint does not take): refused by strawberry or Starlette, answered as JSON
    with a code like every other error."""
    reason = error.reason if isinstance(error, HTTPException) else str(error.detail)
    return JSONResponse(request_refused(error.status_code, reason), status_code=error.status_code)


#: Room for a multipart body's operations, map and part headers beside its one file.
MULTIPART_OVERHEAD = 256 * 1024


class BodyLimit:
    """Refuse request bodies above ``limit`` bytes (strawberry would parse a 5 MB document); a
    multipart upload (``multipart/form-data``) may carry one file of up to ``upload_limit``
    bytes besides. The count is kept as the body arrives, so a body without a length (or
    lying about it) is cut off as soon as it passes the limit, never spooled whole."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int = 0) -> None:
        self.app, self.limit, self.upload_limit = app, limit, upload_limit

    def _limit_of(self, headers: dict[bytes, bytes]) -> int:
        kind = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
        if kind == b"multipart/form-data" and self.upload_limit:
            return self.limit + self.upload_limit + MULTIPART_OVERHEAD
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        limit = self._limit_of(headers)
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _too_large(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
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


async def register_console(platform: Platform) -> None:
    """The console's OAuth2 client, refreshed at every start (``server/console_client.py``),
    through the owner's connection: the registry is tenant data the service role writes only
    for a signed-in administrator."""
    if platform.owner_url is None:
        return
    engine = create_async_engine(async_url(platform.owner_url))
    try:
        async with engine.begin() as conn:
            await console_client.register(conn, platform.settings)
    finally:
        await engine.dispose()


def create_app(
    platform: Platform,
    *,
    on_ready: Callable[[Platform], Awaitable[None]] | None = None,
    manage_platform: bool = True,
    documents_dir: Path = PLATFORM_DOCUMENTS,
) -> Starlette:
    limiter = RateLimiter(platform.settings)
    observability = Observability(platform.settings, lambda: platform.engine)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_platform:
            await platform.start()
        try:
            if on_ready is not None:
                await on_ready(platform)
            await register_console(platform)
            yield
        finally:
            await limiter.close()
            observability.close()
            if manage_platform:
                await platform.stop()

    async def healthz(request: Request) -> Response:
        # Liveness: failing only when the embedded database died for good, for the
        # supervisor to restart the service (server/embedded/watchdog.py).
        state = platform.database_state
        if state == "failed":
            return JSONResponse({"status": "failed", "database": state}, status_code=503)
        return JSONResponse({"status": "ok"} | ({} if state == "up" else {"database": state}))

    async def readyz(request: Request) -> Response:
        if platform.database_state != "up":
            body = {"status": "unavailable", "database": platform.database_state}
            return JSONResponse(body, status_code=503)
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

    view = GraphQLView(platform, limiter, documents_dir)
    app = Starlette(
        routes=[
            Route("/graphql", view),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/.well-known/jwks.json", jwks),
            *exports.routes(platform),
            *attachments.routes(platform),
            *exports_datacalls.routes(platform),
            *oauth_routes(platform),
            *assets.routes(),
            *console.routes(platform.settings),
            *observability.routes(),
        ],
        lifespan=lifespan,
    )
    app.state.platform = platform
    app.state.observability = observability
    app.add_middleware(DatabaseGate, platform=platform)
    app.add_middleware(
        BodyLimit,
        limit=platform.settings.max_body_bytes,
        upload_limit=max(
            platform.settings.import_max_bytes, platform.settings.attachment_max_bytes
        ),
    )
    # Request ids, access lines, metrics, traces, and a coded 500 for an escaped exception;
    # inside CORS, so its answers carry CORS headers too.
    app.add_middleware(Observe, **observability.middleware(app.routes))
    # Outermost: a refusal (413) still reaches the browser's script with its CORS headers.
    origins = OriginCache(database_origins(platform), platform.settings.cors_cache_seconds)
    app.add_middleware(ClientOriginsCORS, origins=origins)
    return app
