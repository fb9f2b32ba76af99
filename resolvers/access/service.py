"""Accounts and role grants. Every grant and revoke is audited."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from partyplan.auth.errors import NotFound
from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from . import repository, rules
from .errors import AccountError, AccountErrorCode


async def visible_user(
    session: Session, user_id: int, permission: Permission, field: str = "userId"
) -> sa.Row:
    row = await repository.get_user(session, user_id)
    if row is None or not (
        session.principal.reaches(row.home_path) or row.id == session.principal.user_id
    ):
        raise NotFound(f"user {field} not found")
    if row.id != session.principal.user_id:
        session.require(permission, row.home_path)
    return row


async def own_account(session: Session) -> sa.Row:
    """The caller's own account (always visible to itself)."""
    row = await repository.get_user(session, session.principal.user_id)
    assert row is not None  # bound from this very row at the start of the request
    return row


async def roles(session: Session) -> list[sa.Row]:
    """Every role that can be granted, highest rank first (roles are data, readable by all)."""
    return await repository.all_roles(session)


async def bindings_of_users(session: Session, user_ids: list[int]) -> list[sa.Row]:
    """The role bindings of ``user_ids`` that lie inside the caller's units, and every binding
    of the caller itself: a user the caller manages may hold roles elsewhere, which stay
    unseen (row-level security admits the same rows)."""
    principal = session.principal
    return await repository.bindings_of_users(
        session, user_ids, scope_paths=list(principal.scope_paths), own_user_id=principal.user_id
    )


def _user_snapshot(row: sa.Row) -> dict[str, object]:
    return {
        "username": row.username,
        "display_name": row.display_name,
        "home_unit_id": row.home_unit_id,
        "active": row.active,
    }


def _binding_snapshot(row: sa.Row) -> dict[str, object]:
    return {"user_id": row.user_id, "role": row.role, "unit_id": row.unit_id}


async def create_user(
    session: Session, *, home_unit_id: int, username: str, display_name: str
) -> sa.Row:
    unit = await visible_unit(session, home_unit_id, Permission.USER_MANAGE, "homeUnitId")
    username = rules.clean_username(username)
    display_name = rules.clean_display_name(display_name)
    if not unit.active:
        raise AccountError(AccountErrorCode.INACTIVE_UNIT, "the unit is inactive", "homeUnitId")
    duplicate = AccountError(
        AccountErrorCode.DUPLICATE_USERNAME, f"{username} is already taken", "username"
    )
    if await repository.username_taken(session, username):
        raise duplicate
    try:
        row = await repository.insert_user(
            session, username=username, display_name=display_name, home_unit=unit
        )
    except IntegrityError as error:  # taken by an account outside the caller's scope
        raise duplicate from error
    await audit.append(
        session,
        operation="createUser",
        object_type="User",
        object_id=row.id,
        unit_id=unit.id,
        school_id=unit.school_id,
        before=None,
        after=_user_snapshot(row),
    )
    return row


async def grant_role(session: Session, *, user_id: int, role: str, unit_id: int) -> sa.Row:
    unit = await visible_unit(session, unit_id, Permission.ROLE_GRANT, "unitId")
    user = await visible_user(session, user_id, Permission.ROLE_GRANT)
    role_row = await repository.get_role(session, role)
    if role_row is None:
        raise AccountError(AccountErrorCode.UNKNOWN_ROLE, f"no role {role}", "role")
    if not unit.active:
        raise AccountError(AccountErrorCode.INACTIVE_UNIT, "the unit is inactive", "unitId")
    rules.check_grantable(
        session.principal,
        role_name=role_row.name,
        role_rank=role_row.rank,
        role_permissions=frozenset(role_row.permissions),
        bindable_kinds=frozenset(role_row.bindable_kinds),
        unit_kind=unit.kind,
        unit_path=unit.path,
    )
    if await repository.find_binding(session, user.id, role, unit.id) is not None:
        raise AccountError(AccountErrorCode.ALREADY_GRANTED, "the user already holds it", "role")
    row = await repository.insert_binding(
        session, user_id=user.id, role=role, unit=unit, granted_by=session.principal.user_id
    )
    await audit.append(
        session,
        operation="grantRole",
        object_type="RoleBinding",
        object_id=row.id,
        unit_id=unit.id,
        school_id=unit.school_id,
        before=None,
        after=_binding_snapshot(row),
    )
    return row


async def visible_binding(
    session: Session, binding_id: int, permission: Permission = Permission.UNIT_READ
) -> sa.Row:
    binding = await repository.get_binding(session, binding_id)
    return session.reach(binding, "role binding", permission)


async def revoke_role(session: Session, *, binding_id: int) -> sa.Row:
    binding = await visible_binding(session, binding_id, Permission.ROLE_GRANT)
    if binding.user_id == session.principal.user_id:
        raise AccountError(
            AccountErrorCode.SELF_REVOKE,
            "ask another administrator to revoke your own role",
            "roleBindingId",
        )
    unit = await visible_unit(session, binding.unit_id, Permission.ROLE_GRANT, "roleBindingId")
    role_row = await repository.get_role(session, binding.role)
    assert role_row is not None  # a foreign key guarantees it
    rules.check_grantable(
        session.principal,
        role_name=role_row.name,
        role_rank=role_row.rank,
        role_permissions=frozenset(role_row.permissions),
        bindable_kinds=frozenset(role_row.bindable_kinds),
        unit_kind=unit.kind,
        unit_path=unit.path,
        field="roleBindingId",
    )
    await repository.delete_binding(session, binding.id)
    await audit.append(
        session,
        operation="revokeRole",
        object_type="RoleBinding",
        object_id=binding.id,
        unit_id=unit.id,
        school_id=unit.school_id,
        before=_binding_snapshot(binding),
        after=None,
    )
    return binding


async def users_page(
    session: Session, *, under_id: int | None, after_id: int | None, limit: int
) -> list[sa.Row]:
    read_paths = session.principal.paths_with(Permission.USER_MANAGE)
    under_path = None
    if under_id is not None:
        under_path = (await visible_unit(session, under_id, Permission.USER_MANAGE, "under")).path
    elif not read_paths:
        session.require(Permission.USER_MANAGE, "")
    return await repository.users_page(
        session, read_paths=read_paths, under_path=under_path, after_id=after_id, limit=limit
    )
