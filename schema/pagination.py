"""A connection's arguments and cursors: ``first``/``after`` and ``last``/``before`` turned into
a :class:`~partyplan.resolvers.paging.Keyset` that the repositories page in SQL
(``WHERE key > after ORDER BY key LIMIT n + 1``, or the reverse for ``last``), never by
slicing a Python list (strawberry's ListConnection would). Conventions: docs/architecture.md,
"Connections"."""

from __future__ import annotations

import base64

from partyplan.resolvers.paging import Keyset

from .errors import BadInput

DEFAULT_PAGE_SIZE = 50

#: Appended to every paged field's description, so that front ends read the rules in the schema.
PAGING = (
    " Paged: `first`/`after` forwards, `last`/`before` backwards (not `first` and `last` "
    "together), at most the server's page size either way; `totalCount` counts every item the "
    "caller may see under the same filters, and is computed only when selected."
)


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
    except ValueError as error:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise BadInput("the cursor is not one this API issued", field) from error


def page_limit(first: int | None, max_page_size: int, field: str = "first") -> int:
    if first is None:
        return min(DEFAULT_PAGE_SIZE, max_page_size)
    if first < 0 or first > max_page_size:
        raise BadInput(f"{field} must be between 0 and {max_page_size}", field)
    return first


def keyset(
    max_page_size: int,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Keyset:
    """The page a connection's arguments ask for: ``last`` (with or without ``before``) pages
    backward, anything else forward; ``first`` and ``last`` together are refused (naming
    ``last``), and either is bounded by ``max_page_size``; a cursor this API did not issue is
    refused naming its argument."""
    if first is not None and last is not None:
        raise BadInput("give first or last, not both", "last")
    backward = last is not None
    size = page_limit(last, max_page_size, "last") if backward else page_limit(first, max_page_size)
    return Keyset(
        after=decode_cursor(after, "after"),
        before=decode_cursor(before, "before"),
        size=size,
        backward=backward,
    )
