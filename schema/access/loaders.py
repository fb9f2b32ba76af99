"""Per-request loader: a user's role bindings, for a page of users in one statement.

It imports no GraphQL type: the types module hands it the converter (``make``), so the types
import the loader and the loader's cache holds the finished objects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from partyplan.resolvers.access import service

T = TypeVar("T")


def bindings_by_user(make: Callable[[Any], T]) -> Callable[[Any], DataLoader[int, list[T]]]:
    """A loader factory (for ``context.loader``): each user's bindings the caller may see, in
    binding order, ``make(row)`` of each."""

    def factory(context: Any) -> DataLoader[int, list[T]]:
        async def load(user_ids: list[int]) -> list[list[T]]:
            session = await context.session()
            grouped: dict[int, list[T]] = defaultdict(list)
            for row in await service.bindings_of_users(session, list(user_ids)):
                grouped[row.user_id].append(make(row))
            return [grouped[i] for i in user_ids]

        return DataLoader(load_fn=load)

    return factory
