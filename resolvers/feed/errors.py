"""Typed failures of the change feed. ``changes`` is a query: the schema raises them as GraphQL
errors with ``extensions.code`` (a cursor not ours: ``BAD_USER_INPUT``; one older than the
retention: ``CURSOR_EXPIRED``)."""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError

__all__ = ["FeedError", "FeedErrorCode"]


class FeedErrorCode(StrEnum):
    INVALID_CURSOR = "INVALID_CURSOR"
    CURSOR_EXPIRED = "CURSOR_EXPIRED"
    INVALID_KINDS = "INVALID_KINDS"


class FeedError(DomainError):
    code: FeedErrorCode
