from __future__ import annotations

from typing import Annotated

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.placements import service

from ..mutations import decode_id, run_mutation
from ..permissions import described
from ..wording import INPUT
from .inputs import NamedTargetsInput
from .types import NamedTargets, NamedTargetsPayload, PlacementError


def _payload(
    view: service.NamedTargetsView | None, errors: list[DomainError]
) -> NamedTargetsPayload:
    return NamedTargetsPayload(
        named_targets=view and NamedTargets.of(view),
        errors=[
            PlacementError(
                code=e.code, field=e.field, message=e.message, shortfall=getattr(e, "amount", None)
            )
            for e in errors
        ],
    )


def _ids(input: NamedTargetsInput) -> tuple[int, int, list[int]]:
    return (
        decode_id(input.period_id, "PlanPeriod", "periodId"),
        decode_id(input.unit_id, "Unit", "unitId"),
        [decode_id(r, "Recruit", f"recruitIds.{i}") for i, r in enumerate(input.recruit_ids)],
    )


@strawberry.type
class PlacementMutations:
    @strawberry.mutation(
        description=described(
            "名额落实到人：place the branch's places of the period on named development targets "
            "(the list replaces the earlier one). Never more names than the branch's available "
            "places (received − handed down − reserve): SHORTFALL otherwise, nothing written. A "
            "recruit holds one place per period; one admitted on his place in the period keeps it "
            "(PLACE_CONSUMED if left off).",
            Permission.FORECAST_SUBMIT,
            where="at the branch",
        )
    )
    async def place_quota(
        self, info: strawberry.Info, input: Annotated[NamedTargetsInput, INPUT]
    ) -> NamedTargetsPayload:
        period_id, unit_id, recruit_ids = _ids(input)
        view, errors = await run_mutation(
            info,
            lambda s: service.place(
                s, period_id=period_id, unit_id=unit_id, recruit_ids=recruit_ids
            ),
        )
        return _payload(view, errors)

    @strawberry.mutation(
        description=described(
            "预计名单：the development targets backing the branch's forecast of the period (the "
            "list replaces the earlier one). Names without a place show in the roll-up "
            "(`namesWithoutPlace`) and raise the `NAMES_WITHOUT_PLACES` warning late in the period.",
            Permission.FORECAST_SUBMIT,
            where="at the branch",
        )
    )
    async def name_forecast(
        self, info: strawberry.Info, input: Annotated[NamedTargetsInput, INPUT]
    ) -> NamedTargetsPayload:
        period_id, unit_id, recruit_ids = _ids(input)
        view, errors = await run_mutation(
            info,
            lambda s: service.name_forecast(
                s, period_id=period_id, unit_id=unit_id, recruit_ids=recruit_ids
            ),
        )
        return _payload(view, errors)
