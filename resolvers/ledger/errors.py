"""Typed failures of the activists' ledger (fields named as the query's arguments)."""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError

__all__ = ["LedgerError", "LedgerErrorCode"]


class LedgerErrorCode(StrEnum):
    NOT_A_COMMITTEE = "NOT_A_COMMITTEE"


class LedgerError(DomainError):
    pass
