from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.rollups import service

from ..mutations import decode_id
from ..permissions import described
from ..replica import REPLICA_READ
from .types import Rollup


@strawberry.type
class RollupQueries:
    @strawberry.field(
        description=described(
            "计划执行汇总：a unit's execution figures for a period and the same line for each "
            "child: quota received, handed down and reserved, forecasts, admissions counted and "
            "exempt, completion rate, the structure of the admissions, the pipeline at the "
            "period end, open findings, and the plan's structural targets beside the actuals. "
            "Current as of the last recorded step.",
            Permission.PLAN_READ,
            where="at the unit",
        ),
        # Tallies: a streaming replica that has the caller's last write answers as well.
        metadata=REPLICA_READ,
    )
    async def rollup(
        self,
        info: strawberry.Info,
        unit_id: Annotated[
            relay.GlobalID,
            strawberry.argument(description="单位：the unit to sum, with everything below it."),
        ],
        period_id: Annotated[
            relay.GlobalID, strawberry.argument(description="计划期：the plan period.")
        ],
    ) -> Rollup:
        # Read from tallies the database keeps as recruits change: two statements whatever
        # the size of the tree.
        session = await info.context.session()
        view = await service.rollup(
            session,
            unit_id=decode_id(unit_id, "Unit", "unitId"),
            period_id=decode_id(period_id, "PlanPeriod", "periodId"),
        )
        return Rollup.of(view)
