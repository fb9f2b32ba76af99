from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.placements import service

from ..mutations import decode_id
from ..permissions import described
from .types import NamedTargets

UnitArg = Annotated[relay.GlobalID, strawberry.argument(description="单位：a `Unit` id.")]
PeriodArg = Annotated[relay.GlobalID, strawberry.argument(description="计划期：a `PlanPeriod` id.")]


@strawberry.type
class PlacementQueries:
    @strawberry.field(
        description=described(
            "名额落实到人：a unit's places in a period and the development targets named on them "
            "and behind its forecast (names are kept by branches: another unit lists none).",
            Permission.PLAN_READ,
            Permission.RECRUIT_READ,
            where="at the unit",
        )
    )
    async def named_targets(
        self, info: strawberry.Info, unit_id: UnitArg, period_id: PeriodArg
    ) -> NamedTargets:
        session = await info.context.session()
        view = await service.view(
            session,
            period_id=decode_id(period_id, "PlanPeriod", "periodId"),
            unit_id=decode_id(unit_id, "Unit", "unitId"),
        )
        return NamedTargets.of(view)
