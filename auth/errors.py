"""Access failures. They become GraphQL errors with ``extensions.code``; business-rule
failures are domain errors returned in mutation payloads instead."""

from __future__ import annotations


class AccessError(Exception):
    code = "ACCESS"
    default_message = "access denied"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)


class NotAuthenticated(AccessError):
    code = "UNAUTHENTICATED"
    default_message = "a valid bearer token is required"


class Forbidden(AccessError):
    code = "FORBIDDEN"
    default_message = "your role does not allow this"


class NotFound(AccessError):
    """Also what a caller gets for an object outside its scope: never FORBIDDEN there."""

    code = "NOT_FOUND"
    default_message = "not found"
