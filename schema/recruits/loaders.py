"""Per-request loaders: steps and findings of a page of recruits, one statement each.

They import no GraphQL type: the type modules (``history.py``) hand each its converter
(``make``), so the types import the loaders and a loader's cache holds the finished objects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from partyplan.resolvers.recruits.service import reads

T = TypeVar("T")
Factory = Callable[[Any], DataLoader[int, list[T]]]


def _grouped(
    fetch: Callable[[Any, Sequence[int]], Awaitable[list[Any]]], make: Callable[[Any], T]
) -> Factory[T]:
    def factory(context: Any) -> DataLoader[int, list[T]]:
        async def load(ids: list[int]) -> list[list[T]]:
            session = await context.session()
            grouped: dict[int, list[T]] = defaultdict(list)
            for row in await fetch(session, list(ids)):
                grouped[row.recruit_id].append(make(row))
            return [grouped[i] for i in ids]

        return DataLoader(load_fn=load)

    return factory


def steps_by_recruit(make: Callable[[Any], T]) -> Factory[T]:
    """A loader factory (for ``context.loader``): each recruit's current steps, ``make(row)``."""
    return _grouped(reads.steps_of, make)


def findings_by_recruit(make: Callable[[Any], T]) -> Factory[T]:
    """A loader factory (for ``context.loader``): each recruit's findings, ``make(row)``."""
    return _grouped(reads.findings_of, make)
