"""setCommissionRegion: the province whose rule overlays apply under a commission."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.recruits.service import region

from ..mutations import decode_id, run_mutation
from ..permissions import described
from ..units.types import Unit
from ..wording import INPUT, PAYLOAD_ERRORS
from .payloads import RecruitError


@strawberry.input(description="设置工委地区代码：A commission and the code of its province.")
class SetCommissionRegionInput:
    commission_id: relay.GlobalID = strawberry.field(description="工委：The commission's unit id.")
    region_code: str = strawberry.field(
        description="地区代码：The GB/T 2260 code of the province, autonomous region or "
        "municipality (two digits: `14` 山西省, `50` 重庆市)."
    )


@strawberry.type(description="设置工委地区代码的结果：The commission as changed, or the errors.")
class CommissionRegionPayload:
    commission: Unit | None = strawberry.field(
        description="工委：The commission with its region; null when refused (see errors)."
    )
    rederived_recruits: int = strawberry.field(
        description="重新判定的发展对象数：Recruits whose stage, due date or findings changed "
        "under the new region's rules (0 when refused or unchanged)."
    )
    errors: list[RecruitError] = strawberry.field(description=PAYLOAD_ERRORS)


@strawberry.type
class RegionMutations:
    @strawberry.mutation(
        description=described(
            "设置工委地区代码：Set the province of a commission, which chooses the province's "
            "rule overlays for every school under it. Recruits already recorded are judged again "
            "at once (findings, next due dates); recorded steps keep the rule version they were "
            "recorded under.",
            Permission.RULE_MANAGE,
            where="at the commission",
        )
    )
    async def set_commission_region(
        self, info: strawberry.Info, input: Annotated[SetCommissionRegionInput, INPUT]
    ) -> CommissionRegionPayload:
        commission_id = decode_id(input.commission_id, "Unit", "commissionId")
        change, errors = await run_mutation(
            info,
            lambda s: region.set_commission_region(
                s, commission_id=commission_id, region_code=input.region_code
            ),
        )
        return CommissionRegionPayload(
            commission=None if change is None else Unit.from_row(change.commission),
            rederived_recruits=0 if change is None else change.rederived,
            errors=[RecruitError(code=e.code, field=e.field, message=e.message) for e in errors],
        )
