"""Pure rules for accounts and role grants.

A granter may grant a role at a unit only inside its own subtree (checked by the caller's
scope) and never above its own role there: the granted role's rank must not exceed the
granter's best rank at that unit, and every permission of the granted role must already be
held by the granter at that unit. The same holds for revoking.
"""

from __future__ import annotations

import re

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
