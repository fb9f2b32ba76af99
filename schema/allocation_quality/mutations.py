from __future__ import annotations

from typing import Annotated, Any

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.allocation_quality import service

from ..mutations import decode_id, run_mutation
from ..permissions import described
from ..wording import INPUT
from .types import (
    AllocationQualityError,
    AllocationQualityRule,
    AllocationQualityRulePayload,
    SetAllocationQualityRuleInput,
)


@strawberry.type
class AllocationQualityMutations:
    @strawberry.mutation(
        description=described(
            "设置分配质量规则：change the commission's thresholds for flagging equal splits "
            "and flat ratios (given keys override the defaults).",
            Permission.RULE_MANAGE,
            where="at the commission",
        )
    )
    async def set_allocation_quality_rule(
        self, info: strawberry.Info, input: Annotated[SetAllocationQualityRuleInput, INPUT]
    ) -> AllocationQualityRulePayload:
        commission_id = decode_id(input.commission_id, "Unit", "commissionId")
        params: Any = input.params
        view, errors = await run_mutation(
            info, lambda s: service.set_rule(s, commission_id=commission_id, params=params)
        )
        return AllocationQualityRulePayload(
            rule=view and AllocationQualityRule.of(view),
            errors=[
                AllocationQualityError(code=e.code, field=e.field, message=e.message)  # type: ignore[arg-type]
                for e in errors
            ],
        )
