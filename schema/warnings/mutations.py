from __future__ import annotations

from typing import Annotated, Any

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.warnings.rules.kinds import WarningKind as Kind
from partyplan.resolvers.warnings.service import manage as service

from ..mutations import decode_id, run_mutation
from ..permissions import described
from ..wording import INPUT
from .types import (
    AcknowledgeWarningInput,
    SetWarningRuleInput,
    Warning,
    WarningError,
    WarningPayload,
    WarningRule,
    WarningRulePayload,
)


def _errors(errors: list[DomainError]) -> list[WarningError]:
    return [WarningError(code=e.code, field=e.field, message=e.message) for e in errors]  # type: ignore[arg-type]


@strawberry.type
class WarningMutations:
    @strawberry.mutation(
        description=described(
            "知悉预警：acknowledge an open warning (with a note); the scan resolves it once the "
            "situation clears.",
            Permission.WARNING_ACK,
            where="at the warning's unit",
        )
    )
    async def acknowledge_warning(
        self, info: strawberry.Info, input: Annotated[AcknowledgeWarningInput, INPUT]
    ) -> WarningPayload:
        warning_id = decode_id(input.warning_id, "Warning", "warningId")
        row, errors = await run_mutation(
            info, lambda s: service.acknowledge(s, warning_id=warning_id, note=input.note)
        )
        return WarningPayload(warning=row and Warning.from_row(row), errors=_errors(errors))

    @strawberry.mutation(
        description=described(
            "设置预警规则：set one kind of warning rule for the commission: switch it on or "
            "off, change its "
            "parameters (thresholds; for MISSING_DATA the 12371 requirements list).",
            Permission.RULE_MANAGE,
            where="at the commission",
        )
    )
    async def set_warning_rule(
        self, info: strawberry.Info, input: Annotated[SetWarningRuleInput, INPUT]
    ) -> WarningRulePayload:
        commission_id = decode_id(input.commission_id, "Unit", "commissionId")
        params: Any = input.params
        view, errors = await run_mutation(
            info,
            lambda s: service.set_rule(
                s,
                commission_id=commission_id,
                kind=Kind(input.kind.value),
                enabled=input.enabled,
                params=params,
            ),
        )
        return WarningRulePayload(rule=view and WarningRule.of(view), errors=_errors(errors))
