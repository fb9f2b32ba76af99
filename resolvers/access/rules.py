"""Pure rules for accounts and role grants.

A granter may grant a role at a unit only inside its own subtree (checked by the caller's
scope) and never above its own role there: the granted role's rank must not exceed the
granter's best rank at that unit, and every permission of the granted role must already be
held by the granter at that unit. The same holds for revoking, and for managing an account
(editing, deactivating, resetting its password): the manager must outrank the account at every
role it holds.

Passwords: 12 to 128 characters (128 bounds the Argon2 input), not the username, no NUL and no
lone surrogate (neither survives UTF-8 encoding intact).

Lockout: ``ACCOUNT_THRESHOLD`` failures on an account, or ``ADDRESS_THRESHOLD`` from one source
address (higher: a school's users share a NAT address), lock it for ``LOCK_BASE``; each further
failure after a lock ends locks it again for twice as long, at most ``LOCK_MAX``. A count whose
last failure is older than ``RESET_AFTER`` starts again; a successful sign-in clears the
account's count (not the address's, or one valid account would reset an attacker's count).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta

from partyplan.auth.principal import Principal, is_within

from .errors import AccountError, AccountErrorCode

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


def clean_username(username: str) -> str:
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise AccountError(
            AccountErrorCode.INVALID_USERNAME,
            "3–64 characters: lower-case letters, digits, '.', '_' or '-'",
            "username",
        )
    return username


def clean_display_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 100:
        raise AccountError(
            AccountErrorCode.INVALID_NAME, "1–100 characters are required", "displayName"
        )
    return cleaned


def check_grantable(
    principal: Principal,
    *,
    role_name: str,
    role_rank: int,
    role_permissions: frozenset[str],
    bindable_kinds: frozenset[str],
    unit_kind: str,
    unit_path: str,
    field: str = "role",
) -> None:
    if unit_kind not in bindable_kinds:
        raise AccountError(
            AccountErrorCode.ROLE_NOT_BINDABLE_HERE,
            f"{role_name} can be granted only at: {', '.join(sorted(bindable_kinds))}",
            field,
        )
    covering = [b for b in principal.bindings if is_within(unit_path, b.unit_path)]
    held = frozenset().union(*(b.permissions for b in covering))
    best_rank = max((b.rank for b in covering), default=-1)
    if role_rank > best_rank or not role_permissions <= held:
        raise AccountError(
            AccountErrorCode.ROLE_ABOVE_GRANTER,
            f"{role_name} is above your own role at this unit",
            field,
        )


def check_person(kind: str) -> None:
    """A service's account (``users.kind = 'service'``) is managed through its client: it has
    no password (it can never sign in) and its name and unit are the client's."""
    if kind == "service":
        raise AccountError(
            AccountErrorCode.SERVICE_ACCOUNT,
            "a service's account is managed through its client (registerClient, disableClient)",
            "userId",
        )


def check_outranks(
    principal: Principal, target_roles: Iterable[tuple[int, frozenset[str], str]]
) -> None:
    """Refuse unless, at every role (rank, permissions, unit path) the target holds, the caller
    holds a role at least as high with every permission of the target's there."""
    for rank, permissions, unit_path in target_roles:
        covering = [b for b in principal.bindings if is_within(unit_path, b.unit_path)]
        held = frozenset().union(*(b.permissions for b in covering))
        if rank > max((b.rank for b in covering), default=-1) or not permissions <= held:
            raise AccountError(
                AccountErrorCode.USER_ABOVE_CALLER,
                "the account holds a role above your own",
                "userId",
            )


PASSWORD_MIN = 12
PASSWORD_MAX = 128


def check_password(password: str, username: str, field: str) -> None:
    if any(c == "\0" or "\ud800" <= c <= "\udfff" for c in password):
        raise AccountError(
            AccountErrorCode.PASSWORD_INVALID_CHARACTER,
            "a password may not contain NUL or unpaired surrogate characters",
            field,
        )
    if len(password) < PASSWORD_MIN:
        raise AccountError(
            AccountErrorCode.PASSWORD_TOO_SHORT,
            f"at least {PASSWORD_MIN} characters are required",
            field,
        )
    if len(password) > PASSWORD_MAX:
        raise AccountError(
            AccountErrorCode.PASSWORD_TOO_LONG, f"at most {PASSWORD_MAX} characters", field
        )
    if password.strip().casefold() == username.casefold():
        raise AccountError(
            AccountErrorCode.PASSWORD_IS_USERNAME, "the password may not be the username", field
        )


ACCOUNT_THRESHOLD = 5
ADDRESS_THRESHOLD = 20
LOCK_BASE = timedelta(minutes=1)
LOCK_MAX = timedelta(hours=1)
RESET_AFTER = timedelta(hours=24)


def lock_for(failures: int, threshold: int) -> timedelta | None:
    """How long ``failures`` consecutive failures lock (None: not yet)."""
    if failures < threshold:
        return None
    # The exponent is bounded before doubling: 2**12 minutes already exceeds LOCK_MAX.
    return min(LOCK_BASE * 2 ** min(failures - threshold, 12), LOCK_MAX)
