"""Per-request loader: a user's role bindings, for a page of users in one statement."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from partyplan.resolvers.access import repository

from .types import RoleBinding


def _bindings_loader(context: Any) -> DataLoader[int, list[RoleBinding]]:
    async def load(user_ids: list[int]) -> list[list[RoleBinding]]:
        session = await context.session()
        grouped: dict[int, list[RoleBinding]] = defaultdict(list)
        for row in await repository.bindings_of_users(session, list(user_ids)):
            grouped[row.user_id].append(RoleBinding.from_row(row))
        return [grouped[i] for i in user_ids]

    return DataLoader(load_fn=load)


async def load_bindings(info: strawberry.Info, user_id: int) -> list[RoleBinding]:
    return await info.context.loader("user_bindings", _bindings_loader).load(user_id)
