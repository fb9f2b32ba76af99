"""Role grants: a role at a unit, granted and revoked by someone holding at least that role there
(``rules.check_grantable``). Every change is audited."""

from __future__ import annotations

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.text import storable
from partyplan.resolvers.units.rules import inactive
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from .. import repository, rules
from ..errors import AccountError, AccountErrorCode
from .accounts import visible_user


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


def _binding_snapshot(row: sa.Row) -> dict[str, object]:
    return {"user_id": row.user_id, "role": row.role, "unit_id": row.unit_id}


async def grant_role(session: Session, *, user_id: int, role: str, unit_id: int) -> sa.Row:
    unit = await visible_unit(session, unit_id, Permission.ROLE_GRANT, "unitId")
    user = await visible_user(session, user_id, Permission.ROLE_GRANT)
    # A name PostgreSQL cannot even compare (a NUL, a lone surrogate) names no role either.
    role_row = await repository.get_role(session, role) if storable(role) else None
    if role_row is None:
        raise AccountError(AccountErrorCode.UNKNOWN_ROLE, rules.unknown_role(role), "role")
    if not unit.active:
        raise AccountError(AccountErrorCode.INACTIVE_UNIT, inactive(unit.name), "unitId")
    rules.check_grantable(
        session.principal,
        role_title=role_row.title_zh,
        role_rank=role_row.rank,
        role_permissions=frozenset(role_row.permissions),
        bindable_kinds=frozenset(role_row.bindable_kinds),
        unit_kind=unit.kind,
        unit_path=unit.path,
    )
    if await repository.find_binding(session, user.id, role, unit.id) is not None:
        raise AccountError(AccountErrorCode.ALREADY_GRANTED, "该用户在此单位已有该角色", "role")
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
    return session.reach(binding, "该角色授权", permission)


async def revoke_role(session: Session, *, binding_id: int) -> sa.Row:
    binding = await visible_binding(session, binding_id, Permission.ROLE_GRANT)
    if binding.user_id == session.principal.user_id:
        raise AccountError(
            AccountErrorCode.SELF_REVOKE,
            "不能撤销自己的角色，请由其他管理员操作",
            "roleBindingId",
        )
    unit = await visible_unit(session, binding.unit_id, Permission.ROLE_GRANT, "roleBindingId")
    role_row = await repository.get_role(session, binding.role)
    assert role_row is not None  # a foreign key guarantees it
    rules.check_grantable(
        session.principal,
        role_title=role_row.title_zh,
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
