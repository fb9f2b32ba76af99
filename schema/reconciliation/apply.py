"""``applyReconciliation``: decisions on a 12371 reconciliation report, then the report frozen."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.reconciliation.service import apply, reads

from ..mutations import decode_id, run_mutation
from ..permissions import described
from .imports import file_errors
from .types import FileError, ReconciliationReport, ReconciliationResolution


@strawberry.input(
    description="对一条核对结果的处理：The entry named by its ordinal, and what to do."
)
class ReconciliationDecisionInput:
    ordinal: int = strawberry.field(description="序号：The entry's ordinal in the report.")
    resolution: ReconciliationResolution = strawberry.field(
        description="处理方式：What to do with the entry."
    )
    fields: list[str] | None = strawberry.field(
        default=None,
        description="采用的字段：With TAKE_THEIRS, the conflicting fields to take from 12371 (`name`, "
        "`phone`, `branch`, `activist_date`…); all the entry's conflicts when left out. Only "
        "the recruit's details, its branch and a step's date can be taken.",
    )


@strawberry.input(description="处理核对报告：The report and the decisions on its entries.")
class ApplyReconciliationInput:
    report_id: relay.GlobalID = strawberry.field(description="核对报告：The report's id.")
    decisions: list[ReconciliationDecisionInput] = strawberry.field(
        description="各条处理：At most one per entry; entries without one stay undecided."
    )


@strawberry.type(description="处理核对报告的结果：The frozen report, or the refused decisions.")
class ApplyReconciliationPayload:
    report: ReconciliationReport | None = strawberry.field(
        description="核对报告：The report, applied and frozen; null when refused (see errors)."
    )
    errors: list[FileError] = strawberry.field(
        description="错误：Every refused decision, at its place in the input (`decisions.3.fields.0`); "
        "any refusal refuses them all and nothing is written."
    )


@strawberry.type
class ApplyReconciliationMutations:
    @strawberry.mutation(
        description=described(
            "处理核对报告：Apply decisions to a reconciliation report: TAKE_THEIRS writes 12371's value of a "
            "conflicting entry's fields here (details, branch by a transfer, a step's date by a "
            "correction), KEEP_OURS writes nothing, CREATE_HERE creates a person only in 12371 "
            "(the application recorded; the outcome lists the milestones still to record). All "
            "or nothing; then the report is frozen with the SHA-256 of its entries as evidence "
            "(also in the audit log), and cannot be applied again.",
            Permission.RECRUIT_RECORD,
            where="at the school (and what each reused operation requires: "
            "`recruit.transfer` to move a recruit, `recruit.approve` to correct an approval)",
        )
    )
    async def apply_reconciliation(
        self,
        info: strawberry.Info,
        input: Annotated[
            ApplyReconciliationInput,
            strawberry.argument(
                description="核对报告及对各条目的处理：The report and the decisions."
            ),
        ],
    ) -> ApplyReconciliationPayload:
        report_id = decode_id(input.report_id, "ReconciliationReport", "reportId")
        decisions = [
            apply.Decision(
                ordinal=d.ordinal,
                resolution=d.resolution.value,
                fields=None if d.fields is None else tuple(d.fields),
            )
            for d in input.decisions
        ]
        context = info.context

        async def run(session):  # type: ignore[no-untyped-def]
            applied = await apply.apply_report(
                session,
                context.pii,
                context.settings.timezone,
                report_id=report_id,
                decisions=decisions,
            )
            return await reads.visible(session, applied)

        row, errors = await run_mutation(info, run)
        return ApplyReconciliationPayload(
            report=None if row is None else ReconciliationReport.from_row(row),
            errors=file_errors(errors)[0],
        )
