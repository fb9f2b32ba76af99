"""Typed failures of the member roster: fields named by their path from the mutation's input
(``members.3.joinedOn``), rows also by their 0-based index."""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError

__all__ = ["MemberError", "MemberErrorCode", "MemberRowError"]


class MemberErrorCode(StrEnum):
    INVALID_CODE = "INVALID_CODE"
    INVALID_NAME = "INVALID_NAME"
    INVALID_DATES = "INVALID_DATES"
    FUTURE_DATE = "FUTURE_DATE"
    NOT_IN_SCHOOL = "NOT_IN_SCHOOL"
    NOT_A_SCHOOL = "NOT_A_SCHOOL"
    DUPLICATE_CODE = "DUPLICATE_CODE"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    #: A 12371 file's branch name: no branch or committee of the school has it, or several.
    UNKNOWN_BRANCH = "UNKNOWN_BRANCH"
    AMBIGUOUS_BRANCH = "AMBIGUOUS_BRANCH"
    #: setMemberPartyProbation: the reason is missing, or a text no field may hold.
    REASON_REQUIRED = "REASON_REQUIRED"
    INVALID_TEXT = "INVALID_TEXT"


class MemberError(DomainError):
    code: MemberErrorCode


class MemberRowError(MemberError):
    """A roster row's error: which row (0-based) and the field, by its whole path."""

    def __init__(self, index: int, code: MemberErrorCode, message: str, field: str | None) -> None:
        super().__init__(code, message, field)
        self.index = index
