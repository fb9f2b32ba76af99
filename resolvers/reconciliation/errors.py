"""Typed failures of the reconciliation (fields named by the mutations' arguments and input)."""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError

__all__ = ["ReconciliationError", "ReconciliationErrorCode"]


class ReconciliationErrorCode(StrEnum):
    FORBIDDEN = "FORBIDDEN"
    #: applyReconciliation on a report already applied (frozen).
    REPORT_APPLIED = "REPORT_APPLIED"
    #: A decision naming an entry the report does not have, or twice.
    UNKNOWN_ENTRY = "UNKNOWN_ENTRY"
    DUPLICATE_DECISION = "DUPLICATE_DECISION"
    #: A resolution that does not fit the entry's kind (create_here on a matched person...).
    DECISION_NOT_APPLICABLE = "DECISION_NOT_APPLICABLE"
    #: take_theirs on a field not among the entry's conflicts.
    NOT_A_CONFLICT = "NOT_A_CONFLICT"
    #: take_theirs on a field recorded as a step's data: correct the step itself.
    FIELD_NOT_APPLICABLE = "FIELD_NOT_APPLICABLE"
    #: The 12371 branch name matches no branch of the school, or several.
    UNKNOWN_BRANCH = "UNKNOWN_BRANCH"
    #: create_here on an entry whose 12371 row lacks what a record here requires.
    INCOMPLETE_ENTRY = "INCOMPLETE_ENTRY"


class ReconciliationError(DomainError):
    pass
