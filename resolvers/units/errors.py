from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError


class UnitErrorCode(StrEnum):
    INVALID_NAME = "INVALID_NAME"
    INVALID_CODE = "INVALID_CODE"
    DUPLICATE_CODE = "DUPLICATE_CODE"
    INVALID_KIND = "INVALID_KIND"
    INVALID_PARENT = "INVALID_PARENT"
    INACTIVE_UNIT = "INACTIVE_UNIT"
    CROSS_SCHOOL_MOVE = "CROSS_SCHOOL_MOVE"
    MOVE_INTO_OWN_SUBTREE = "MOVE_INTO_OWN_SUBTREE"
    HAS_ACTIVE_CHILDREN = "HAS_ACTIVE_CHILDREN"
    IN_USE = "IN_USE"


class UnitError(DomainError):
    code: UnitErrorCode
