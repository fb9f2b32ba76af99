"""Keyset pagination for cursor connections: ``WHERE key > cursor ORDER BY key LIMIT n + 1``
in SQL, never slicing a Python list (strawberry's ListConnection would)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from strawberry import relay

from .errors import BadInput

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50


def encode_cursor(key: int) -> str:
    return base64.urlsafe_b64encode(f"k:{key}".encode()).decode()


def decode_cursor(cursor: str | None, field: str = "after") -> int | None:
    if cursor is None:
        return None
    try:
        prefix, _, key = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if prefix != "k":
            raise ValueError(prefix)
        value = int(key)
        if not 0 <= value < 2**63:  # keys are bigint ids: anything else would fail in SQL
            raise ValueError(key)
        return value
    except ValueError as error:
        raise BadInput("the cursor is not one this API issued", field) from error


def page_limit(first: int | None, max_page_size: int) -> int:
    if first is None:
        return min(DEFAULT_PAGE_SIZE, max_page_size)
    if first < 0 or first > max_page_size:
        raise BadInput(f"first must be between 0 and {max_page_size}", "first")
    return first


def build_connection(
    rows: Sequence[Any], limit: int, to_node: Callable[[Any], T], key: str = "id"
) -> relay.Connection[T]:
    """``rows`` were fetched with ``LIMIT limit + 1``: the extra row only signals a next page."""
    has_next = len(rows) > limit
    edges = [
        relay.Edge(cursor=encode_cursor(getattr(r, key)), node=to_node(r)) for r in rows[:limit]
    ]
    return relay.Connection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=has_next,
            has_previous_page=False,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
