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


class AccountError(DomainError):
    code: AccountErrorCode
