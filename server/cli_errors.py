"""What the command line tells an operator when a command cannot do its work.

``partyplan`` turns the errors an operator can fix into one line on stderr — what is wrong and
what to do — and exit status 2: a refusal (:class:`StartupRefused`: settings, a database behind
the code, ``init`` run twice, a token TTL too long...), a database it cannot reach, log in to or
find, a file it cannot use, an embedded server that will not start. Anything else is a bug:
Python's traceback and exit status 1, to be reported. (``audit``, ``tallies`` and ``plans
verify`` also exit 1 when they find a problem, with the problems on stdout.)"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection

from . import database_admin
from .errors import StartupRefused

#: Longest an error's own text may make the line (a server's message can run on).
LONGEST = 300

_UNREACHABLE = (
    "cannot reach the database ({what}): check PARTYPLAN_DATABASE_URL (host and port) and "
    "that PostgreSQL runs"
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and what caused it (SQLAlchemy wraps the driver's errors)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _line(text: object) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= LONGEST else flat[: LONGEST - 1] + "…"


def known_error(error: BaseException) -> str | None:
    """One line for an error the operator can fix, or None for a bug."""
    from partyplan.auth.keys import KeyStoreError

    from .embedded.system import EmbeddedPostgresError

    for cause in _chain(error):
        if isinstance(cause, StartupRefused):
            return str(cause)
        if isinstance(cause, KeyStoreError):  # a key missing or unusable (PiiKeyError too)
            return str(cause)
        if isinstance(cause, asyncpg.InvalidCatalogNameError):
            return (
                f"{_line(cause)}: the database is not created yet; run `partyplan db upgrade`"
                " (or `partyplan init`) first"
            )
        if isinstance(
            cause, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError
        ):
            return f"{_line(cause)}: check the user and password of PARTYPLAN_DATABASE_URL"
        if isinstance(cause, asyncpg.CannotConnectNowError | asyncpg.TooManyConnectionsError):
            return f"{_line(cause)}: the database refuses connections for now; try again shortly"
        if isinstance(cause, socket.gaierror | ConnectionError | TimeoutError):
            return _UNREACHABLE.format(what=_line(cause))
        if isinstance(cause, EmbeddedPostgresError):
            return f"embedded PostgreSQL: {_line(cause)}"
        if isinstance(cause, OSError) and cause.filename is not None:
            return (
                f"cannot use {cause.filename}: {cause.strerror}; check the path and its permissions"
            )
    return None


async def require_current_schema(conn: AsyncConnection) -> None:
    """Refuse a database whose schema is not this release's: a command that reads it must not
    migrate it (``db upgrade`` or the migration Job does), nor misread an older one."""
    current = await database_admin.current_revision(conn)
    head = database_admin.head_revision()
    if current != head:
        raise StartupRefused(
            f"the database's schema is at revision {current or 'none'}, this release needs"
            f" {head}: run `partyplan db upgrade` first (this command does not migrate)"
        )
