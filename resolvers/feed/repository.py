"""All SQL of the change feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from partyplan.models.feed import Xid8, change_outbox, change_outbox_pruned
from partyplan.tenants.scope import Subtree, descendant_of_any, in_subtree

from .rules import Position

_o = change_outbox
_m = change_outbox_pruned


def _xid(value: int) -> sa.ColumnElement[Any]:
    """An xid8 parameter, sent as text (asyncpg has no codec for xid8)."""
    return sa.cast(sa.cast(sa.literal(str(value)), sa.Text), Xid8)


def _horizon() -> sa.ColumnElement[Any]:
    """The oldest transaction in flight as the statement's snapshot saw it: every transaction
    below it has ended. Taken from the statement's own snapshot, it holds for every row the
    same statement reads."""
    return sa.func.pg_snapshot_xmin(sa.func.pg_current_snapshot(), type_=Xid8)


@dataclass(frozen=True)
class Read:
    horizon: int
    pruned: Position | None
    rows: list[sa.Row[Any]]


async def page(
    conn: Any,
    *,
    since: Position,
    limit: int,
    read_paths: list[str],
    subtree: Subtree | None,
    kinds: tuple[str, ...] | None,
) -> Read:
    """The rows after ``since`` below the horizon, in feed order, with the horizon and the
    pruned mark, all read by one statement: one snapshot, so that the rows, the horizon they
    are final below and the mark they were pruned to agree (a prune or a commit between two
    statements would otherwise make a page skip or miss an expiry)."""
    horizon = sa.select(_horizon().label("horizon")).subquery("h")
    where = [
        _o.c.xid < horizon.c.horizon,
        sa.tuple_(_o.c.xid, _o.c.seq) > sa.tuple_(_xid(since.xid), sa.literal(since.seq)),
        descendant_of_any(_o.c.unit_path, read_paths),
    ]
    if subtree is not None and subtree.school_id is not None:
        # One school: its index, in feed order. A commission's subtree adds nothing to the
        # scope test but a path test estimated at 0.1% of the rows, which would turn the walk
        # down (xid, seq) into a sort of every row after the cursor.
        where.append(in_subtree(_o.c.unit_path, _o.c.school_id, subtree))
    if kinds is not None:
        where.append(_o.c.kind.in_(kinds))
    rows = (
        sa.select(_o.c.xid, _o.c.seq, _o.c.at, _o.c.kind, _o.c.object_id, _o.c.operation)
        .where(*where)
        .order_by(_o.c.xid, _o.c.seq)
        .limit(limit)
        .lateral("c")
    )
    stmt = (
        sa.select(
            sa.cast(horizon.c.horizon, sa.Text).label("horizon"),
            sa.cast(_m.c.xid, sa.Text).label("pruned_xid"),
            _m.c.seq.label("pruned_seq"),
            sa.cast(rows.c.xid, sa.Text).label("xid"),
            rows.c.seq,
            rows.c.at,
            rows.c.kind,
            rows.c.object_id,
            rows.c.operation,
        )
        .select_from(horizon.outerjoin(_m, sa.true()).outerjoin(rows, sa.true()))
        .order_by(rows.c.xid, rows.c.seq)
    )
    result = (await conn.execute(stmt)).all()
    first = result[0]
    pruned = None if first.pruned_xid is None else Position(int(first.pruned_xid), first.pruned_seq)
    return Read(int(first.horizon), pruned, [r for r in result if r.seq is not None])


#: The last row to prune: before the first row written at or after the cutoff and below the
#: horizon (``(horizon, 0)`` bounds both), so that everything up to it is old and final. One
#: statement, one snapshot; a backward index scan from the bound.
_LAST_TO_PRUNE = sa.text(
    """
    WITH first_kept AS (
        SELECT xid, seq FROM change_outbox WHERE at >= :cutoff ORDER BY xid, seq LIMIT 1
    ), bound AS (
        SELECT xid, seq FROM first_kept
        UNION ALL SELECT pg_snapshot_xmin(pg_current_snapshot()), 0
        ORDER BY xid, seq LIMIT 1
    )
    SELECT o.xid::text AS xid, o.seq FROM change_outbox o
    WHERE (o.xid, o.seq) < (SELECT xid, seq FROM bound)
    ORDER BY o.xid DESC, o.seq DESC LIMIT 1
    """
)


async def prune(conn: Any, cutoff: datetime) -> tuple[int, Position | None]:
    """Delete the feed's prefix of finished transactions up to the first row written at or
    after ``cutoff``, and move the pruned mark to the last row deleted; as the owner (every
    school). A prefix, not every old row: the mark must bound everything deleted. Every row up
    to the mark belongs to a transaction that had ended when the mark was read, so none can
    appear there after it. Returns the rows deleted and the mark (None: nothing to prune)."""
    row = (await conn.execute(_LAST_TO_PRUNE, {"cutoff": cutoff})).first()
    if row is None:
        return 0, None
    mark = Position(int(row.xid), row.seq)
    bound = sa.tuple_(_xid(mark.xid), sa.literal(mark.seq))
    deleted = await conn.execute(sa.delete(_o).where(sa.tuple_(_o.c.xid, _o.c.seq) <= bound))
    upsert = insert(_m).values(id=True, xid=_xid(mark.xid), seq=mark.seq, pruned_at=sa.func.now())
    upsert = upsert.on_conflict_do_update(
        index_elements=[_m.c.id],
        set_={"xid": upsert.excluded.xid, "seq": upsert.excluded.seq, "pruned_at": sa.func.now()},
        where=sa.tuple_(_m.c.xid, _m.c.seq) < sa.tuple_(upsert.excluded.xid, upsert.excluded.seq),
    )
    await conn.execute(upsert)
    return deleted.rowcount, mark
