"""What a client selected below a field, fragments included (for prefetching in one statement
what a list would otherwise load row by row)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def selects(selections: Iterable[Any], path: Sequence[str]) -> bool:
    """Whether the selection reaches ``path`` (field names), through any fragment.

    In the resolver of ``recruits { edges { node { ... on Recruit { findings { ruleId } } } } }``,
    ``selects(info.selected_fields[0].selections, ("edges", "node", "findings"))`` is true.
    """
    if not path:
        return True
    for selection in selections:
        name = getattr(selection, "name", None)
        children = getattr(selection, "selections", None) or []
        if name is None or not hasattr(selection, "arguments"):  # a fragment: look inside
            if selects(children, path):
                return True
        elif name == path[0] and selects(children, path[1:]):
            return True
    return False
