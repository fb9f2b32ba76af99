"""Typed failures of the client registry. ``field`` is the input path to fix, with the list
index where one element is at fault (``redirectUris.2``, ``roles.0``)."""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError

__all__ = ["ClientError", "ClientErrorCode"]


class ClientErrorCode(StrEnum):
    INVALID_NAME = "INVALID_NAME"
    INVALID_REDIRECT_URI = "INVALID_REDIRECT_URI"
    REDIRECT_URI_REQUIRED = "REDIRECT_URI_REQUIRED"
    REDIRECT_URIS_NOT_ALLOWED = "REDIRECT_URIS_NOT_ALLOWED"
    INVALID_ORIGIN = "INVALID_ORIGIN"
    ORIGINS_NOT_ALLOWED = "ORIGINS_NOT_ALLOWED"
    TOO_MANY_VALUES = "TOO_MANY_VALUES"
    UNKNOWN_SCOPE = "UNKNOWN_SCOPE"
    SCOPE_REQUIRED = "SCOPE_REQUIRED"
    UNKNOWN_ROLE = "UNKNOWN_ROLE"
    ROLE_REQUIRED = "ROLE_REQUIRED"
    ROLES_NOT_ALLOWED = "ROLES_NOT_ALLOWED"
    ROLE_NOT_BINDABLE_HERE = "ROLE_NOT_BINDABLE_HERE"
    ROLE_ABOVE_GRANTER = "ROLE_ABOVE_GRANTER"
    INVALID_COST_BUDGET = "INVALID_COST_BUDGET"
    INVALID_RATE = "INVALID_RATE"
    INACTIVE_UNIT = "INACTIVE_UNIT"
    NO_SECRET = "NO_SECRET"
    CLIENT_DISABLED = "CLIENT_DISABLED"
    ALREADY_DISABLED = "ALREADY_DISABLED"


class ClientError(DomainError):
    code: ClientErrorCode
