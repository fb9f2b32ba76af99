"""Typed failures of the spot checks (fields named by the mutations' input, camelCase)."""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError

__all__ = ["SpotCheckError", "SpotCheckErrorCode"]


class SpotCheckErrorCode(StrEnum):
    #: The unit named is not a commission (checks are drawn by a commission).
    NOT_A_COMMISSION = "NOT_A_COMMISSION"
    #: A school id naming no school of the commission.
    UNKNOWN_SCHOOL = "UNKNOWN_SCHOOL"
    #: The seed's hash is not 64 hex digits.
    INVALID_COMMITMENT = "INVALID_COMMITMENT"
    #: Neither or both of perSchool and share, or one out of range.
    INVALID_SIZE = "INVALID_SIZE"
    #: No development target to draw from.
    NO_CANDIDATES = "NO_CANDIDATES"
    #: The seed does not hash to the commitment (or is no admissible seed).
    SEED_MISMATCH = "SEED_MISMATCH"
    #: drawSpotCheck on a check drawn already.
    ALREADY_DRAWN = "ALREADY_DRAWN"
    #: A finding without the step or the rule it cites, or naming an unknown one.
    INVALID_FINDING = "INVALID_FINDING"
    #: The record's follow-up is not in the state the operation needs.
    WRONG_STATE = "WRONG_STATE"
    INVALID_TEXT = "INVALID_TEXT"


class SpotCheckError(DomainError):
    pass
