"""Administration as the owner: create the database and the service role, run migrations, and
check a database's schema revision against the code's.

Invariants:

* One migration at a time per database: :func:`upgrade` and :func:`downgrade` run in one
  transaction holding ``pg_advisory_xact_lock(MIGRATION_LOCK)`` in the target database, so
  concurrent runs (three replicas, a Job retried while the first still runs) queue; each later
  one finds the work done. The lock ends with the transaction, also when its holder dies.
* Creating the database and the role tolerates another run doing the same at once.
* The service role may read ``alembic_version`` (granted at every upgrade): the service checks
  the revision with its own credentials and refuses a database that is not at this release's
  head (:func:`check_revision`).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from .database import async_url
from .errors import StartupRefused

log = logging.getLogger("partyplan.db")

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

#: The advisory lock key of migrations ("partypla" in ASCII), in the migrated database.
MIGRATION_LOCK = 0x7061727479706C61

#: SQLSTATEs of a concurrent creation (the other run won) and of a missing privilege.
_DUPLICATE = {"42P04", "42710", "23505"}
_UNDEFINED_DATABASE = "3D000"
_INSUFFICIENT_PRIVILEGE = "42501"

#: The attributes of the service role: row-level security applies to it and it owns nothing.
_ROLE_ATTRIBUTES = {
    "rolcanlogin": (True, "LOGIN"),
    "rolsuper": (False, "NOSUPERUSER"),
    "rolbypassrls": (False, "NOBYPASSRLS"),
    "rolcreatedb": (False, "NOCREATEDB"),
    "rolcreaterole": (False, "NOCREATEROLE"),
}


def _sqlstate(error: DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)


async def ensure_database(owner_url: str) -> None:
    """Create the URL's database if it does not exist (connecting to ``postgres`` to do so).
    A database that exists is not asked for more: the owner may lack ``CREATEDB``."""
    target = make_url(async_url(owner_url))
    engine = create_async_engine(target, poolclass=NullPool)
    try:
        async with engine.connect():
            return
    except DBAPIError as error:
        if _sqlstate(error) != _UNDEFINED_DATABASE:
            raise
    finally:
        await engine.dispose()
    maintenance = target.set(database="postgres")
    engine = create_async_engine(maintenance, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
            log.info("created database %s", target.database)
    except DBAPIError as error:
        if _sqlstate(error) not in _DUPLICATE:  # another upgrade created it meanwhile
            raise
    finally:
        await engine.dispose()


async def drop_database(owner_url: str) -> None:
    target = make_url(async_url(owner_url))
    engine = create_async_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    finally:
        await engine.dispose()


async def ensure_app_role(conn: AsyncConnection, role: str, password: str | None) -> None:
    """Create (or tighten) the service role: LOGIN, NOSUPERUSER, NOBYPASSRLS, owns nothing.

    Roles belong to the whole server, beyond the database's lock: a role already right is left
    untouched (no write to race with another database's upgrade), and a creation that loses a
    race to another one is taken as done."""
    if not role.replace("_", "").isalnum():
        raise ValueError(f"unsafe role name {role!r}")
    row = (
        await conn.execute(
            sa.text(f"SELECT {', '.join(_ROLE_ATTRIBUTES)} FROM pg_roles WHERE rolname = :r"),
            {"r": role},
        )
    ).first()
    attributes = " ".join(keyword for _, keyword in _ROLE_ATTRIBUTES.values())
    if row is None:
        try:
            async with conn.begin_nested():
                await conn.exec_driver_sql(f"CREATE ROLE {role} {attributes}")
        except DBAPIError as error:
            if _sqlstate(error) not in _DUPLICATE:
                raise
            await conn.exec_driver_sql(f"ALTER ROLE {role} {attributes}")
    elif any(
        value != wanted for value, (wanted, _) in zip(row, _ROLE_ATTRIBUTES.values(), strict=True)
    ):
        await conn.exec_driver_sql(f"ALTER ROLE {role} {attributes}")
    if password:
        # A utility statement takes no parameters: the server quotes the literal itself.
        statement = await conn.scalar(
            sa.text(
                "SELECT format('ALTER ROLE %I PASSWORD %L', CAST(:r AS text), CAST(:p AS text))"
            ),
            {"r": role, "p": password},
        )
        await conn.exec_driver_sql(statement)


def alembic_config(owner_url: str, app_role: str, connection=None) -> Config:  # type: ignore[no-untyped-def]
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["owner_url"] = async_url(owner_url)
    cfg.attributes["app_role"] = app_role
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


async def lock_migrations(conn: AsyncConnection) -> None:
    """Wait for, then hold until ``conn``'s transaction ends, the database's migration lock."""
    await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})


async def upgrade(
    owner_url: str, app_role: str, password: str | None = None, revision: str = "head"
) -> None:
    """Create the database and service role if needed, then migrate to ``revision``: one
    transaction under the migration lock (module docstring)."""
    await ensure_database(owner_url)
    engine = create_async_engine(async_url(owner_url), poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await lock_migrations(conn)
            await ensure_app_role(conn, app_role, password)
            await conn.run_sync(
                lambda sync: command.upgrade(alembic_config(owner_url, app_role, sync), revision)
            )
            await conn.exec_driver_sql(f"GRANT SELECT ON alembic_version TO {app_role}")
    finally:
        await engine.dispose()


async def downgrade(owner_url: str, app_role: str, revision: str) -> None:
    engine = create_async_engine(async_url(owner_url), poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await lock_migrations(conn)
            await conn.run_sync(
                lambda sync: command.downgrade(alembic_config(owner_url, app_role, sync), revision)
            )
    finally:
        await engine.dispose()


def head_revision() -> str:
    """The revision this release's code needs (the one head of ``migrations/versions``)."""
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head() or "base"


async def current_revision(conn: AsyncConnection) -> str | None:
    exists = await conn.scalar(sa.text("SELECT to_regclass('alembic_version') IS NOT NULL"))
    if not exists:
        return None
    return await conn.scalar(sa.text("SELECT version_num FROM alembic_version"))


def _first_line(error: DBAPIError) -> str:
    # The driver's own message, without SQLAlchemy's statement and background link.
    return str(error.orig).splitlines()[0] if error.orig is not None else str(error)


_UPGRADE = "run `partyplan db upgrade` with the owner's PARTYPLAN_DATABASE_URL first"


async def check_revision(url: str) -> None:
    """Refuse (:class:`StartupRefused`, one line) a database not at this release's head, read
    with ``url``'s credentials (the service role's)."""
    head = head_revision()
    engine = create_async_engine(async_url(url), poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            current = await current_revision(conn)
    except DBAPIError as error:
        if _sqlstate(error) == _INSUFFICIENT_PRIVILEGE:
            raise StartupRefused(
                f"the service role cannot read the schema revision (alembic_version): {_UPGRADE}"
            ) from None
        raise StartupRefused(f"cannot connect as the service role: {_first_line(error)}") from None
    except OSError as error:  # refused, unreachable, no such socket
        raise StartupRefused(f"cannot connect as the service role: {error}") from None
    finally:
        await engine.dispose()
    if current == head:
        return
    if current is None:
        raise StartupRefused(f"the database has no schema yet: {_UPGRADE}")
    try:
        ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(current)
    except CommandError:
        raise StartupRefused(
            f"the database schema is at revision {current}, which this release does not know "
            f"(it needs {head}; a newer release migrated it?): run that release"
        ) from None
    raise StartupRefused(
        f"the database schema is at revision {current}, behind this release's {head}: {_UPGRADE}"
    )


def run(coro) -> None:  # type: ignore[no-untyped-def]
    asyncio.run(coro)
