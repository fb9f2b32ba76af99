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
from partyplan.resolvers.text import unsafe
from partyplan.resolvers.units.rules import KIND_LABELS

from .errors import AccountError, AccountErrorCode

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


def clean_username(username: str) -> str:
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise AccountError(
            AccountErrorCode.INVALID_USERNAME,
            "用户名应为 3 至 64 个字符，由小写字母、数字和“.”“_”“-”组成，以字母或数字开头",
            "username",
        )
    return username


def clean_display_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 100:
        raise AccountError(
            AccountErrorCode.INVALID_NAME, "姓名（显示名称）应为 1 至 100 个字符", "displayName"
        )
    problem = unsafe(cleaned)  # shown in every list of accounts and in the audit log
    if problem is not None:
        raise AccountError(
            AccountErrorCode.INVALID_NAME, f"姓名（显示名称）{problem}", "displayName"
        )
    return cleaned


def unknown_role(name: str) -> str:
    return f"没有名为 {name} 的角色"


def _kinds(kinds: frozenset[str]) -> list[str]:
    """Unit kinds in Chinese, from the top of the tree down."""
    return [label for kind, label in KIND_LABELS.items() if kind in kinds] + sorted(
        kinds - KIND_LABELS.keys()
    )


def check_grantable(
    principal: Principal,
    *,
    role_title: str,
    role_rank: int,
    role_permissions: frozenset[str],
    bindable_kinds: frozenset[str],
    unit_kind: str,
    unit_path: str,
    field: str = "role",
) -> None:
    """Refuse a role the granter may not grant at the unit; ``role_title`` is the role as the
    refusal names it (``roles.title_zh``)."""
    if unit_kind not in bindable_kinds:
        raise AccountError(
            AccountErrorCode.ROLE_NOT_BINDABLE_HERE,
            f"角色“{role_title}”只能授予在以下层级：{'、'.join(_kinds(bindable_kinds))}",
            field,
        )
    covering = [b for b in principal.bindings if is_within(unit_path, b.unit_path)]
    held = frozenset().union(*(b.permissions for b in covering))
    best_rank = max((b.rank for b in covering), default=-1)
    if role_rank > best_rank or not role_permissions <= held:
        raise AccountError(
            AccountErrorCode.ROLE_ABOVE_GRANTER,
            f"角色“{role_title}”高于您在该单位的角色",
            field,
        )


def check_person(kind: str) -> None:
    """A service's account (``users.kind = 'service'``) is managed through its client: it has
    no password (it can never sign in) and its name and unit are the client's."""
    if kind == "service":
        raise AccountError(
            AccountErrorCode.SERVICE_ACCOUNT,
            "服务账号随其客户端管理（登记或停用客户端），不能单独修改",
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
                "该账号持有高于您的角色",
                "userId",
            )


PASSWORD_MIN = 12
PASSWORD_MAX = 128
# What a refused password is told, here and on the sign-in pages' change-password form.
PASSWORD_INVALID_CHARACTER = "密码含有不允许的字符"
PASSWORD_TOO_SHORT = f"密码至少 {PASSWORD_MIN} 个字符"
PASSWORD_TOO_LONG = f"密码至多 {PASSWORD_MAX} 个字符"
PASSWORD_IS_USERNAME = "密码不能与用户名相同"
PASSWORD_UNCHANGED = "新密码不能与当前密码相同"
#: The one answer to every failed sign-in (SIGN_IN_FAILED), whatever failed.
SIGN_IN_FAILED = "用户名或密码错误，或尝试次数过多，请稍后再试"


def check_password(password: str, username: str, field: str) -> None:
    if any(c == "\0" or "\ud800" <= c <= "\udfff" for c in password):
        raise AccountError(
            AccountErrorCode.PASSWORD_INVALID_CHARACTER,
            PASSWORD_INVALID_CHARACTER,
            field,
        )
    if len(password) < PASSWORD_MIN:
        raise AccountError(
            AccountErrorCode.PASSWORD_TOO_SHORT,
            PASSWORD_TOO_SHORT,
            field,
        )
    if len(password) > PASSWORD_MAX:
        raise AccountError(AccountErrorCode.PASSWORD_TOO_LONG, PASSWORD_TOO_LONG, field)
    if password.strip().casefold() == username.casefold():
        raise AccountError(AccountErrorCode.PASSWORD_IS_USERNAME, PASSWORD_IS_USERNAME, field)


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
