"""Typed business-rule failures of the warnings domain (fields named in camelCase)."""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError

__all__ = ["WarningError", "WarningErrorCode"]


class WarningErrorCode(StrEnum):
    INVALID_RULE = "INVALID_RULE"
    NOT_A_COMMISSION = "NOT_A_COMMISSION"
    ALREADY_RESOLVED = "ALREADY_RESOLVED"
    ALREADY_ACKNOWLEDGED = "ALREADY_ACKNOWLEDGED"
    INVALID_TEXT = "INVALID_TEXT"


class WarningError(DomainError):
    pass
