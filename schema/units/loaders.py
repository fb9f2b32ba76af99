"""Per-request batch loads of units by id, for the DataLoaders the types build on the request
context (never module-level: a loader caches what one caller may read).

The loaders import no GraphQL type: the types module hands each its converter (``make``), so a
loader's cache holds the finished objects (one per unit and request), and the types import the
loaders, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from partyplan.resolvers.units import service

T = TypeVar("T")


def units_by_id(make: Callable[[Any], T]) -> Callable[[Any], DataLoader[int, T | None]]:
    """A loader factory (for ``context.loader``): the units the caller may read, one statement a
    batch, ``make(row)`` of each; None for an id out of reach or unknown."""

    def factory(context: Any) -> DataLoader[int, T | None]:
        async def load(ids: list[int]) -> list[T | None]:
            session = await context.session()
            rows = {r.id: r for r in await service.readable(session, ids)}
            return [make(rows[i]) if i in rows else None for i in ids]

        return DataLoader(load_fn=load)

    return factory
