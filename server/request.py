"""The request context: one per HTTP request, for the GraphQL endpoint and the plain routes (the
workbook downloads) alike, and the one owner of the request's transaction.

A request opens at most one connection and one transaction, on first use, bound to the
caller's scope (``tenants.binding``: the row-level-security settings, local to the
transaction). :meth:`RequestContext.transaction` spans the request: it commits when the
request succeeded and rolls back otherwise — an exception, a route that answered an error, a
GraphQL response with any error, a mutation answered with typed errors (the schema marks the
request ``failed``). Nothing else commits: services never do, the schema only marks failure.
A commit that fails is :class:`NotCommitted`, which every route answers as a coded JSON 503.
The context satisfies ``schema.context.Context``, the protocol the GraphQL layer reads.

PII returned in clear is gathered on the context (``disclosures``) and audited once, at the end:
in the request's transaction when it commits, in one of its own when it rolls back (what was
sent was disclosed all the same).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction
from starlette.requests import Request

from partyplan.auth.errors import NotAuthenticated
from partyplan.auth.links import LinkError, LinkService
from partyplan.auth.tokens import TokenClaims, TokenError
from partyplan.resolvers.audit.service import Disclosures
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.schema.policies.admission import ANONYMOUS, Caller
from partyplan.tenants.session import Session

from .observability import note_caller
from .platform import Platform
from .replica import (
    LSN_COOKIE,
    LSN_HEADER,
    ReplicaRouter,
    parse_lsn,
    position_after_commit,
    wrote,
)
from .settings import Settings

T = TypeVar("T")
log = logging.getLogger("partyplan")


class NotCommitted(Exception):
    """A request that succeeded, whose commit failed: the database restarted, failed over or
    dropped the connection under it. Its response is not sent, since it may tell of writes
    that were not kept; every route answers this instead, as JSON: ``SERVICE_UNAVAILABLE``,
    HTTP 503 with ``Retry-After``. Whether the commit reached the database before the
    connection went is not known, so the caller is told to check before sending it again."""

    code = "SERVICE_UNAVAILABLE"
    status = 503
    message = "数据库未能确认保存本次请求，请稍后核对结果后再重试"
    headers = {"Retry-After": "5"}

    def body(self) -> dict[str, Any]:
        """As a GraphQL response's errors (the shape of every ``/graphql`` refusal)."""
        return {"errors": [{"message": self.message, "extensions": {"code": self.code}}]}


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
    # Mints (and, on the download routes, verifies) the links that open one workbook.
    links: LinkService | None = None
    # PII the request returned in clear: audited once, at its end (see _finish).
    disclosures: Disclosures = field(default_factory=Disclosures)
    # What the caller may send, set by the GraphQL view before execution (server/app.py): who
    # it is for the limits, and the cost budget schema/cost.py holds its document to.
    caller: Caller = ANONYMOUS
    cost_budget: int | None = None
    # Reads from a streaming replica (server/replica.py): the platform's router, the position
    # the client carried back, whether the request may read there (schema/replica.py) and
    # whether it does; the commit position of what it wrote, for its response.
    replica: ReplicaRouter | None = None
    carried_lsn: int | None = None
    replica_allowed: bool = False
    on_replica: bool = False
    commit_lsn: int | None = None
    # Statements planned generically (tenants/binding.py): set by a compiled document before
    # it binds (schema/compiled), whose statements are kept with their values as parameters.
    generic_plans: bool = False
    _session: Session | None = None
    _conn: AsyncConnection | None = None
    _tx: AsyncTransaction | None = None
    _opening: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def of(cls, platform: Platform, request: Request) -> RequestContext:
        """A request's context: its verified token (if any); the session opens on first use."""
        claims, error = _claims(platform, request.headers.get("authorization"))
        return cls._made(platform, request, claims, error)

    @classmethod
    def _made(
        cls, platform: Platform, request: Request, claims: TokenClaims | None, error: str | None
    ) -> RequestContext:
        assert platform.engine is not None
        note_caller(claims)  # the access line's user and client (server/observability)
        return cls(
            request=request,
            settings=platform.settings,
            engine=platform.engine,
            claims=claims,
            pii=platform.pii,
            auth_error=error,
            links=platform.links,
            replica=platform.replica,
            carried_lsn=None if platform.replica is None else _carried(request),
        )

    @classmethod
    def of_link(
        cls, platform: Platform, request: Request, token: str, path: str | None
    ) -> RequestContext:
        """A download's context from a link token (``?token=``) instead of the header: bound,
        on first use, exactly as the access token the link was asked with would be (its user,
        client, scope, grant and token id). ``path`` is the canonical path of the file asked
        for (None when the URL names no object): a link for any other file is refused."""
        claims, error = None, None
        try:
            if path is None:
                raise LinkError("wrong_target")
            link = platform.links.verify(token, path)
            claims = TokenClaims(
                subject=link.subject,
                issued_at=link.issued_at,
                expires_at=link.expires_at,
                token_id=link.token_id or link.link_id,
                client_id=link.client_id,
                scope=link.scope,
                grant_id=link.grant_id,
            )
        except LinkError as refused:
            error = f"invalid download link ({refused.reason})"
        return cls._made(platform, request, claims, error)

    @property
    def client_address(self) -> str | None:
        """The connection's peer (uvicorn puts a trusted proxy's X-Forwarded-For there)."""
        client = None if self.request is None else self.request.client
        return None if client is None else client.host

    def own_transaction(self) -> contextlib.AbstractAsyncContextManager[AsyncConnection]:
        """A connection of the pool in a transaction apart from the request's (see
        ``schema.context.Context.own_transaction``)."""
        return self.engine.begin()

    def read_from_replica(self) -> None:
        """The request's reads may come from the replica (see ``schema.context.Context``)."""
        self.replica_allowed = True

    def download_link(self, path: str) -> str:
        """A link opening ``path`` for the caller, never outliving the caller's token."""
        if self.claims is None or self.links is None:
            raise NotAuthenticated(self.auth_error)
        claims = self.claims
        return self.links.mint(
            claims.subject,
            path,
            client_id=claims.client_id,
            scope=claims.scope,
            grant_id=claims.grant_id,
            token_id=claims.token_id,
            not_after=claims.expires_at,
        )

    async def session(self) -> Session:
        """The request's session; UNAUTHENTICATED without a valid token."""
        if self._session is not None:
            return self._session
        if self.claims is None:
            raise NotAuthenticated(self.auth_error)
        async with self._opening:
            if self._session is None:
                try:
                    self._session = await self._bound(await self._connect())
                except NotAuthenticated:
                    if not self.on_replica:
                        raise
                    # A user, client or grant made a moment ago may not be on the replica
                    # yet: the primary decides.
                    await self._release()
                    self._session = await self._bound(await self._connect(replica=False))
        return self._session

    async def _bound(self, conn: AsyncConnection) -> Session:
        claims = self.claims
        assert claims is not None
        return await Session.bound(
            conn,
            int(claims.subject),
            claims.client_id,
            grant_id=claims.grant_id,
            token_id=claims.token_id,
            scope=claims.scope,
            generic_plans=self.generic_plans,
        )

    async def _release(self) -> None:
        """Give back the connection of a session that was not bound (its transaction read)."""
        if self._conn is not None:
            await self._conn.close()
        self._conn = self._tx = None

    async def _connect(self, replica: bool = True) -> AsyncConnection:
        """The request's connection, its transaction begun: on the replica when the request
        may read there and the replica has the caller's last write, else on the primary."""
        conn = None
        if replica and self.replica is not None and self.replica_allowed and self.claims:
            required = self.replica.required(self.claims.subject, self.carried_lsn)
            conn = await self.replica.connect(required)
        self.on_replica = conn is not None
        if conn is None:
            conn = await self.engine.connect()
            self._conn = conn
            self._tx = await conn.begin()
        else:
            self._conn, self._tx = conn, conn.get_transaction()
        return conn

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
                # back what there is. A failed commit is NotCommitted: the client must not be
                # told that a request succeeded when it did not.
                if self.failed or self._conn.invalidated:
                    await self._roll_back()
                else:
                    await self._commit()
        finally:
            await self._conn.close()
            self._conn = self._tx = self._session = None
        if self.disclosures:  # not written: the request rolled back
            self.disclosures.roll_back()
            if self.disclosures:  # what is left was sent all the same
                await self._audit_disclosures_apart()

    async def _commit(self) -> None:
        assert self._tx is not None and self._conn is not None
        # The replica's transaction is read only: PII it returned is audited on the primary,
        # apart, once it ends (_finish).
        noting = self.replica is not None and not self.on_replica
        try:
            if self.disclosures and self._session is not None and not self.on_replica:
                await self.disclosures.write(self._session)
            written = noting and await wrote(self._conn)
            await self._tx.commit()
        except DBAPIError as error:
            self.failed = True
            log.warning("a request's commit failed: %s", error.__class__.__name__)
            raise NotCommitted from error
        if written:
            await self._note_commit()

    async def _note_commit(self) -> None:
        """Remember where the caller's write ended, for its next replica reads: in this
        process, and in the response (``X-Partyplan-LSN``, server/replica.py)."""
        assert self._conn is not None and self.replica is not None
        try:
            self.commit_lsn = await position_after_commit(self._conn)
        except DBAPIError as error:  # committed all the same; its reads may be stale
            log.warning("a write's position could not be read: %s", error.__class__.__name__)
            return
        if self.commit_lsn is not None and self.claims is not None:
            self.replica.marks.note(self.claims.subject, self.commit_lsn)

    async def _roll_back(self) -> None:
        assert self._tx is not None
        try:
            await self._tx.rollback()
        except DBAPIError as error:
            # The connection is gone, and with it what was not committed: the request's own
            # answer (an error already) stands.
            log.warning("a request's rollback failed: %s", error.__class__.__name__)

    async def _audit_disclosures_apart(self) -> None:
        """The request rolled back, but the PII it returned in clear may have been disclosed all
        the same (a GraphQL response carries the data of the fields that succeeded beside the
        errors wherever a nullable field failed), so its audit entries are written anyway, in a transaction of their own bound to the same
        caller. Should that fail, the exception propagates and the response is not sent: a
        disclosure that cannot be audited is not made. A mutation's payloads are never sent
        when the request fails (``Disclosures.roll_back``); a value that a later error dropped
        from a query's response is still recorded: over-recording, never under-recording."""
        claims = self.claims
        assert claims is not None  # PII is returned only through a bound session
        async with self.engine.begin() as conn:
            session = await Session.bound(
                conn,
                int(claims.subject),
                claims.client_id,
                grant_id=claims.grant_id,
                token_id=claims.token_id,
                scope=claims.scope,
            )
            await self.disclosures.write(session)


def _carried(request: Request) -> int | None:
    """The last write's position the client returned (header or cookie), if any."""
    found = [
        parse_lsn(request.headers.get(LSN_HEADER)),
        parse_lsn(request.cookies.get(LSN_COOKIE)),
    ]
    return max((lsn for lsn in found if lsn is not None), default=None)


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
