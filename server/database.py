"""Engines and URLs. The service connects as ``app_role`` (neither superuser nor table owner, so
row-level security applies to it); migrations and administration connect as the owner."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def async_url(url: str) -> str:
    """``postgresql://…`` → ``postgresql+asyncpg://…`` (other drivers are not supported)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+asyncpg"):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}")


def app_url_from_owner(owner_url: str, role: str, password: str | None) -> str:
    """The service's URL: the owner's host and database, the service role's credentials."""
    parsed = make_url(async_url(owner_url)).set(username=role, password=password)
    return parsed.render_as_string(hide_password=False)


def with_database(url: str, database: str) -> str:
    return make_url(async_url(url)).set(database=database).render_as_string(hide_password=False)


def create_app_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    # Every setting the service makes is transaction-local (set_config(..., true)), so a
    # connection returned to the pool carries nothing over to the next request. No overflow:
    # a connection opened past the pool was closed again on its return, and each new asyncpg
    # connection pays its type introspection (measured at 16 concurrent requests on 2 workers:
    # 0.03–0.1 new connections a request); a request past pool_size waits for one instead.
    return create_async_engine(
        async_url(url), pool_size=pool_size, max_overflow=0, pool_pre_ping=False
    )
