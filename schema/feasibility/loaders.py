"""Per-request loaders of the feasible admissions: every line of a roll-up or plan asked for in
one batch, one aggregate per period (two when the earliest days are selected too).

It imports no GraphQL type: the types module hands it the converter (``make``), as the roll-up's
open warnings do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from partyplan.resolvers.feasibility import service
from partyplan.resolvers.feasibility.rules import Feasible
from partyplan.resolvers.plans.service.common import period_for
from partyplan.resolvers.recruits.service.records import today

T = TypeVar("T")

#: A line asked for: (its unit's id, the period).
LineKey = tuple[int, int]


def feasible_by_line(
    make: Callable[[Feasible, LineKey], T], *, dated: bool
) -> Callable[[Any], DataLoader[LineKey, T | None]]:
    """A loader factory (for ``context.loader``): each line's feasible admissions, None outside
    an open period; ``dated``: counted by earliest day rather than by stage."""

    def factory(context: Any) -> DataLoader[LineKey, T | None]:
        async def load(keys: list[LineKey]) -> list[T | None]:
            session = await context.session()
            day = today(context.settings.timezone)
            found: dict[LineKey, T | None] = {}
            for period_id in dict.fromkeys(p for _, p in keys):
                period = await period_for(session, period_id)
                units = [u for u, p in keys if p == period_id]
                figures = await service.feasible_of_units(session, period, units, day, dated=dated)
                for unit_id, figure in zip(units, figures, strict=True):
                    key = (unit_id, period_id)
                    found[key] = None if figure is None else make(figure, key)
            return [found[k] for k in keys]

        return DataLoader(load_fn=load)

    return factory
