"""Per-request batch loads of units by id, for the DataLoaders the types build on the request
context (never module-level: a loader caches what one caller may read).

The loaders import no GraphQL type: the types module hands each its converter (``make``), so a
loader's cache holds the finished objects (one per unit and request), and the types import the
loaders, never the reverse.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from partyplan.resolvers.paging import Keyset
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


#: A page of children asked for: (parent id, include inactive, the page).
ChildrenKey = tuple[int, bool, Keyset]


def _batched(
    fetch: Callable[..., Awaitable[dict[int, Any]]], context: Any
) -> DataLoader[ChildrenKey, Any]:
    """A loader of per-parent results of ``fetch``: one call per distinct (include inactive,
    page) among the keys of a batch, all their parents at once."""

    async def load(keys: list[ChildrenKey]) -> list[Any]:
        session = await context.session()
        groups: dict[tuple[bool, Keyset], list[int]] = {}
        for parent_id, include_inactive, keyset in keys:
            groups.setdefault((include_inactive, keyset), []).append(parent_id)
        found: dict[ChildrenKey, Any] = {}
        for (include_inactive, keyset), parent_ids in groups.items():
            results = await fetch(
                session, parent_ids, include_inactive=include_inactive, keyset=keyset
            )
            for parent_id, result in results.items():
                found[(parent_id, include_inactive, keyset)] = result
        return [found[k] for k in keys]

    return DataLoader(load_fn=load)


def children_pages(context: Any) -> DataLoader[ChildrenKey, tuple[list[Any], bool]]:
    """Pages of children (rows, more beyond): one statement per batch and page asked for."""
    return _batched(service.children_pages, context)


def children_summaries(context: Any) -> DataLoader[ChildrenKey, tuple[int, bool, bool]]:
    """(count, any at/before ``after``, any at/after ``before``) per parent, as pages ask."""
    return _batched(service.children_summaries, context)
