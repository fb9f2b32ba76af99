"""Accounts, their passwords and role grants: one module per topic, every operation named here.

Every change is audited, and so is every lockout. Creating an account sets no password:
``reset_password`` by an administrator of an enclosing unit sets the initial one, which must be
changed at the next sign-in.
"""

from .accounts import (
    create_user,
    deactivate_user,
    managed_user,
    own_account,
    reactivate_user,
    update_user,
    users_page,
    visible_user,
)
from .grants import bindings_of_users, grant_role, revoke_role, roles, visible_binding
from .passwords import (
    UNKNOWN_ADDRESS,
    OwnTransaction,
    SignedIn,
    change_password,
    reset_password,
    verify_password,
)

__all__ = [
    "UNKNOWN_ADDRESS",
    "OwnTransaction",
    "SignedIn",
    "bindings_of_users",
    "change_password",
    "create_user",
    "deactivate_user",
    "grant_role",
    "managed_user",
    "own_account",
    "reactivate_user",
    "reset_password",
    "revoke_role",
    "roles",
    "update_user",
    "users_page",
    "verify_password",
    "visible_binding",
    "visible_user",
]
