"""Free text as users type it: whitespace runs collapsed, optionally required, bounded.

Shared by every domain; each passes its own error type and codes so the payload error stays
typed (e.g. ``REASON_REQUIRED`` for a missing reason, ``INVALID_TEXT`` for one too long).
"""

from __future__ import annotations

from enum import StrEnum

from .errors import DomainError


def squeeze(value: str | None) -> str:
    return " ".join((value or "").split())


def clean_text(
    value: str | None,
    field: str,
    *,
    required: bool,
    limit: int,
    error: type[DomainError],
    code: StrEnum,
    missing_code: StrEnum | None = None,
) -> str | None:
    cleaned = squeeze(value)
    if not cleaned:
        if required:
            raise error(missing_code or code, f"{field} is required", field)
        return None
    if len(cleaned) > limit:
        raise error(code, f"{field} exceeds {limit} characters", field)
    return cleaned
