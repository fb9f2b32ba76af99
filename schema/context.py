"""What the GraphQL layer needs from a request's context, as protocols.

The server builds the context (``server/request.py``: the request context that owns the
transaction, for the GraphQL endpoint and the plain routes alike); the schema reads it through
these protocols only, so ``schema/`` never imports ``server/`` (docs/architecture.md's layers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

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
