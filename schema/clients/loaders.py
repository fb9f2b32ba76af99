"""Per-request loader: the accounts of a page of service clients, in one statement.

It imports no GraphQL type: the types module hands it the converter (``make``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from partyplan.resolvers.clients import service

T = TypeVar("T")


def accounts_by_id(make: Callable[[Any], T]) -> Callable[[Any], DataLoader[int, T | None]]:
    def factory(context: Any) -> DataLoader[int, T | None]:
        async def load(ids: list[int]) -> list[T | None]:
            session = await context.session()
            rows = {r.id: r for r in await service.service_accounts(session, ids)}
            return [make(rows[i]) if i in rows else None for i in ids]

        return DataLoader(load_fn=load)

    return factory
