from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError


class PlanErrorCode(StrEnum):
    INVALID_PERIOD = "INVALID_PERIOD"
    DUPLICATE_PERIOD = "DUPLICATE_PERIOD"
    INVALID_STATE_CHANGE = "INVALID_STATE_CHANGE"
    PERIOD_CLOSED = "PERIOD_CLOSED"
    PERIOD_NOT_ISSUED = "PERIOD_NOT_ISSUED"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    SHORTFALL = "SHORTFALL"
    NOT_A_SCHOOL = "NOT_A_SCHOOL"
    NOT_A_CHILD = "NOT_A_CHILD"
    WRONG_LEVEL = "WRONG_LEVEL"
    NOT_SIBLINGS = "NOT_SIBLINGS"
    INACTIVE_UNIT = "INACTIVE_UNIT"
    REASON_REQUIRED = "REASON_REQUIRED"
    DOCUMENT_REQUIRED = "DOCUMENT_REQUIRED"
    INVALID_TARGET = "INVALID_TARGET"
    INVALID_ROUND = "INVALID_ROUND"
    INVALID_REMARK = "INVALID_REMARK"
    INVALID_LINKAGE = "INVALID_LINKAGE"


class PlanError(DomainError):
    code: PlanErrorCode


class Shortfall(PlanError):
    """Over-allocation: ``dimension`` would be short of ``amount`` places at ``unit_name``."""

    def __init__(self, unit_name: str, dimension: str, amount: int, field: str) -> None:
        super().__init__(
            PlanErrorCode.SHORTFALL,
            f"{unit_name}: {dimension} would be short of {amount} place(s)",
            field,
        )
        self.dimension = dimension
        self.amount = amount
