"""Descriptions shared by the schema folders: the connection arguments (``first``/``after``/
``last``/``before``), the fields every typed payload error and payload has, and the error-code
enums whose every value is described (:func:`coded_enum`), and the convention every share and
rate states (:data:`FRACTION`), so that front ends read the same words for the same thing
everywhere. Argument names and types are the
contract and stay as they were: only descriptions are added here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Annotated, Any

import strawberry

from .pagination import DEFAULT_PAGE_SIZE

First = Annotated[
    int | None,
    strawberry.argument(
        description="每页条数：how many items to return, paging forwards from the start or from "
        f"`after`; 0 to the server's page size, default {DEFAULT_PAGE_SIZE} (or the page size "
        "if smaller). Not together with `last`."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="游标：return the items after this cursor (an edge's `cursor` or "
        "`pageInfo.endCursor` of the previous page); null to start at the beginning."
    ),
]
Last = Annotated[
    int | None,
    strawberry.argument(
        description="每页条数（向前翻页）：how many items to return, paging backwards from the end "
        "or from `before`; 0 to the server's page size. Not together with `first`."
    ),
]
IncludeInactive = Annotated[
    bool,
    strawberry.argument(description="含已停用：true to include deactivated units as well."),
]
Before = Annotated[
    str | None,
    strawberry.argument(
        description="游标：return the items before this cursor (an edge's `cursor` or "
        "`pageInfo.startCursor` of the next page); null to end at the last item."
    ),
]

#: The descriptions every typed payload error shares (the errors of every domain are alike).
ERROR_FIELD = (
    "出错字段：the input field to fix, as a path from the mutation's `input` in camelCase "
    "(e.g. `name`, `amounts.students`, `documents.2`); null when no single field is at fault."
)
ERROR_MESSAGE = (
    "错误说明：a readable explanation of the error, in Chinese, for display; tell errors apart "
    "by `code`, not by this text."
)
PAYLOAD_ERRORS = (
    "错误：why the mutation was refused, empty on success; when not empty nothing was changed."
)

#: A mutation's one argument.
INPUT = strawberry.argument(description="输入：what the mutation needs; see the input type.")


def coded_enum(
    name: str, description: str, codes: Iterable[str], *tables: Mapping[str, str]
) -> Any:
    """The GraphQL enum ``name`` of a domain's error ``codes`` in their order, each value
    described by the first table that has it. The values are the codes' own strings, so a
    resolver's ``StrEnum`` member serializes as the value of the same name; a code without a
    description is refused at import, so a new code cannot reach the schema undescribed."""
    members: dict[str, Any] = {}
    for code in map(str, codes):
        if code in members:
            continue
        text = next((table[code] for table in tables if code in table), None)
        if not text:
            raise LookupError(f"{name}.{code} has no description")
        members[code] = strawberry.enum_value(code, description=text)
    return strawberry.enum(Enum(name, members), description=description)  # type: ignore[misc]


#: The one convention for every share, rate and ratio of the API (docs/architecture.md,
#: "Shares and rates"), said in the description of each such field: a fraction, never a
#: percentage.
FRACTION = "比例以小数表示：0.8 即 80%。A fraction: 0.8 means 80%."


def fraction(text: str) -> str:
    """``text`` (a share's or rate's description) followed by the convention."""
    return f"{text}{' ' if text[-1].isascii() else '。'}{FRACTION}"


def percent_replaced_by(replacement: str) -> str:
    """The deprecation reason of a field giving a share in percent (0–100), replaced by its
    twin ``replacement`` giving the same share as a fraction."""
    return (
        f"改用 `{replacement}`（比例以小数表示）：本字段的值为 `{replacement}` × 100。"
        f"Use `{replacement}`, the same share as a fraction; this field is that value × 100."
    )
