"""Business-rule failures: returned in mutation payloads as typed errors, never raised to the
client. Each domain subclasses :class:`DomainError` with its own code enum."""

from __future__ import annotations

from enum import StrEnum


class DomainError(Exception):
    def __init__(self, code: StrEnum, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class ValidationErrors(DomainError):
    """Several domain errors at once (e.g. every bad field of one input)."""

    def __init__(self, errors: list[DomainError]) -> None:
        super().__init__(errors[0].code, errors[0].message, errors[0].field)
        self.errors = errors
