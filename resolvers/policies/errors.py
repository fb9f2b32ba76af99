"""Typed failures of registering trusted documents. ``field`` names the document at fault by its
index in the input list (``documents.2``)."""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError

__all__ = ["PolicyError", "PolicyErrorCode"]


class PolicyErrorCode(StrEnum):
    NO_DOCUMENTS = "NO_DOCUMENTS"
    TOO_MANY_DOCUMENTS = "TOO_MANY_DOCUMENTS"
    # The text holds a NUL or a lone surrogate (it cannot be stored or hashed as UTF-8), does
    # not parse, or does not validate against the schema (the message says which).
    INVALID_DOCUMENT = "INVALID_DOCUMENT"


class PolicyError(DomainError):
    code: PolicyErrorCode
