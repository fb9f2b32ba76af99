"""A paged list compiled: the connection's ``pageInfo``, ``edges { cursor node }`` and
``totalCount`` built over a page in SQL (``resolvers/paging.PageInSql``), the node by its type's
map. Each list root says how its page is drawn (:meth:`ConnectionField.page_json`): the same
checks and the same filtered statement as its ordinary resolver."""

from __future__ import annotations

from functools import partial
from typing import Any

import sqlalchemy as sa

from partyplan.resolvers.jsonsql import cursor, json_name, json_object
from partyplan.resolvers.paging import JsonPages, Keyset, PageInSql
from partyplan.tenants.session import Session

from ..pagination import keyset
from .objects import Columns, ObjectSql, Precompiled
from .selection import NotCompiled, Selected

_PAGE_INFO = {"hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "__typename"}
_EDGE = {"cursor", "node", "__typename"}


class ConnectionField:
    """A root field returning ``Connection[T]``, ``T`` answered by :attr:`node`."""

    node: ObjectSql
    #: The list's key column (its rows' ids: a cursor is made of it).
    key = "id"

    def __init__(self, selected: Selected) -> None:
        for child in selected.children:
            if child.name == "pageInfo":
                _only(child, _PAGE_INFO)
            elif child.name == "edges":
                _only(child, _EDGE)
                for node in child.child("node"):
                    self.node.check(node.children)
            elif child.name not in ("totalCount", "__typename"):
                raise NotCompiled(f"{selected.name}: Connection.{child.name} is not compiled")
        self.selected = selected
        # Each ``edges`` selection's JSON over a row of the page (the CTE ``page_rows``).
        self._edges = {
            child.key: Precompiled(partial(self._edge, child), "page_rows")
            for child in selected.children
            if child.name == "edges"
        }
        self.pages = JsonPages(self.build)

    async def run(self, context: Any, session: Session, arguments: dict[str, Any]) -> str:
        page = keyset(
            context.settings.max_page_size,
            arguments.get("first"),
            arguments.get("after"),
            arguments.get("last"),
            arguments.get("before"),
        )
        return await self.page_json(context, session, arguments, page)

    async def page_json(
        self, context: Any, session: Session, arguments: dict[str, Any], page: Keyset
    ) -> str:
        """The ordinary resolver's checks, then its page built by :meth:`build`."""
        raise NotImplementedError

    def build(self, page: PageInSql) -> sa.ColumnElement[Any]:
        pairs: list[tuple[str, sa.ColumnElement[Any]]] = []
        for child in self.selected.children:
            if child.name == "__typename":
                pairs.append((child.key, json_name(child.parent.name)))
            elif child.name == "totalCount":
                pairs.append((child.key, page.total()))
            elif child.name == "pageInfo":
                pairs.append((child.key, _page_info(child, page)))
            else:
                pairs.append((child.key, page.edges(self._edges[child.key].expression())))
        return json_object(pairs)

    def _edge(self, edges: Selected, columns: Columns) -> sa.ColumnElement[Any]:
        pairs: list[tuple[str, sa.ColumnElement[Any]]] = []
        for child in edges.children:
            if child.name == "__typename":
                pairs.append((child.key, json_name(child.parent.name)))
            elif child.name == "cursor":
                pairs.append((child.key, cursor(columns(self.key))))
            else:
                pairs.append((child.key, self.node.build(child.children, columns)))
        return json_object(pairs)


def _page_info(selected: Selected, page: PageInSql) -> sa.ColumnElement[Any]:
    values = {
        "hasNextPage": page.has_next,
        "hasPreviousPage": page.has_previous,
        "startCursor": lambda: cursor(page.edge_key(last=False)),
        "endCursor": lambda: cursor(page.edge_key(last=True)),
        "__typename": lambda: json_name(selected.children[0].parent.name),
    }
    return json_object([(c.key, values[c.name]()) for c in selected.children])


def _only(selected: Selected, names: set[str]) -> None:
    for child in selected.children:
        if child.name not in names or (child.name != "node" and child.children):
            raise NotCompiled(f"{child.parent.name}.{child.name} is not compiled")
