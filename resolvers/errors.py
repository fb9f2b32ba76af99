"""Business-rule failures: returned in mutation payloads as typed errors, never raised to the
client. Each domain subclasses :class:`DomainError` with its own code enum."""

from __future__ import annotations

from enum import StrEnum


class DomainError(Exception):
    """A business rule refused an operation. ``code`` is one its domain's code enum declares
    (the schema's, as is); ``field`` names the input field the caller must fix, by its path
    from the mutation's ``input``: camelCase as the GraphQL input types spell their fields,
    dotted into nested inputs and list items (``rows.3.idNumber``, ``targets.0.minCount``) and
    into a JSON value by its own keys (a step's ``data.in_favour``; ``overlay.rules.0.steps``).
    ``tests/support_inputs.py`` resolves such paths against the schema's input types."""

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
