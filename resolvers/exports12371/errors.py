"""Typed failures of the 12371 export (fields named as the query's arguments)."""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError

__all__ = ["ExportError", "ExportErrorCode"]


class ExportErrorCode(StrEnum):
    UNKNOWN_STAGE = "UNKNOWN_STAGE"


class ExportError(DomainError):
    pass
