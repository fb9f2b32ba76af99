"""Typed failures of the sync API. ``field`` is the path from the mutation's input: the request's
own fields (``idempotencyKey``, ``records``), or a record's (``records.3.steps.1.on``).

A record is refused with the sync's own codes (a conflict it cannot resolve, text it cannot
store) or with the recruits domain's (the same checks as importRecruits): :data:`CODES` is both,
the code enum of every error a sync answers with.
"""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.recruits.errors import RecruitErrorCode

__all__ = ["CODES", "SyncError", "SyncErrorCode", "located"]


class SyncErrorCode(StrEnum):
    # --- the request --------------------------------------------------------------------------
    INVALID_KEY = "INVALID_KEY"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    TOO_MANY_RECORDS = "TOO_MANY_RECORDS"
    NOT_A_SCHOOL = "NOT_A_SCHOOL"
    SYNC_FIRST = "SYNC_FIRST"
    # --- a record -----------------------------------------------------------------------------
    UNKNOWN_BRANCH = "UNKNOWN_BRANCH"
    FORBIDDEN = "FORBIDDEN"
    INVALID_DATA = "INVALID_DATA"
    CODE_MISMATCH = "CODE_MISMATCH"
    ID_NUMBER_MISMATCH = "ID_NUMBER_MISMATCH"
    BRANCH_MISMATCH = "BRANCH_MISMATCH"
    IDENTITY_MISMATCH = "IDENTITY_MISMATCH"
    STEP_CONFLICT = "STEP_CONFLICT"
    # The whole request: a record was refused in ALL_OR_NONE mode, so nothing was written.
    RECORDS_REFUSED = "RECORDS_REFUSED"


#: Every code a sync's errors may carry: its own, then the recruits domain's.
CODES: tuple[str, ...] = (
    *SyncErrorCode,
    *(c for c in RecruitErrorCode if c.value not in SyncErrorCode.__members__),
)


class SyncError(DomainError):
    code: SyncErrorCode

    def __init__(self, code: SyncErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(code, message, field)


def located(error: DomainError, within: str) -> DomainError:
    """``error`` with its field placed under ``within`` (``records.3``): a record's checks name
    the record's own fields (``idNumber``, ``steps.1.on``), the answer names the full path."""
    field = f"{within}.{error.field}" if error.field else within
    return DomainError(error.code, error.message, field)
