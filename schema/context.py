"""The per-request context: token claims, a lazily opened transaction bound to the principal,
and the request's DataLoaders (never shared between requests: they cache rows)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction
from starlette.requests import Request

from partyplan.auth.errors import NotAuthenticated
from partyplan.auth.tokens import TokenClaims
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.server.settings import Settings
from partyplan.tenants.binding import bind_principal
from partyplan.tenants.session import Session


@dataclass
class Context:
    request: Request | None
    settings: Settings
    engine: AsyncEngine
    claims: TokenClaims | None
    pii: PiiCipher | None = None
    auth_error: str | None = None
    # Set by the error extension when an unexpected exception escaped a resolver: the request's
    # transaction is then rolled back instead of committed.
    failed: bool = False
    loaders: dict[str, Any] = field(default_factory=dict)
    _session: Session | None = None
    _conn: AsyncConnection | None = None
    _tx: AsyncTransaction | None = None
    _opening: asyncio.Lock = field(default_factory=asyncio.Lock)

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
                principal = await bind_principal(
                    conn, int(self.claims.subject), self.claims.client_id
                )
                self._session = Session(conn, principal)
        return self._session

    def loader(self, key: str, factory: Any) -> Any:
        if key not in self.loaders:
            self.loaders[key] = factory(self)
        return self.loaders[key]

    async def finish(self) -> None:
        """Commit the request's transaction, or roll it back after an unexpected error."""
        if self._conn is None:
            return
        try:
            if self._tx is not None and self._tx.is_active:
                # A connection is invalidated when a sibling field's statement was cancelled
                # (graphql-core cancels the rest of a query once a non-null field fails): roll
                # back what there is. A failed commit propagates: the client must not be told
                # that a mutation succeeded when it did not.
                if self.failed or self._conn.invalidated:
                    await self._tx.rollback()
                else:
                    await self._tx.commit()
        finally:
            await self._conn.close()
            self._conn = self._tx = self._session = None
