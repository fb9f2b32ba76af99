"""What the GraphQL layer needs from a request's context, as protocols.

The server builds the context (``server/request.py``: the request context that owns the
transaction, for the GraphQL endpoint and the plain routes alike); the schema reads it through
these protocols only, so ``schema/`` never imports ``server/`` (docs/architecture.md's layers).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.resolvers.audit.service import Disclosures
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.tenants.session import Session

T = TypeVar("T")


class SchemaSettings(Protocol):
    """The settings the schema reads (the server's ``Settings`` satisfies it)."""

    @property
    def timezone(self) -> str: ...

    @property
    def max_page_size(self) -> int: ...

    @property
    def max_query_depth(self) -> int: ...

    @property
    def max_aliases(self) -> int: ...

    @property
    def max_tokens(self) -> int: ...

    @property
    def is_production(self) -> bool: ...

    @property
    def import_max_bytes(self) -> int: ...

    @property
    def import_max_rows(self) -> int: ...


class Context(Protocol):
    """A request's context as resolvers see it (``info.context``)."""

    #: Set when the request must not commit: an unexpected error, a mutation answered with
    #: typed errors. The request's owner then rolls its transaction back, whole.
    failed: bool

    @property
    def settings(self) -> SchemaSettings: ...

    @property
    def pii(self) -> PiiCipher | None: ...

    async def session(self) -> Session:
        """The request's session: its one transaction, bound to the caller's scope, opened on
        first use; UNAUTHENTICATED without a valid token. Never commit it."""
        ...

    def loader(self, key: str, factory: Callable[[Any], T]) -> T:
        """The request's object under ``key``, made by ``factory(context)`` on first use (its
        DataLoaders: never shared between requests, they cache rows)."""
        ...

    @property
    def disclosures(self) -> Disclosures:
        """Personal data returned in clear by this request: record each value as it is
        returned; the request's owner audits them once, at its end, even when it rolls back."""
        ...

    @property
    def client_address(self) -> str | None:
        """The address the request came from (the connection's peer, or what a trusted proxy
        said it was); None when unknown."""
        ...

    def own_transaction(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A new connection in a transaction of its own, apart from the request's: committed
        when the block ends normally, rolled back when it raises, whatever becomes of the
        request. No principal is bound on it: only what needs none (the sign-in bookkeeping,
        whose failure counts must survive the refused request) runs there."""
        ...

    def read_from_replica(self) -> None:
        """The request selects declared replica reads only (``schema/replica.py``): its
        session may open on a streaming replica that has the caller's last write. Called before
        any resolver; the server decides when the session opens."""
        ...

    def download_link(self, path: str) -> str:
        """A link token opening ``path`` only (``auth.links``), a few minutes long, bound to the
        caller and to the client, scope and grant of its token. Call after ``session()``."""
        ...
