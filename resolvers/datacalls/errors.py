"""Typed business-rule failures of data calls. ``field`` is the path from the mutation's input
(``fields.2.options``, ``unitIds.0``), into the answers by the form's own keys
(``answers.teachers``)."""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError

__all__ = ["DataCallError", "DataCallErrorCode"]


class DataCallErrorCode(StrEnum):
    NOT_AN_ISSUER = "NOT_AN_ISSUER"
    INVALID_FORM = "INVALID_FORM"
    INVALID_TEXT = "INVALID_TEXT"
    INVALID_DUE_DATE = "INVALID_DUE_DATE"
    INVALID_TARGET = "INVALID_TARGET"
    NOT_ADDRESSED = "NOT_ADDRESSED"
    CALL_CLOSED = "CALL_CLOSED"
    DUE_DATE_PASSED = "DUE_DATE_PASSED"
    INVALID_ANSWER = "INVALID_ANSWER"
    MISSING_ANSWER = "MISSING_ANSWER"
    UNKNOWN_FIELD = "UNKNOWN_FIELD"


class DataCallError(DomainError):
    pass
