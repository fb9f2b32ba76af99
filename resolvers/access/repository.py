"""SQL for users, roles and role bindings."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.models import role_bindings, roles, units, user_credentials, users
from partyplan.resolvers import paging
from partyplan.resolvers.paging import Keyset, Page
from partyplan.tenants.scope import descendant_of, descendant_of_any
from partyplan.tenants.session import Session

USER_COLUMNS = (
    users.c.id,
    users.c.username,
    users.c.display_name,
    users.c.home_unit_id,
    users.c.home_path,
    users.c.school_id,
    users.c.active,
    users.c.created_at,
    users.c.kind,
)
BINDING_COLUMNS = (
    role_bindings.c.id,
    role_bindings.c.user_id,
    role_bindings.c.role,
    role_bindings.c.unit_id,
    role_bindings.c.unit_path,
    role_bindings.c.school_id,
    role_bindings.c.granted_by,
    role_bindings.c.created_at,
)


async def all_roles(session: Session) -> list[sa.Row]:
    return list((await session.execute(sa.select(roles).order_by(roles.c.rank.desc()))).all())


async def get_role(session: Session, name: str) -> sa.Row | None:
    return (await session.execute(sa.select(roles).where(roles.c.name == name))).first()


async def get_user(session: Session, user_id: int) -> sa.Row | None:
    return (await session.execute(sa.select(*USER_COLUMNS).where(users.c.id == user_id))).first()


async def username_taken(session: Session, username: str) -> bool:
    stmt = sa.select(sa.literal(1)).where(users.c.username == username)
    return (await session.scalar(stmt)) is not None


async def insert_user(
    session: Session, *, username: str, display_name: str, home_unit: sa.Row
) -> sa.Row:
    stmt = (
        sa.insert(users)
        .values(
            username=username,
            display_name=display_name,
            home_unit_id=home_unit.id,
            home_path=home_unit.path,
            school_id=home_unit.school_id,
        )
        .returning(*USER_COLUMNS)
    )
    return (await session.execute(stmt)).one()


async def users_page(
    session: Session,
    *,
    read_paths: list[str],
    under_path: str | None,
    keyset: Keyset,
) -> Page:
    stmt = sa.select(*USER_COLUMNS).where(descendant_of_any(users.c.home_path, read_paths))
    if under_path is not None:
        stmt = stmt.where(descendant_of(users.c.home_path, under_path))
    return await paging.fetch(session, stmt, users.c.id, keyset)


async def bindings_of_users(
    session: Session, user_ids: list[int], *, scope_paths: list[str], own_user_id: int
) -> list[sa.Row]:
    """The users' bindings at units inside ``scope_paths``, and all of ``own_user_id``'s."""
    stmt = (
        sa.select(*BINDING_COLUMNS)
        .where(
            role_bindings.c.user_id == sa.any_(sa.literal(user_ids, sa.ARRAY(sa.BigInteger))),
            sa.or_(
                descendant_of_any(role_bindings.c.unit_path, scope_paths),
                role_bindings.c.user_id == own_user_id,
            ),
        )
        .order_by(role_bindings.c.id)
    )
    return list((await session.execute(stmt)).all())


async def get_binding(session: Session, binding_id: int) -> sa.Row | None:
    stmt = sa.select(*BINDING_COLUMNS).where(role_bindings.c.id == binding_id)
    return (await session.execute(stmt)).first()


async def find_binding(session: Session, user_id: int, role: str, unit_id: int) -> sa.Row | None:
    stmt = sa.select(*BINDING_COLUMNS).where(
        role_bindings.c.user_id == user_id,
        role_bindings.c.role == role,
        role_bindings.c.unit_id == unit_id,
    )
    return (await session.execute(stmt)).first()


async def insert_binding(
    session: Session, *, user_id: int, role: str, unit: sa.Row, granted_by: int
) -> sa.Row:
    stmt = (
        sa.insert(role_bindings)
        .values(
            user_id=user_id,
            role=role,
            unit_id=unit.id,
            unit_path=unit.path,
            school_id=unit.school_id,
            granted_by=granted_by,
        )
        .returning(*BINDING_COLUMNS)
    )
    return (await session.execute(stmt)).one()


async def delete_binding(session: Session, binding_id: int) -> None:
    await session.execute(sa.delete(role_bindings).where(role_bindings.c.id == binding_id))


async def units_by_id(session: Session, ids: list[int]) -> dict[int, sa.Row]:
    stmt = sa.select(units.c.id, units.c.kind, units.c.name, units.c.path).where(
        units.c.id == sa.any_(sa.literal(ids, sa.ARRAY(sa.BigInteger)))
    )
    return {row.id: row for row in (await session.execute(stmt)).all()}


async def user_roles(session: Session, user_id: int) -> list[sa.Row]:
    """Every role the user holds, wherever (``app_user_roles``: its home must be in scope)."""
    stmt = sa.text("SELECT * FROM app_user_roles(:user)")
    return list((await session.execute(stmt, {"user": user_id})).all())


async def update_user(session: Session, user_id: int, values: dict[str, object]) -> sa.Row:
    stmt = sa.update(users).where(users.c.id == user_id).values(**values).returning(*USER_COLUMNS)
    return (await session.execute(stmt)).one()


async def has_written(session: Session) -> bool:
    """Whether the session's transaction has written or locked a row yet (it has an id only
    then), and so may hold locks another transaction would wait on."""
    stmt = sa.text("SELECT pg_current_xact_id_if_assigned() IS NOT NULL")
    return bool(await session.scalar(stmt))


async def has_password(session: Session, user_id: int) -> bool:
    stmt = sa.select(sa.literal(1)).where(user_credentials.c.user_id == user_id)
    return (await session.scalar(stmt)) is not None


async def set_password(
    session: Session, user_id: int, password_hash: str, *, must_change: bool
) -> None:
    """Store a new password; it clears the account's failures and lock."""
    values = {
        "password_hash": password_hash,
        "must_change": must_change,
        "set_at": sa.func.now(),
        "failures": 0,
        "last_failure_at": None,
        "locked_until": None,
    }
    stmt = pg_insert(user_credentials).values(user_id=user_id, **values)
    stmt = stmt.on_conflict_do_update(index_elements=[user_credentials.c.user_id], set_=values)
    await session.execute(stmt)


# --- signing in: no principal is bound yet, so only the SECURITY DEFINER functions (0011) ------

Executor = AsyncConnection | Session


async def sign_in_state(conn: Executor, username: str, address: str) -> sa.Row:
    stmt = sa.text("SELECT * FROM app_sign_in_state(:username, :address)")
    return (await conn.execute(stmt, {"username": username, "address": address})).one()


async def sign_in_failed(
    conn: Executor, user_id: int | None, address: str, now: datetime, reset_after: timedelta
) -> sa.Row:
    stmt = sa.text("SELECT * FROM app_sign_in_failed(:user, :address, :now, :reset)")
    params = {"user": user_id, "address": address, "now": now, "reset": reset_after}
    return (await conn.execute(stmt, params)).one()


async def sign_in_succeeded(conn: Executor, user_id: int) -> None:
    await conn.execute(sa.text("SELECT app_sign_in_succeeded(:user)"), {"user": user_id})


async def lock_account(conn: Executor, user_id: int, until: datetime, failures: int) -> None:
    stmt = sa.text("SELECT app_lock_account(:user, :until, :failures)")
    await conn.execute(stmt, {"user": user_id, "until": until, "failures": failures})


async def lock_address(
    conn: Executor, address: str, until: datetime, failures: int, user_id: int | None
) -> None:
    stmt = sa.text("SELECT app_lock_address(:address, :until, :failures, :user)")
    params = {"address": address, "until": until, "failures": failures, "user": user_id}
    await conn.execute(stmt, params)
