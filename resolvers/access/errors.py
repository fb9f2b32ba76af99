from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError


class AccountErrorCode(StrEnum):
    INVALID_USERNAME = "INVALID_USERNAME"
    DUPLICATE_USERNAME = "DUPLICATE_USERNAME"
    INVALID_NAME = "INVALID_NAME"
    UNKNOWN_ROLE = "UNKNOWN_ROLE"
    ROLE_NOT_BINDABLE_HERE = "ROLE_NOT_BINDABLE_HERE"
    ROLE_ABOVE_GRANTER = "ROLE_ABOVE_GRANTER"
    ALREADY_GRANTED = "ALREADY_GRANTED"
    INACTIVE_UNIT = "INACTIVE_UNIT"
    SELF_REVOKE = "SELF_REVOKE"
    USER_ABOVE_CALLER = "USER_ABOVE_CALLER"
    SELF_DEACTIVATE = "SELF_DEACTIVATE"
    SELF_RESET = "SELF_RESET"
    ALREADY_INACTIVE = "ALREADY_INACTIVE"
    SELF_REACTIVATE = "SELF_REACTIVATE"
    ALREADY_ACTIVE = "ALREADY_ACTIVE"
    # changePassword: the current password was wrong (or the account is locked: same answer,
    # the attempt counted as a failed sign-in), the account has none, the new one is the same.
    WRONG_PASSWORD = "WRONG_PASSWORD"
    NO_PASSWORD = "NO_PASSWORD"
    PASSWORD_UNCHANGED = "PASSWORD_UNCHANGED"
    # changePassword after a write in the same request (its proof would wait on that write).
    CHANGE_PASSWORD_FIRST = "CHANGE_PASSWORD_FIRST"
    NOTHING_TO_UPDATE = "NOTHING_TO_UPDATE"
    PASSWORD_TOO_SHORT = "PASSWORD_TOO_SHORT"
    PASSWORD_TOO_LONG = "PASSWORD_TOO_LONG"
    PASSWORD_IS_USERNAME = "PASSWORD_IS_USERNAME"
    PASSWORD_INVALID_CHARACTER = "PASSWORD_INVALID_CHARACTER"
    # A service's account is the client registry's: no password, no edits (resolvers/clients).
    SERVICE_ACCOUNT = "SERVICE_ACCOUNT"
    # One answer for an unknown account, a wrong password, an inactive or locked account.
    SIGN_IN_FAILED = "SIGN_IN_FAILED"


class AccountError(DomainError):
    code: AccountErrorCode
