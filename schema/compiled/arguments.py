"""A root field's arguments as graphql-core coerces them, turned into what the ordinary
resolver receives from strawberry."""

from __future__ import annotations

from typing import Any

from strawberry import relay


def global_argument(value: Any) -> relay.GlobalID:
    """An ID argument as strawberry's GlobalID (a malformed one raises, and the document is
    then answered by the ordinary executor, which refuses it with its own error)."""
    return value if isinstance(value, relay.GlobalID) else relay.GlobalID.from_id(value)


def enum_argument(value: Any) -> str | None:
    """An enum argument's stored value (graphql-core gives strawberry's enum member)."""
    return None if value is None else getattr(value, "value", value)
