"""SQL of the client registry, and of a service's account (a ``users`` row of kind
'service', which the access domain's rows and bindings otherwise treat like any account)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.models import oauth_clients, users
from partyplan.resolvers import paging
from partyplan.resolvers.access.repository import USER_COLUMNS
from partyplan.resolvers.paging import Keyset, Page
from partyplan.tenants import binding
from partyplan.tenants.scope import descendant_of, descendant_of_any
from partyplan.tenants.session import Session

#: Every column but the secret's digest, which only :func:`secret_digest` reads.
CLIENT_COLUMNS = tuple(c for c in oauth_clients.c if c.name != "secret_hash")


async def insert_client(session: Session, values: dict[str, object]) -> sa.Row:
    stmt = sa.insert(oauth_clients).values(**values).returning(*CLIENT_COLUMNS)
    return (await session.execute(stmt)).one()


async def get_client(session: Session, client_pk: int) -> sa.Row | None:
    stmt = sa.select(*CLIENT_COLUMNS).where(oauth_clients.c.id == client_pk)
    return (await session.execute(stmt)).first()


async def update_client(session: Session, client_pk: int, values: dict[str, object]) -> sa.Row:
    stmt = (
        sa.update(oauth_clients)
        .where(oauth_clients.c.id == client_pk)
        .values(**values)
        .returning(*CLIENT_COLUMNS)
    )
    return (await session.execute(stmt)).one()


async def secret_digest(session: Session, client_pk: int) -> bytes | None:
    stmt = sa.select(oauth_clients.c.secret_hash).where(oauth_clients.c.id == client_pk)
    return await session.scalar(stmt)


async def clients_page(
    session: Session,
    *,
    read_paths: list[str],
    under_path: str | None,
    keyset: Keyset,
) -> Page:
    stmt = sa.select(*CLIENT_COLUMNS).where(
        descendant_of_any(oauth_clients.c.unit_path, read_paths)
    )
    if under_path is not None:
        stmt = stmt.where(descendant_of(oauth_clients.c.unit_path, under_path))
    return await paging.fetch(session, stmt, oauth_clients.c.id, keyset)


async def insert_service_user(
    session: Session, *, username: str, display_name: str, unit: sa.Row
) -> int:
    """A service's account: no credential row, so it has no password and cannot sign in."""
    stmt = (
        sa.insert(users)
        .values(
            username=username,
            display_name=display_name,
            home_unit_id=unit.id,
            home_path=unit.path,
            school_id=unit.school_id,
            kind="service",
        )
        .returning(users.c.id)
    )
    return int(await session.scalar(stmt))


async def accounts(session: Session, user_ids: list[int]) -> list[sa.Row]:
    """Service accounts by id, as the access domain reads any account."""
    stmt = sa.select(*USER_COLUMNS).where(
        users.c.id == sa.any_(sa.literal(user_ids, sa.ARRAY(sa.BigInteger)))
    )
    return list((await session.execute(stmt)).all())


async def deactivate_user(session: Session, user_id: int) -> None:
    await session.execute(sa.update(users).where(users.c.id == user_id).values(active=False))


# --- the doors: no principal is bound ---------------------------------------------------------

_ACTIVE_ORIGINS = sa.select(sa.func.unnest(oauth_clients.c.allowed_origins).label("origin")).where(
    oauth_clients.c.active
)


async def active_origins(conn: AsyncConnection) -> frozenset[str]:
    """Every origin of an active client, platform-wide. Row-level security shows the clients
    to a transaction that declared itself a door (``app.door``, local to the transaction,
    which the caller opened for this read alone)."""
    await binding.open_door(conn)
    return frozenset((await conn.execute(_ACTIVE_ORIGINS)).scalars())


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's transaction commits (never on a rollback): the
    request owns the transaction, so a service cannot know when its writes become visible."""
    sa.event.listen(session.conn.sync_connection, "commit", lambda _conn: callback(), once=True)
