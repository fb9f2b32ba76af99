"""Reads from a PostgreSQL streaming replica, with read-your-writes.

The service may send the reads its schema declares replica reads (``schema/replica.py``: the
roll-up, the reports and the 12371 export's link; the report workbooks) to a hot standby
(``REPLICA_URL``), never a mutation. A request goes there only when the standby has replayed
the caller's last write, else to the primary; a standby that does not answer is left alone for
:data:`REST_SECONDS` and the primary reads instead. Row-level security is the database's: the
standby has the primary's roles, policies and functions, and the request binds its principal
there exactly as on the primary (``tenants.binding``), as the same service role.

**The caller's last write** is a WAL position (an LSN), taken after a request that wrote
commits (``pg_current_wal_insert_lsn()``: at or past the end of its commit record). It is kept
twice, since the requests of one user reach different service replicas:

* in this process, per user (the token's subject), until a standby has been seen past it
  (:class:`CommitMarks`);
* at the client: the response carries it as the header ``X-Partyplan-LSN`` and the cookie
  ``partyplan_lsn``; a request returns either (a browser returns the cookie by itself), and the
  larger of the two and the process's own is the position the standby must have replayed.

A position a client sends is only ever a lower bound on freshness: a forged one sends its
caller's reads to the primary, nothing more.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections import OrderedDict

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from starlette.responses import Response

from .database import async_url

__all__ = [
    "LSN_COOKIE",
    "LSN_HEADER",
    "CommitMarks",
    "ReplicaRouter",
    "carry",
    "format_lsn",
    "parse_lsn",
]

log = logging.getLogger("partyplan.replica")

LSN_HEADER = "X-Partyplan-LSN"
LSN_COOKIE = "partyplan_lsn"
#: How long a standby that failed is not tried again.
REST_SECONDS = 10.0
#: How long a connection to the standby may take before the primary reads instead.
CONNECT_TIMEOUT_SECONDS = 2.0
#: How long a browser keeps the cookie: a replica further behind than this is a fault anyway.
COOKIE_SECONDS = 3600
#: Users whose last write the process remembers (the oldest are forgotten first).
MAX_MARKS = 100_000

_LSN = re.compile(r"([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})")
_STANDBY = sa.text(
    "SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replayed"
)
_WROTE = sa.text("SELECT pg_current_xact_id_if_assigned() IS NOT NULL")
_INSERTED = sa.text("SELECT pg_current_wal_insert_lsn()::text")


def parse_lsn(text: str | None) -> int | None:
    """``16/B374D848`` as a number; None for anything else (a client's value is not trusted)."""
    if text is None:
        return None
    match = _LSN.fullmatch(text.strip())
    return None if match is None else (int(match[1], 16) << 32) | int(match[2], 16)


def format_lsn(lsn: int) -> str:
    return f"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}"


class CommitMarks:
    """The last commit position of each user who wrote through this process, forgotten once a
    standby has been seen past it (it can matter no more) or when :data:`MAX_MARKS` newer
    ones crowd it out."""

    def __init__(self, limit: int = MAX_MARKS) -> None:
        self._marks: OrderedDict[str, int] = OrderedDict()
        self._limit = limit
        self.replayed = 0  # the furthest position a standby was seen at

    def note(self, user: str, lsn: int) -> None:
        if lsn <= self.replayed:
            return
        self._marks[user] = max(lsn, self._marks.get(user, 0))
        self._marks.move_to_end(user)
        while len(self._marks) > self._limit:
            self._marks.popitem(last=False)

    def of(self, user: str | None) -> int | None:
        return None if user is None else self._marks.get(user)

    def seen(self, replayed: int) -> None:
        """A standby has replayed up to ``replayed``: marks at or before it are done."""
        if replayed > self.replayed:
            self.replayed = replayed
            for user in [u for u, lsn in self._marks.items() if lsn <= replayed]:
                del self._marks[user]

    def __len__(self) -> int:
        return len(self._marks)


async def wrote(conn: AsyncConnection) -> bool:
    """Whether the transaction on ``conn`` wrote (has a transaction id): asked before its
    commit, so that only a write costs the position read after it."""
    return bool(await conn.scalar(_WROTE))


async def position_after_commit(conn: AsyncConnection) -> int | None:
    """The primary's WAL insert position, read after a commit on ``conn``: at or past the end
    of that commit's record, so a standby replayed to it has the commit."""
    return parse_lsn(await conn.scalar(_INSERTED))


class ReplicaRouter:
    """The standby's engine, and the choice between it and the primary for one request."""

    def __init__(self, url: str, pool_size: int) -> None:
        self.engine: AsyncEngine = create_async_engine(
            async_url(url),
            pool_size=pool_size,
            max_overflow=0,
            # A standby that is gone must cost a request little: it then reads on the primary.
            connect_args={"timeout": CONNECT_TIMEOUT_SECONDS},
            pool_pre_ping=False,
        )
        self.marks = CommitMarks()
        self._resting_until = 0.0
        self.reads = {"replica": 0, "primary": 0}  # requests routed, since the start

    def required(self, user: str | None, carried: int | None) -> int:
        """The position a standby must have replayed for this caller's reads."""
        return max(self.marks.of(user) or 0, carried or 0)

    async def connect(self, required: int) -> AsyncConnection | None:
        """A connection to the standby, in a transaction begun, when it is a standby that has
        replayed ``required``; None when it is behind, resting after a failure, or does not
        answer (the caller reads on the primary)."""
        if time.monotonic() < self._resting_until:
            return self._primary()
        conn: AsyncConnection | None = None
        try:
            conn = await self.engine.connect()
            await conn.begin()
            row = (await conn.execute(_STANDBY)).one()
        except Exception as error:  # noqa: BLE001 - whatever the failure, the primary reads
            if conn is not None:
                await _close_quietly(conn)
            await self._rest(error)
            return self._primary()
        replayed = parse_lsn(row.replayed)
        if not row.standby or replayed is None:
            # Promoted, or never a standby: it follows the primary no more.
            log.warning("the replica is not in recovery; reading on the primary")
            await _close_quietly(conn)
            self._resting_until = time.monotonic() + REST_SECONDS
            return self._primary()
        self.marks.seen(replayed)
        if replayed < required:
            await _close_quietly(conn)
            return self._primary()
        self.reads["replica"] += 1
        return conn

    def _primary(self) -> None:
        self.reads["primary"] += 1
        return None

    async def _rest(self, error: BaseException) -> None:
        log.warning(
            "the replica does not answer (%s); reading on the primary for %ss",
            error.__class__.__name__,
            REST_SECONDS,
        )
        self._resting_until = time.monotonic() + REST_SECONDS
        # Its pooled connections died with it (a restart): the next try opens new ones.
        await self.engine.dispose()

    async def dispose(self) -> None:
        await self.engine.dispose()


async def _close_quietly(conn: AsyncConnection) -> None:
    try:
        await conn.close()
    except Exception:  # noqa: BLE001 - a broken connection is discarded either way
        with contextlib.suppress(Exception):
            await conn.invalidate()


def carry(response: Response, lsn: int, secure: bool) -> None:
    """Give the client its last write's position, to return with its next requests."""
    text = format_lsn(lsn)
    response.headers[LSN_HEADER] = text
    response.set_cookie(
        LSN_COOKIE,
        text,
        max_age=COOKIE_SECONDS,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def replica_url(url: str, service_url: str) -> str:
    """``REPLICA_URL`` with the service's credentials when it names no user."""
    parsed = make_url(async_url(url))
    if parsed.username is None:
        service = make_url(async_url(service_url))
        parsed = parsed.set(username=service.username, password=service.password)
    return parsed.render_as_string(hide_password=False)
