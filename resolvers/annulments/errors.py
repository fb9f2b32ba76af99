"""Typed failures of annulments (fields named by ``annulAdmission``'s input)."""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError

__all__ = ["AnnulmentError", "AnnulmentErrorCode"]


class AnnulmentErrorCode(StrEnum):
    #: The recruit has no admission (step 17 not recorded): nothing to annul.
    NOT_ADMITTED = "NOT_ADMITTED"
    #: The admission was annulled already (an annulment is final and made once).
    ALREADY_ANNULLED = "ALREADY_ANNULLED"
    #: A period containing the approval is closed: its figures are frozen.
    PERIOD_CLOSED = "PERIOD_CLOSED"
    #: The reason or the document number is missing.
    REQUIRED = "REQUIRED"
    #: A text too long or holding what no text may hold.
    INVALID_TEXT = "INVALID_TEXT"
    #: The date of the decision is before the approval, or after today.
    INVALID_DATE = "INVALID_DATE"


class AnnulmentError(DomainError):
    pass
