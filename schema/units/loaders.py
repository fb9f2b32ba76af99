"""Per-request loader of units by id (built in the request context, never module-level)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from partyplan.auth.permissions import Permission
from partyplan.resolvers.units import repository

from .types import Unit


def _unit_loader(context: Any) -> DataLoader[int, Unit | None]:
    async def load(ids: list[int]) -> list[Unit | None]:
        session = await context.session()
        read_paths = session.principal.paths_with(Permission.UNIT_READ)
        rows = {r.id: r for r in await repository.get_many(session, ids, read_paths)}
        return [Unit.from_row(rows[i]) if i in rows else None for i in ids]

    return DataLoader(load_fn=load)


async def load_unit(info: strawberry.Info, unit_id: int) -> Unit | None:
    return await info.context.loader("unit", _unit_loader).load(unit_id)
