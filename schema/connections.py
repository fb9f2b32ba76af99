"""The connection type every paged list returns, and its construction from a keyset page.

``Connection[T]`` is relay's connection (the same ``<T>Connection`` name, ``pageInfo`` and
``edges``) plus ``totalCount``. What a page costs beyond its one statement is paid only when
selected: ``totalCount`` resolves through the page's own count (a ``count(*)`` over the same
filtered statement, so exactly the rows the caller may see), and the side of ``pageInfo`` the
client did not page towards (``hasPreviousPage`` after ``first``/``after``, ``hasNextPage``
after ``last``/``before``) is looked up only when the client selected it.

``Edge``, ``PageInfo`` and ``Connection`` restate relay's fields only to describe them Chinese
first (the same names and fields).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

import strawberry
from strawberry import relay
from strawberry.relay.types import NodeType

from .pagination import encode_cursor
from .selection import selects

T = TypeVar("T")


class PageOfRows(Protocol):
    """A page as the connection reads it (``resolvers.paging.Page``, or a batched one)."""

    rows: list[Any]

    def total(self) -> Awaitable[int]: ...
    def has_previous(self) -> Awaitable[bool]: ...
    def has_next(self) -> Awaitable[bool]: ...


TOTAL_COUNT = (
    "总数：how many items the list holds for this caller under the same filters, whatever the "
    "page (`first`/`last`/cursors aside). Counted only when selected."
)


@strawberry.type(
    name="Edge", description="边：one item of a page and the cursor that marks its place."
)
class Edge(relay.Edge[NodeType]):
    cursor: str = strawberry.field(
        description="游标：this item's place in the list, opaque; pass it as `after` or `before` "
        "to page from here."
    )
    node: NodeType = strawberry.field(description="节点：the item itself.")


@strawberry.type(
    name="PageInfo",
    description="分页信息：where this page lies in the list, for fetching the next.",
)
class PageInfo(relay.PageInfo):
    """relay's page info, restated only to describe it Chinese first (same name, same fields)."""

    has_next_page: bool = strawberry.field(
        description="有下一页：true when more items follow this page in the list."
    )
    has_previous_page: bool = strawberry.field(
        description="有上一页：true when more items come before this page in the list."
    )
    start_cursor: str | None = strawberry.field(
        description="首项游标：the cursor of this page's first item; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="末项游标：the cursor of this page's last item; null when the page is empty."
    )


CONNECTION = (
    "分页列表：one page of a list, its items in the order the field states, with what is "
    "needed to fetch the next or previous page."
)


# Named "Connection" like relay's, so that ``PlainConnection[Change]`` is ``ChangeConnection``.
@strawberry.type(name="Connection", description=CONNECTION)
class PlainConnection(relay.Connection[NodeType]):
    """A connection without ``totalCount``, for a list whose size is not counted (a feed)."""

    # Restated (same names and types as relay's) only to carry Chinese-first descriptions.
    page_info: PageInfo = strawberry.field(
        description="分页信息：whether there are more items either way, and the cursors of this "
        "page's first and last items."
    )
    edges: list[Edge[NodeType]] = strawberry.field(
        description="边：the items of this page, each with its cursor, in the list's order; "
        "empty when nothing matches."
    )


@strawberry.type(name="Connection", description=CONNECTION)
class Connection(PlainConnection[NodeType]):
    counted: strawberry.Private[Callable[[], Awaitable[int]] | None] = None

    @strawberry.field(description=TOTAL_COUNT)
    async def total_count(self) -> int:
        if self.counted is None:  # built without a page: its edges are the whole list
            return len(self.edges)
        return await self.counted()


async def connection(
    info: strawberry.Info,
    page: PageOfRows,
    to_node: Callable[[Any], T],
    key: str = "id",
) -> Connection[T]:
    """``page``'s rows as edges (cursor: the row's ``key``), the page info the client selected
    computed, ``totalCount`` left to run when resolved."""
    selected = info.selected_fields[0].selections
    edges = [Edge(cursor=encode_cursor(getattr(r, key)), node=to_node(r)) for r in page.rows]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=selects(selected, ("pageInfo", "hasNextPage")) and await page.has_next(),
            has_previous_page=selects(selected, ("pageInfo", "hasPreviousPage"))
            and await page.has_previous(),
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        counted=page.total,
    )
