"""The request context: one per HTTP request, for the GraphQL endpoint and the plain routes (the
workbook downloads) alike, and the one owner of the request's transaction.

A request opens at most one connection and one transaction, on first use, bound to the
caller's scope (``tenants.binding``: the row-level-security settings, local to the
transaction). :meth:`RequestContext.transaction` spans the request: it commits when the
request succeeded and rolls back otherwise — an exception, a route that answered an error, a
GraphQL response with any error, a mutation answered with typed errors (the schema marks the
request ``failed``). Nothing else commits: services never do, the schema only marks failure.
The context satisfies ``schema.context.Context``, the protocol the GraphQL layer reads.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction
from starlette.requests import Request

from partyplan.auth.errors import NotAuthenticated
from partyplan.auth.tokens import TokenClaims, TokenError
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.tenants.session import Session

from .platform import Platform
from .settings import Settings

T = TypeVar("T")


@dataclass
class RequestContext:
    request: Request | None
    settings: Settings
    engine: AsyncEngine
    claims: TokenClaims | None
    pii: PiiCipher | None = None
    auth_error: str | None = None
    # The request must not commit: set by the owner on an exception or an error response, by
    # the schema on an unexpected error or a mutation answered with typed errors.
    failed: bool = False
    loaders: dict[str, Any] = field(default_factory=dict)
    _session: Session | None = None
    _conn: AsyncConnection | None = None
    _tx: AsyncTransaction | None = None
    _opening: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def of(cls, platform: Platform, request: Request) -> RequestContext:
        """A request's context: its verified token (if any); the session opens on first use."""
        claims, error = _claims(platform, request.headers.get("authorization"))
        assert platform.engine is not None
        return cls(
            request=request,
            settings=platform.settings,
            engine=platform.engine,
            claims=claims,
            pii=platform.pii,
            auth_error=error,
        )

    async def session(self) -> Session:
        """The request's session; UNAUTHENTICATED without a valid token."""
        if self._session is not None:
            return self._session
        if self.claims is None:
            raise NotAuthenticated(self.auth_error)
        async with self._opening:
            if self._session is None:
                conn = await self.engine.connect()
                self._conn = conn
                self._tx = await conn.begin()
                claims = self.claims
                self._session = await Session.bound(
                    conn,
                    int(claims.subject),
                    claims.client_id,
                    grant_id=claims.grant_id,
                    token_id=claims.token_id,
                    scope=claims.scope,
                )
        return self._session

    def loader(self, key: str, factory: Callable[[Any], T]) -> T:
        if key not in self.loaders:
            self.loaders[key] = factory(self)
        return self.loaders[key]

    def fail(self) -> None:
        """The request did not succeed: roll its transaction back at the end."""
        self.failed = True

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[RequestContext]:
        """The request's span: commit at the end if it succeeded, else roll back."""
        try:
            yield self
        except BaseException:
            self.failed = True
            raise
        finally:
            await self._finish()

    async def _finish(self) -> None:
        if self._conn is None:
            return
        try:
            if self._tx is not None and self._tx.is_active:
                # A connection is invalidated when a sibling field's statement was cancelled
                # (graphql-core cancels the rest of a query once a non-null field fails): roll
                # back what there is. A failed commit propagates: the client must not be told
                # that a request succeeded when it did not.
                if self.failed or self._conn.invalidated:
                    await self._tx.rollback()
                else:
                    await self._tx.commit()
        finally:
            await self._conn.close()
            self._conn = self._tx = self._session = None


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
