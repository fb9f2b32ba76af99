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
    SUBQUOTA_EXCEEDS_TOTAL = "SUBQUOTA_EXCEEDS_TOTAL"


#: One lookup's answer, wherever a dispatch round is looked up by id.
ROUND_NOT_FOUND = "未找到该调度轮次"


class PlanError(DomainError):
    code: PlanErrorCode


class Shortfall(PlanError):
    """Over-allocation: ``dimension`` would be short of ``amount`` places at ``unit_name``
    (``label``: the dimension as the message names it, e.g. 学生名额)."""

    def __init__(self, unit_name: str, dimension: str, label: str, amount: int, field: str) -> None:
        super().__init__(
            PlanErrorCode.SHORTFALL, f"{unit_name}的可用{label}不足，缺 {amount} 名", field
        )
        self.dimension = dimension
        self.amount = amount


class SubquotaExceedsTotal(PlanError):
    """A movement would leave a unit's balance holding more sub-quota than its total allows
    (plans.rules: the sub-quota bounds), by ``excess`` places of ``dimension``; ``figure`` and
    ``what`` are the balance and the sub-quota as the message names them."""

    def __init__(
        self, unit_name: str, figure: str, what: str, dimension: str, excess: int, field: str
    ) -> None:
        super().__init__(
            PlanErrorCode.SUBQUOTA_EXCEEDS_TOTAL,
            f"{unit_name}的{figure}中，{what}将超出总名额 {excess} 名",
            field,
        )
        self.dimension = dimension
        self.excess = excess
