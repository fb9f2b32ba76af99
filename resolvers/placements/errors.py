"""The named targets' typed errors: each names the input field to fix (``recruitIds.2`` for
the third id given)."""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError


class PlacementErrorCode(StrEnum):
    NOT_A_BRANCH = "NOT_A_BRANCH"
    INACTIVE_UNIT = "INACTIVE_UNIT"
    PERIOD_CLOSED = "PERIOD_CLOSED"
    PERIOD_NOT_ISSUED = "PERIOD_NOT_ISSUED"
    TOO_MANY_NAMES = "TOO_MANY_NAMES"
    DUPLICATE_RECRUIT = "DUPLICATE_RECRUIT"
    NOT_IN_BRANCH = "NOT_IN_BRANCH"
    NOT_A_DEVELOPMENT_TARGET = "NOT_A_DEVELOPMENT_TARGET"
    PLACE_CONSUMED = "PLACE_CONSUMED"
    SHORTFALL = "SHORTFALL"


class PlacementError(DomainError):
    code: PlacementErrorCode


class PlacementShortfall(PlacementError):
    """More names than the branch's available places, by ``amount``."""

    def __init__(self, unit_name: str, amount: int, field: str) -> None:
        super().__init__(
            PlacementErrorCode.SHORTFALL,
            f"{unit_name}的可用名额不足，缺 {amount} 名",
            field,
        )
        self.amount = amount
