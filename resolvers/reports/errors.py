"""Typed business-rule failures of the reports domain (fields named in camelCase)."""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError

__all__ = ["ReportError", "ReportErrorCode"]


class ReportErrorCode(StrEnum):
    NOT_A_SCHOOL = "NOT_A_SCHOOL"
    NOT_A_COMMISSION = "NOT_A_COMMISSION"
    PERIOD_NOT_ISSUED = "PERIOD_NOT_ISSUED"
    ALREADY_SUBMITTED = "ALREADY_SUBMITTED"
    NOT_SUBMITTED = "NOT_SUBMITTED"
    INVALID_TEXT = "INVALID_TEXT"
    REASON_REQUIRED = "REASON_REQUIRED"


class ReportError(DomainError):
    pass
