from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.allocation_quality import service

from ..connections import Connection, connection
from ..mutations import decode_id
from ..pagination import PAGING, keyset
from ..permissions import described
from ..wording import After, Before, First, Last
from .types import AllocationQuality, AllocationQualityRule


@strawberry.type
class AllocationQualityQueries:
    @strawberry.field(
        description=described(
            "名额分解质量：each subdivision of the period (a unit that handed places down) on the "
            "caller's units, by unit id: its score against the children's pipeline, whether it "
            "is an equal split or a flat ratio, and why." + PAGING,
            Permission.PLAN_READ,
            where="at the subdividing unit",
        )
    )
    async def allocation_qualities(
        self,
        info: strawberry.Info,
        period_id: Annotated[
            relay.GlobalID, strawberry.argument(description="计划期：the period's ID.")
        ],
        under: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="范围：only subdivisions at this unit and below it."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AllocationQuality]:
        session = await info.context.session()
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        rows, judged = await service.page(
            session,
            period_id=decode_id(period_id, "PlanPeriod", "periodId"),
            under_id=None if under is None else decode_id(under, "Unit", "under"),
            keyset=page,
        )
        return await connection(info, rows, lambda r: AllocationQuality.of(judged[r.id]))

    @strawberry.field(
        description=described(
            "分配质量规则：the commission's thresholds for the allocation-quality flags, with "
            "the documented defaults.",
            Permission.PLAN_READ,
            where="in the commission's tree",
        )
    )
    async def allocation_quality_rule(
        self,
        info: strawberry.Info,
        commission_id: Annotated[
            relay.GlobalID, strawberry.argument(description="工委：the commission's ID.")
        ],
    ) -> AllocationQualityRule:
        session = await info.context.session()
        view = await service.rule(session, decode_id(commission_id, "Unit", "commissionId"))
        return AllocationQualityRule.of(view)
