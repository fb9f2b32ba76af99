"""Per-request loaders: steps and findings of a page of recruits, one statement each."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from partyplan.resolvers.recruits import repository

from .types import ComplianceFinding, RecordedStep


def _grouped(fetch: Callable[..., Awaitable[list[Any]]], make: Callable[[Any], Any]):  # type: ignore[no-untyped-def]
    def factory(context: Any) -> DataLoader[int, list[Any]]:
        async def load(ids: list[int]) -> list[list[Any]]:
            session = await context.session()
            grouped: dict[int, list[Any]] = defaultdict(list)
            for row in await fetch(session, list(ids)):
                grouped[row.recruit_id].append(make(row))
            return [grouped[i] for i in ids]

        return DataLoader(load_fn=load)

    return factory


_steps = _grouped(repository.steps_of_many, RecordedStep.from_row)
_findings = _grouped(repository.findings_of_many, ComplianceFinding.from_row)


async def load_steps(info: strawberry.Info, recruit_id: int) -> list[RecordedStep]:
    return await info.context.loader("recruit_steps", _steps).load(recruit_id)


async def load_findings(info: strawberry.Info, recruit_id: int) -> list[ComplianceFinding]:
    return await info.context.loader("recruit_findings", _findings).load(recruit_id)
