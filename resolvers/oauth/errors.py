"""The doors' refusals. The HTTP glue turns them into OAuth2 error responses or page messages;
their wording is for logs and tests, never shown as is."""

from __future__ import annotations

from enum import StrEnum

from partyplan.resolvers.errors import DomainError


class OAuthErrorCode(StrEnum):
    # The requested scope is empty, unknown, or beyond what the client (or grant) allows.
    INVALID_SCOPE = "INVALID_SCOPE"
    # Changing a password on the pages: the new one was not typed the same twice.
    PASSWORDS_DIFFER = "PASSWORDS_DIFFER"


class OAuthError(DomainError):
    code: OAuthErrorCode
