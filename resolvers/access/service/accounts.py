"""Accounts: creating, reading, editing, deactivating and reactivating them. Every change is
audited. Whoever manages an account must outrank it at every role it holds."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from partyplan.auth.errors import NotFound
from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.paging import Keyset, Page
from partyplan.resolvers.units.rules import inactive
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from .. import repository, rules
from ..errors import AccountError, AccountErrorCode


def _user(field: str) -> str:
    return f"该用户（{field}）"


async def visible_user(
    session: Session, user_id: int, permission: Permission, field: str = "userId"
) -> sa.Row:
    row = await repository.get_user(session, user_id)
    if row is None or not (
        session.principal.reaches(row.home_path) or row.id == session.principal.user_id
    ):
        raise NotFound(f"未找到{_user(field)}")
    if row.id != session.principal.user_id:
        session.require(permission, row.home_path)
    return row


async def own_account(session: Session) -> sa.Row:
    """The caller's own account (always visible to itself)."""
    row = await repository.get_user(session, session.principal.user_id)
    assert row is not None  # bound from this very row at the start of the request
    return row


def _user_snapshot(row: sa.Row) -> dict[str, object]:
    return {
        "username": row.username,
        "display_name": row.display_name,
        "home_unit_id": row.home_unit_id,
        "active": row.active,
    }


async def create_user(
    session: Session, *, home_unit_id: int, username: str, display_name: str
) -> sa.Row:
    unit = await visible_unit(session, home_unit_id, Permission.USER_MANAGE, "homeUnitId")
    username = rules.clean_username(username)
    display_name = rules.clean_display_name(display_name)
    if not unit.active:
        raise AccountError(AccountErrorCode.INACTIVE_UNIT, inactive(unit.name), "homeUnitId")
    duplicate = AccountError(
        AccountErrorCode.DUPLICATE_USERNAME, f"用户名 {username} 已被使用", "username"
    )
    if await repository.username_taken(session, username):
        raise duplicate
    try:
        row = await repository.insert_user(
            session, username=username, display_name=display_name, home_unit=unit
        )
    except IntegrityError as error:  # taken by an account outside the caller's scope
        raise duplicate from error
    await _audit_user(session, "createUser", None, row)
    return row


async def users_page(session: Session, *, under_id: int | None, keyset: Keyset) -> Page:
    read_paths = session.principal.paths_with(Permission.USER_MANAGE)
    under_path = None
    if under_id is not None:
        under_path = (await visible_unit(session, under_id, Permission.USER_MANAGE, "under")).path
    elif not read_paths:
        session.require(Permission.USER_MANAGE, "")
    return await repository.users_page(
        session, read_paths=read_paths, under_path=under_path, keyset=keyset
    )


async def managed_user(session: Session, user_id: int, field: str = "userId") -> sa.Row:
    """A user the caller manages: in scope (else NOT_FOUND), ``user.manage`` at its home unit
    (else FORBIDDEN), and outranked by the caller at every role it holds, wherever."""
    row = session.reach(
        await repository.get_user(session, user_id),
        _user(field),
        Permission.USER_MANAGE,
        "home_path",
    )
    roles = await repository.user_roles(session, row.id)
    rules.check_outranks(
        session.principal, ((r.rank, frozenset(r.permissions), r.unit_path) for r in roles)
    )
    return row


async def _audit_user(
    session: Session, operation: str, before: sa.Row | None, after: sa.Row
) -> None:
    await audit.append(
        session,
        operation=operation,
        object_type="User",
        object_id=after.id,
        unit_id=after.home_unit_id,
        school_id=after.school_id,
        before=None if before is None else _user_snapshot(before),
        after=_user_snapshot(after),
    )


async def update_user(
    session: Session, *, user_id: int, display_name: str | None, home_unit_id: int | None
) -> sa.Row:
    """A new display name and/or home unit (one the caller manages, active). The username stays:
    it is what the account signs in with and what the audit trail names."""
    user = await managed_user(session, user_id)
    rules.check_person(user.kind)
    values: dict[str, object] = {}
    if display_name is not None:
        values["display_name"] = rules.clean_display_name(display_name)
    if home_unit_id is not None:
        unit = await visible_unit(session, home_unit_id, Permission.USER_MANAGE, "homeUnitId")
        if not unit.active:
            raise AccountError(AccountErrorCode.INACTIVE_UNIT, inactive(unit.name), "homeUnitId")
        values |= {"home_unit_id": unit.id, "home_path": unit.path, "school_id": unit.school_id}
    if not values:
        raise AccountError(
            AccountErrorCode.NOTHING_TO_UPDATE, "请填写新的姓名（显示名称）或所属单位", "userId"
        )
    row = await repository.update_user(session, user.id, values)
    await _audit_user(session, "updateUser", user, row)
    return row


async def deactivate_user(session: Session, *, user_id: int) -> sa.Row:
    """The account can no longer act: its tokens are refused from the next request on
    (``tenants/binding.py`` binds only active users). Its role bindings stay, for the record."""
    if user_id == session.principal.user_id:
        raise AccountError(
            AccountErrorCode.SELF_DEACTIVATE, "不能停用自己的账号，请由其他管理员操作", "userId"
        )
    user = await managed_user(session, user_id)
    if not user.active:
        raise AccountError(AccountErrorCode.ALREADY_INACTIVE, "该账号已停用", "userId")
    row = await repository.update_user(session, user.id, {"active": False})
    await _audit_user(session, "deactivateUser", user, row)
    return row


async def reactivate_user(session: Session, *, user_id: int) -> sa.Row:
    """The inverse of ``deactivate_user``, under its rules (not one's own; the caller outranks
    the account at every role). Nothing was revoked with the deactivation: the account's tokens
    that have not expired work again from the next request on."""
    if user_id == session.principal.user_id:
        raise AccountError(
            AccountErrorCode.SELF_REACTIVATE, "不能启用自己的账号，请由其他管理员操作", "userId"
        )
    user = await managed_user(session, user_id)
    # A service's account lives and ends with its client: reactivating it alone would let an
    # operator token for it act for a disabled client.
    rules.check_person(user.kind)
    if user.active:
        raise AccountError(AccountErrorCode.ALREADY_ACTIVE, "该账号未停用，无需启用", "userId")
    row = await repository.update_user(session, user.id, {"active": True})
    await _audit_user(session, "reactivateUser", user, row)
    return row
