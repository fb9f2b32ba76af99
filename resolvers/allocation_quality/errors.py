"""Typed failures of the allocation-quality rules (fields named by the mutation's input)."""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError

__all__ = ["AllocationQualityError", "AllocationQualityErrorCode"]


class AllocationQualityErrorCode(StrEnum):
    #: A parameter unknown or out of range, or ``params`` not an object.
    INVALID_RULE = "INVALID_RULE"
    #: The thresholds belong to a commission; the unit named is not one.
    NOT_A_COMMISSION = "NOT_A_COMMISSION"


class AllocationQualityError(DomainError):
    pass
