"""The feed's positions and cursors, and where a page ends: pure.

A position is ``(xid, seq)``: the writing transaction's 64-bit id and the outbox row's number.
The feed hands out rows in position order, only those of transactions older than the
*horizon*, the oldest transaction still in flight when the reading statement took its
snapshot (``pg_snapshot_xmin``). Every transaction below the horizon has ended, and no
transaction can take an id below it again, so the rows below it are final: a reader that has
passed a position never sees a row appear before it, whatever order transactions committed in.

A page that reached the end of what is final ends at ``(horizon, 0)``: every row below the
horizon has been considered, and the next page starts at the first row of the horizon's own
transaction (seq starts at 1). That cursor advances even when the caller's scope or kinds
matched nothing, so a quiet school's poller neither rescans the other schools' changes nor
falls behind the pruned mark. The horizon never goes backwards (a later snapshot's oldest
running transaction is never older), so a cursor beyond the current horizon was never issued.

A cursor is ``feed:1:<xid>:<seq>`` in unpadded base64url: opaque to clients, versioned, and
decoded strictly (one spelling per position; anything else is refused, never half-read).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from .errors import FeedError, FeedErrorCode

#: The kinds of object whose changes the feed reports (the outbox's ``kind``).
KINDS = ("recruit", "step", "member", "filing")
OPERATIONS = ("created", "updated", "deleted")

_VERSION = "feed:1"
_BODY = re.compile(r"feed:1:(0|[1-9][0-9]{0,19}):(0|[1-9][0-9]{0,18})")
_B64 = re.compile(r"[A-Za-z0-9_-]{1,64}")
XID_MAX = 2**64 - 1
SEQ_MAX = 2**63 - 1


@dataclass(frozen=True, order=True, slots=True)
class Position:
    """Where the feed stands: after the row ``(xid, seq)``; ordered as the feed is."""

    xid: int
    seq: int


START = Position(0, 0)


def encode_cursor(position: Position) -> str:
    body = f"{_VERSION}:{position.xid}:{position.seq}".encode("ascii")
    return base64.urlsafe_b64encode(body).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None) -> Position | None:
    """The position a cursor of ours names (None: from the start); INVALID_CURSOR otherwise."""
    if cursor is None:
        return None
    if not _B64.fullmatch(cursor):
        raise _invalid()
    try:
        body = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError) as error:
        raise _invalid() from error
    match = _BODY.fullmatch(body)
    if match is None:
        raise _invalid()
    position = Position(int(match[1]), int(match[2]))
    if position.xid > XID_MAX or position.seq > SEQ_MAX or encode_cursor(position) != cursor:
        raise _invalid()
    return position


def _invalid() -> FeedError:
    return FeedError(FeedErrorCode.INVALID_CURSOR, "该游标不是本变更流发出的", "since")


def check_since(since: Position | None, horizon: int, pruned: Position | None) -> None:
    """A cursor beyond the horizon was never issued (INVALID_CURSOR); one before the pruned
    mark may have missed deleted changes (CURSOR_EXPIRED). Without a cursor the feed starts
    at the oldest change kept: never expired."""
    if since is None:
        return
    if since > Position(horizon, 0):
        raise _invalid()
    if pruned is not None and since < pruned:
        raise FeedError(
            FeedErrorCode.CURSOR_EXPIRED,
            "该游标早于变更流的保留期限，其后的变更已被清理：请重新读取当前数据，"
            "再从不带 since 的游标开始轮询",
            "since",
        )


def check_kinds(kinds: list[str] | None) -> tuple[str, ...] | None:
    """None: every kind. An empty list would silently skip everything: refused."""
    if kinds is None:
        return None
    if not kinds or any(k not in KINDS for k in kinds):
        raise FeedError(
            FeedErrorCode.INVALID_KINDS,
            f"请至少指定一种变更类型，可选：{'、'.join(KINDS)}",
            "kinds",
        )
    return tuple(sorted(set(kinds)))


def page_end(
    since: Position | None, horizon: int, fetched: list[Position], limit: int
) -> tuple[Position, bool]:
    """The page's end cursor and whether more follows. ``fetched`` are the positions read
    with ``LIMIT limit + 1``: a row past ``limit`` only says the page is full. A page that is
    not full has read everything final: it ends at the horizon (never before ``since``)."""
    if len(fetched) > limit:
        return fetched[limit - 1], True
    end = Position(horizon, 0)
    return (end if since is None else max(since, end)), False
