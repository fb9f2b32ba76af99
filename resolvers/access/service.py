"""Accounts, their passwords and role grants. Every change is audited, and so is every lockout.

Creating an account sets no password: ``reset_password`` by an administrator of an enclosing
unit sets the initial one, which must be changed at the next sign-in.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
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
    await _audit_user(session, "createUser", None, row)
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


async def _managed_user(session: Session, user_id: int, field: str = "userId") -> sa.Row:
    """A user the caller manages: in scope (else NOT_FOUND), ``user.manage`` at its home unit
    (else FORBIDDEN), and outranked by the caller at every role it holds, wherever."""
    row = session.reach(
        await repository.get_user(session, user_id),
        f"user {field}",
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
    user = await _managed_user(session, user_id)
    values: dict[str, object] = {}
    if display_name is not None:
        values["display_name"] = rules.clean_display_name(display_name)
    if home_unit_id is not None:
        unit = await visible_unit(session, home_unit_id, Permission.USER_MANAGE, "homeUnitId")
        if not unit.active:
            raise AccountError(AccountErrorCode.INACTIVE_UNIT, "the unit is inactive", "homeUnitId")
        values |= {"home_unit_id": unit.id, "home_path": unit.path, "school_id": unit.school_id}
    if not values:
        raise AccountError(
            AccountErrorCode.NOTHING_TO_UPDATE, "give a display name or a home unit", "userId"
        )
    row = await repository.update_user(session, user.id, values)
    await _audit_user(session, "updateUser", user, row)
    return row


async def deactivate_user(session: Session, *, user_id: int) -> sa.Row:
    """The account can no longer act: its tokens are refused from the next request on
    (``tenants/binding.py`` binds only active users). Its role bindings stay, for the record."""
    if user_id == session.principal.user_id:
        raise AccountError(AccountErrorCode.SELF_DEACTIVATE, "ask another administrator", "userId")
    user = await _managed_user(session, user_id)
    if not user.active:
        raise AccountError(AccountErrorCode.ALREADY_INACTIVE, "already inactive", "userId")
    row = await repository.update_user(session, user.id, {"active": False})
    await _audit_user(session, "deactivateUser", user, row)
    return row


_HASHER = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106's low-memory profile


async def _hash(password: str) -> str:
    # Argon2 takes tens of milliseconds of CPU: off the event loop.
    return await asyncio.to_thread(_HASHER.hash, password)


@functools.cache
def _dummy_hash() -> str:
    """Verified against for an unknown account, so that it costs what a known one does."""
    return _HASHER.hash("no account has this password: it is never stored")


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def reset_password(session: Session, *, user_id: int, password: str) -> sa.Row:
    """An administrator of a unit enclosing the user's home unit sets a new initial password:
    it must be changed at the next sign-in, and it lifts a lockout. Never one's own (that is a
    change, which proves the current password). The audit entry records the reset, not the
    password."""
    if user_id == session.principal.user_id:
        raise AccountError(
            AccountErrorCode.SELF_RESET, "change your own password instead", "userId"
        )
    user = await _managed_user(session, user_id)
    rules.check_password(password, user.username, "password")
    await repository.set_password(session, user.id, await _hash(password), must_change=True)
    await audit.append(
        session,
        operation="resetPassword",
        object_type="User",
        object_id=user.id,
        unit_id=user.home_unit_id,
        school_id=user.school_id,
        before=None,
        after={"must_change": True},
    )
    return user


@dataclass(frozen=True, slots=True)
class SignedIn:
    user_id: int
    must_change_password: bool


def _sign_in_failed() -> AccountError:
    return AccountError(
        AccountErrorCode.SIGN_IN_FAILED,
        "wrong username or password, or too many attempts: wait a while and try again",
        "password",
    )


async def verify_password(
    conn: repository.Executor, username: str, password: str, source_address: str, now: datetime
) -> SignedIn:
    """Check a sign-in; raise SIGN_IN_FAILED, the one answer for an unknown, inactive, locked
    or password-less account and a wrong password, each after one Argon2 verification (of a
    dummy hash when there is no usable one), so neither answer nor time tells whether the
    account exists.

    A failure counts against the account and the source address and may lock them
    (``rules.lock_for``, audited). An attempt while either is locked is refused uncounted.
    The caller runs this in a transaction of its own and commits it whatever the outcome:
    the counts are the point of a failure.
    """
    state = await repository.sign_in_state(conn, username.strip().lower(), source_address)
    locked = any(
        until is not None and until > now
        for until in (state.locked_until, state.address_locked_until)
    )
    usable = bool(state.active) and state.password_hash is not None
    hashed = state.password_hash if usable else await asyncio.to_thread(_dummy_hash)
    matches = await asyncio.to_thread(_matches, hashed, password)
    if matches and usable and not locked:
        await repository.sign_in_succeeded(conn, state.user_id)
        return SignedIn(state.user_id, state.must_change)
    if not locked:
        await _count_failure(conn, state.user_id, source_address, now)
    raise _sign_in_failed()


async def _count_failure(
    conn: repository.Executor, user_id: int | None, address: str, now: datetime
) -> None:
    counts = await repository.sign_in_failed(conn, user_id, address, now, rules.RESET_AFTER)
    if counts.user_failures is not None:
        lock = rules.lock_for(counts.user_failures, rules.ACCOUNT_THRESHOLD)
        if lock is not None:
            assert user_id is not None  # a count exists only for an account's credential
            await repository.lock_account(conn, user_id, now + lock, counts.user_failures)
    lock = rules.lock_for(counts.address_failures, rules.ADDRESS_THRESHOLD)
    if lock is not None:
        await repository.lock_address(conn, address, now + lock, counts.address_failures, user_id)
