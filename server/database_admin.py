"""Administration as the owner: create the database and the service role, run migrations."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from .database import async_url

log = logging.getLogger("partyplan.db")

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


async def ensure_database(owner_url: str) -> None:
    """Create the URL's database if it does not exist (connecting to ``postgres`` to do so)."""
    target = make_url(async_url(owner_url))
    maintenance = target.set(database="postgres")
    engine = create_async_engine(maintenance, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            exists = await conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            )
            if not exists:
                await conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
                log.info("created database %s", target.database)
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


async def ensure_app_role(owner_url: str, role: str, password: str | None) -> None:
    """Create (or tighten) the service role: LOGIN, NOSUPERUSER, NOBYPASSRLS, owns nothing."""
    if not role.replace("_", "").isalnum():
        raise ValueError(f"unsafe role name {role!r}")
    engine = create_async_engine(async_url(owner_url), isolation_level="AUTOCOMMIT")
    attributes = "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
    try:
        async with engine.connect() as conn:
            exists = await conn.scalar(
                sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
            )
            verb = "ALTER" if exists else "CREATE"
            await conn.exec_driver_sql(f"{verb} ROLE {role} {attributes}")
            if password:
                await conn.execute(sa.text(f"ALTER ROLE {role} PASSWORD :p"), {"p": password})
    finally:
        await engine.dispose()


def alembic_config(owner_url: str, app_role: str, connection=None) -> Config:  # type: ignore[no-untyped-def]
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["owner_url"] = async_url(owner_url)
    cfg.attributes["app_role"] = app_role
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


async def _alembic(owner_url: str, app_role: str, fn, *args) -> None:  # type: ignore[no-untyped-def]
    engine = create_async_engine(async_url(owner_url))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(
                lambda sync_conn: fn(alembic_config(owner_url, app_role, sync_conn), *args)
            )
    finally:
        await engine.dispose()


async def upgrade(
    owner_url: str, app_role: str, password: str | None = None, revision: str = "head"
) -> None:
    """Create the database and service role if needed, then migrate to ``revision``."""
    await ensure_database(owner_url)
    await ensure_app_role(owner_url, app_role, password)
    await _alembic(owner_url, app_role, command.upgrade, revision)


async def downgrade(owner_url: str, app_role: str, revision: str) -> None:
    await _alembic(owner_url, app_role, command.downgrade, revision)


async def current_revision(conn: AsyncConnection) -> str | None:
    exists = await conn.scalar(sa.text("SELECT to_regclass('alembic_version') IS NOT NULL"))
    if not exists:
        return None
    return await conn.scalar(sa.text("SELECT version_num FROM alembic_version"))


def run(coro) -> None:  # type: ignore[no-untyped-def]
    asyncio.run(coro)
