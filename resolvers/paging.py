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

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from partyplan.tenants.session import Session


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
