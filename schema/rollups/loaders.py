"""Per-request loader: the open warnings of a roll-up's lines by kind, every line of a batch in
one statement (a province screen of 150 school lines asks for each).

It imports no GraphQL type: the types module hands it the converter (``make``), so the types
import the loader and the loader's cache holds the finished objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from partyplan.resolvers.warnings.rules.kinds import WarningKind
from partyplan.resolvers.warnings.service import manage

T = TypeVar("T")

#: A line asked for: (its unit's path, the period).
LineKey = tuple[str, int]


def open_warnings_by_line(
    make: Callable[[WarningKind, int], T],
) -> Callable[[Any], DataLoader[LineKey, list[T]]]:
    """A loader factory (for ``context.loader``): each line's open warnings the caller may
    read, one ``make(kind, count)`` per kind that has any, in the kinds' order."""

    def factory(context: Any) -> DataLoader[LineKey, list[T]]:
        async def load(keys: list[LineKey]) -> list[list[T]]:
            session = await context.session()
            counts = await manage.open_counts(session, keys)
            return [[make(kind, n) for kind, n in found.items()] for found in counts]

        return DataLoader(load_fn=load)

    return factory
