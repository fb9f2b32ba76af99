"""Keyset pages over a list ordered by one unique integer key: the SQL every paged list shares.

A repository builds its list as a *filtered statement* (every scope test and filter applied, no
ORDER BY, no LIMIT) and hands it here with its key column and direction (ascending, or
descending for the lists shown newest first). :func:`fetch` runs the page:

* forward (``first``/``after``): ``WHERE key > after [AND key < before] ORDER BY key LIMIT n+1``;
* backward (``last``/``before``): ``WHERE key < before [AND key > after] ORDER BY key DESC
  LIMIT n+1``, the rows then reversed into the list's order;

(``>``/``<`` swapped for a descending list). The extra row only says whether more rows lie
beyond the page in the direction of paging. Never a Python slice of a longer list.

The returned :class:`Page` keeps the filtered statement, so what a client may ask besides the
rows costs a statement only when asked, and is counted over exactly the rows the page is drawn
from (the same scope, the same filters): :meth:`Page.total` (``count(*)``) and, for the side
the page was not paged towards, :meth:`Page.has_previous` / :meth:`Page.has_next` (an
``EXISTS`` on the far side of the cursor).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from partyplan.tenants.session import Session
from partyplan.tenants.shaped import param

from .jsonsql import json_array


@dataclass(frozen=True, slots=True)
class Keyset:
    """Which page: the keys strictly between ``after`` and ``before`` (in the list's order),
    the first ``size`` of them, or the last ``size`` when ``backward``."""

    after: int | None = None
    before: int | None = None
    size: int = 50
    backward: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class Page:
    """``rows`` in the list's order (at most ``keyset.size``); ``more``: rows lie beyond them
    in the direction of paging."""

    rows: list[Any]
    more: bool
    keyset: Keyset
    session: Session
    filtered: sa.Select[Any]
    key: sa.ColumnElement[int]
    descending: bool

    async def total(self) -> int:
        """How many rows the list holds, cursors aside: one ``count(*)``."""
        stmt = sa.select(sa.func.count()).select_from(self.filtered.subquery())
        return int(await self.session.scalar(stmt) or 0)

    async def has_previous(self) -> bool:
        """Rows lie before the page: known from the extra row when paging backward; paging
        forward, whether any row lies at or before ``after`` (none without it)."""
        if self.keyset.backward:
            return self.more
        if self.keyset.after is None:
            return False
        return await self._exists(_behind(self.key, self.keyset.after, self.descending, True))

    async def has_next(self) -> bool:
        """Rows lie after the page: known from the extra row when paging forward; paging
        backward, whether any row lies at or after ``before`` (none without it)."""
        if not self.keyset.backward:
            return self.more
        if self.keyset.before is None:
            return False
        return await self._exists(_ahead(self.key, self.keyset.before, self.descending, True))

    async def _exists(self, condition: sa.ColumnElement[bool]) -> bool:
        stmt = sa.select(sa.exists(self.filtered.where(condition)))
        return bool(await self.session.scalar(stmt))


def _ahead(
    key: sa.ColumnElement[int], cursor: int, descending: bool, inclusive: bool = False
) -> sa.ColumnElement[bool]:
    """``key`` comes after ``cursor`` in the list's order."""
    if descending:
        return key <= cursor if inclusive else key < cursor
    return key >= cursor if inclusive else key > cursor


def _behind(
    key: sa.ColumnElement[int], cursor: int, descending: bool, inclusive: bool = False
) -> sa.ColumnElement[bool]:
    """``key`` comes before ``cursor`` in the list's order."""
    return _ahead(key, cursor, not descending, inclusive)


def between_cursors(
    key: sa.ColumnElement[int], keyset: Keyset, descending: bool = False
) -> sa.ColumnElement[bool]:
    """The keys strictly after ``keyset.after`` and before ``keyset.before``, in the list's
    order (true without cursors)."""
    conditions = []
    if keyset.after is not None:
        conditions.append(_ahead(key, keyset.after, descending))
    if keyset.before is not None:
        conditions.append(_behind(key, keyset.before, descending))
    return sa.and_(sa.true(), *conditions)


async def fetch(
    session: Session,
    filtered: sa.Select[Any],
    key: sa.ColumnElement[int],
    keyset: Keyset,
    *,
    descending: bool = False,
) -> Page:
    """The page ``keyset`` of the list ``filtered`` ordered by ``key`` (unique), in one
    statement."""
    stmt = filtered.where(between_cursors(key, keyset, descending))
    # Backward pages read the list from its far end, then turn the rows round.
    reverse = descending != keyset.backward
    stmt = stmt.order_by(key.desc() if reverse else key.asc()).limit(keyset.size + 1)
    rows = list((await session.execute(stmt)).all())
    more = len(rows) > keyset.size
    rows = rows[: keyset.size]
    if keyset.backward:
        rows.reverse()
    return Page(rows, more, keyset, session, filtered, key, descending)


@dataclass(frozen=True, slots=True)
class PageInSql:
    """A page as parts of one SQL statement, for a response built in PostgreSQL
    (``resolvers/jsonsql.py``): the same rows :func:`fetch` returns, the same answers as
    :class:`Page`'s, each costing nothing unless the statement uses it.

    ``rows``: the CTE ``page_rows`` of the page's rows (at most ``keyset.size``; its columns are
    the filtered statement's), listed in the list's order by :meth:`in_order`. Its columns are
    named in SQL text (:meth:`column`), not as SQLAlchemy proxies: a proxy per column of the
    list's statement, made for every request, cost more Python than the rest of the page."""

    rows: sa.CTE
    fetched: sa.CTE
    keyset: Keyset
    filtered: sa.Select[Any]
    key: sa.ColumnElement[int]
    key_name: str
    descending: bool

    def column(self, name: str) -> sa.ColumnElement[Any]:
        """A column of the page's rows, by name."""
        return _named("page_rows", name)

    def in_order(self) -> list[sa.ColumnElement[Any]]:
        column = self.column(self.key_name)
        return [column.desc() if self.descending else column.asc()]

    def more(self) -> sa.ColumnElement[bool]:
        """Rows lie beyond the page in the direction of paging (the extra row was fetched)."""
        counted = sa.select(sa.func.count()).select_from(self.fetched).scalar_subquery()
        return counted > self.keyset.size

    def has_previous(self) -> sa.ColumnElement[bool]:
        if self.keyset.backward:
            return self.more()
        if self.keyset.after is None:
            return sa.false()
        return self._exists(_behind(self.key, self.keyset.after, self.descending, True))

    def has_next(self) -> sa.ColumnElement[bool]:
        if not self.keyset.backward:
            return self.more()
        if self.keyset.before is None:
            return sa.false()
        return self._exists(_ahead(self.key, self.keyset.before, self.descending, True))

    def total(self) -> sa.ColumnElement[int]:
        return sa.select(sa.func.count()).select_from(self.filtered.subquery()).scalar_subquery()

    def edge_key(self, last: bool) -> sa.ColumnElement[Any]:
        """The key of the page's first (or ``last``) row in the list's order; null if empty."""
        column = self.column(self.key_name)
        ascending = self.descending == last
        return (
            sa.select(column)
            .select_from(self.rows)
            .order_by(column.asc() if ascending else column.desc())
            .limit(1)
            .scalar_subquery()
        )

    def edges(self, element: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        """A JSON array of ``element`` (an expression over :attr:`rows`' columns) for each row
        of the page, in the list's order; ``[]`` for an empty page."""
        array = json_array(element, self.in_order())
        return sa.select(array).select_from(self.rows).scalar_subquery()

    def _exists(self, condition: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
        return sa.exists(self.filtered.where(condition))


def _named(table: str, column: str) -> sa.ColumnElement[Any]:
    return sa.literal_column(f'{table}."{column}"')


def in_sql(
    filtered: sa.Select[Any],
    key: sa.Column[int],
    keyset: Keyset,
    *,
    descending: bool = False,
) -> PageInSql:
    """The page ``keyset`` of ``filtered`` ordered by ``key`` as CTEs, like :func:`fetch`:
    ``n + 1`` rows fetched in the direction of paging (``fetched``), the first ``n`` of them
    kept (``page_rows``)."""
    reverse = descending != keyset.backward
    order = key.desc() if reverse else key.asc()
    fetched = (
        filtered.where(between_cursors(key, keyset, descending))
        .order_by(order)
        .limit(keyset.size + 1)
        .cte("fetched")
    )
    fetched_key = _named("fetched", key.name)
    rows = (
        sa.select(sa.literal_column("fetched.*"))
        .select_from(fetched)
        .order_by(fetched_key.desc() if reverse else fetched_key.asc())
        .limit(keyset.size)
        .cte("page_rows")
    )
    return PageInSql(rows, fetched, keyset, filtered, key, key.name, descending)


def keyset_shape(keyset: Keyset) -> tuple[bool, bool, bool]:
    """What decides a page's statement: which cursors are given, and the direction."""
    return (keyset.after is not None, keyset.before is not None, keyset.backward)


def keyset_values(keyset: Keyset) -> dict[str, int]:
    """The values of the parameters :func:`keyset_template` stands for them with."""
    values = {"p_size": keyset.size}
    if keyset.after is not None:
        values["p_after"] = keyset.after
    if keyset.before is not None:
        values["p_before"] = keyset.before
    return values


def keyset_template(shape: tuple[bool, bool, bool]) -> Keyset:
    """A keyset of the given shape whose cursors and size are parameters."""
    after, before, backward = shape
    # The size is written into the statement's text when it runs (literal_execute): one
    # prepared statement per page size, whose generic plan knows its LIMIT (a LIMIT left a
    # parameter is planned for a tenth of the rows).
    return Keyset(
        after=param("after", sa.BigInteger) if after else None,  # type: ignore[arg-type]
        before=param("before", sa.BigInteger) if before else None,  # type: ignore[arg-type]
        size=sa.bindparam("p_size", type_=sa.Integer, literal_execute=True),  # type: ignore[arg-type]
        backward=backward,
    )


class JsonPages:
    """The JSON statements of one compiled list (a page in SQL, :func:`in_sql`), built once per
    shape of its filter and its keyset (``tenants/shaped.py``), the values passed as parameters.

    ``build`` makes a page's JSON (a compiled document's selection): one instance per selection,
    so the statements it keeps are bounded by the shapes its list can take."""

    def __init__(self, build: Callable[[PageInSql], sa.ColumnElement[Any]]) -> None:
        self.build = build
        self._built: dict[tuple[Any, ...], sa.Select[Any]] = {}

    async def fetch(
        self,
        session: Session,
        template: Callable[[Any], sa.Select[Any]],
        shape: Any,
        values: dict[str, Any],
        key: sa.Column[int],
        keyset: Keyset,
        *,
        descending: bool = False,
    ) -> str:
        """The page ``keyset`` of the list ``template(shape)`` (its parameters' values
        ``values``) ordered by ``key``, as JSON text: one statement."""
        whole = (shape, keyset_shape(keyset), key.name, descending)
        stmt = self._built.get(whole)
        if stmt is None:
            page = in_sql(template(shape), key, keyset_template(whole[1]), descending=descending)
            stmt = self._built[whole] = sa.select(sa.cast(self.build(page), sa.Text))
        return str(await session.scalar(stmt, {**values, **keyset_values(keyset)}))
