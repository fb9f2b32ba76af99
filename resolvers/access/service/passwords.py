"""Passwords: Argon2id hashes, resets by an administrator, a person's own change, and the sign-in
check with its lockout (audited).

Creating an account sets no password: ``reset_password`` by an administrator of an enclosing
unit sets the initial one, which must be changed at the next sign-in.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.resolvers.audit import repository as audit
from partyplan.tenants.session import Session

from .. import repository, rules
from ..errors import AccountError, AccountErrorCode
from .accounts import managed_user, own_account

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
            AccountErrorCode.SELF_RESET, "不能重置自己的密码，请改用修改密码", "userId"
        )
    user = await managed_user(session, user_id)
    rules.check_person(user.kind)
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


#: Opens a connection in a transaction of its own (the request context's ``own_transaction``).
OwnTransaction = Callable[[], AbstractAsyncContextManager[AsyncConnection]]
#: Counted against when the request's address is unknown (never, behind uvicorn).
UNKNOWN_ADDRESS = "unknown"


async def change_password(
    session: Session,
    *,
    current_password: str,
    new_password: str,
    source_address: str | None,
    own_transaction: OwnTransaction,
) -> sa.Row:
    """The caller's own new password, once it proves the current one.

    The proof is the sign-in check, ``verify_password``: a wrong current password counts as a
    failed sign-in against the account and the address and may lock them, as on the sign-in
    page, so that a stolen token cannot guess the password faster than a sign-in could; a
    locked account is refused alike, uncounted. Its counts must outlive this request, which
    rolls back with the refusal: it runs in ``own_transaction``, committed whatever the
    outcome. A service's account and one without a password have nothing to prove (refused
    uncounted). The new password keeps the rules and differs from the current one; stored
    with ``must_change`` false (this is the change a reset asks for), audited without it.
    """
    user = await own_account(session)
    if user.kind == "service":
        raise AccountError(
            AccountErrorCode.SERVICE_ACCOUNT,
            "服务账号没有密码",
            "currentPassword",
        )
    if not await repository.has_password(session, user.id):
        raise AccountError(
            AccountErrorCode.NO_PASSWORD,
            "该账号尚未设置密码，请联系管理员设置",
            "currentPassword",
        )
    if await repository.has_written(session):
        # The proof's transaction locks the account's credential and may audit a lock on its
        # school's chain: a row this request has already locked would leave each transaction
        # waiting on the other. Refused before any wait, uncounted.
        raise AccountError(
            AccountErrorCode.CHANGE_PASSWORD_FIRST,
            "修改密码须在本次请求的其他写入操作之前进行（最好单独提交）",
            None,
        )
    now = datetime.now(UTC)
    # No stored password holds a lone surrogate (the rules refuse it), which Argon2 could not
    # even encode: such an input is a wrong password like any other, counted.
    proof = current_password if _encodable(current_password) else ""
    async with own_transaction() as conn:
        try:
            await verify_password(
                conn, user.username, proof, source_address or UNKNOWN_ADDRESS, now
            )
            proved = True
        except AccountError:
            proved = False  # counted; leaving the block normally commits the count
    if not proved:
        raise AccountError(
            AccountErrorCode.WRONG_PASSWORD,
            "当前密码不正确，或尝试次数过多，请稍后再试",
            "currentPassword",
        )
    rules.check_password(new_password, user.username, "newPassword")
    if new_password == current_password:
        raise AccountError(
            AccountErrorCode.PASSWORD_UNCHANGED, rules.PASSWORD_UNCHANGED, "newPassword"
        )
    await repository.set_password(session, user.id, await _hash(new_password), must_change=False)
    await audit.append_on_own_account(
        session, operation="changePassword", after={"must_change": False}
    )
    return user


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class SignedIn:
    user_id: int
    must_change_password: bool


def _sign_in_failed() -> AccountError:
    return AccountError(
        AccountErrorCode.SIGN_IN_FAILED,
        rules.SIGN_IN_FAILED,
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
