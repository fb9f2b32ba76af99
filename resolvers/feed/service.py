"""Reading the change feed and pruning it.

Invariants:

* **No change is skipped, none is handed out twice.** A page holds rows in (xid, seq) order
  below the horizon its statement saw (``rules``): rows of ended transactions only, so nothing
  can later appear before a cursor already handed out. The reader's own transaction takes no
  transaction id before it reads (a query writes nothing), so it never holds the horizon back;
  if it had one, only its own rows would wait for it to end.
* **Scoped like every list**: rows under the units where the caller holds ``recruit.read``
  (the permission of the objects the feed names), with row-level security below. A caller
  without it anywhere is FORBIDDEN; a change is seen where its object's unit was when it
  changed (a unit move rewrites that path, and reports the objects moved).
* A cursor is valid for the same caller and kinds: another scope or kinds filter may have
  passed rows the new one would have reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.auth.permissions import Permission
from partyplan.tenants.scope import default_subtree
from partyplan.tenants.session import Session

from . import repository
from .rules import START, Position, check_kinds, check_since, decode_cursor, encode_cursor, page_end

READ = Permission.RECRUIT_READ


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    object_id: int
    operation: str
    at: datetime
    cursor: str


@dataclass(frozen=True, slots=True)
class Page:
    changes: list[Change]
    end_cursor: str
    has_next: bool


async def changes(
    session: Session, *, since: str | None, limit: int, kinds: list[str] | None = None
) -> Page:
    """Up to ``limit`` changes after the cursor ``since`` (None: from the oldest kept)."""
    principal = session.principal
    read_paths = principal.paths_with(READ)
    if not read_paths:
        session.require(READ, "")
    position = decode_cursor(since)
    wanted = check_kinds(kinds)
    read = await repository.page(
        session,
        since=position or START,
        limit=limit + 1,
        read_paths=read_paths,
        subtree=default_subtree(principal, READ),
        kinds=wanted,
    )
    check_since(position, read.horizon, read.pruned)
    fetched = [Position(int(r.xid), r.seq) for r in read.rows]
    end, has_next = page_end(position, read.horizon, fetched, limit)
    return Page(
        changes=[
            Change(r.kind, r.object_id, r.operation, r.at, encode_cursor(p))
            for r, p in zip(read.rows[:limit], fetched, strict=False)
        ],
        end_cursor=encode_cursor(end),
        has_next=has_next,
    )


async def prune(
    conn: AsyncConnection, now: datetime, retention: timedelta
) -> tuple[int, Position | None]:
    """Delete the changes older than ``retention`` (as the owner, in the caller's transaction):
    the rows deleted and the new pruned mark. Cursors before the mark are then expired."""
    return await repository.prune(conn, now - retention)
