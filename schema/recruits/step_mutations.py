"""The mutations that write a recruit's steps: recordStep, correctStep, and the probation
decisions (extendProbation, cancelProbation), which record a step of their own."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.recruits.rules import locate
from partyplan.resolvers.recruits.service import corrections, records

from ..mutations import decode_id, run_mutation
from ..permissions import described
from .history import prime_findings, prime_steps
from .inputs import CancelProbationInput, CorrectStepInput, ExtendProbationInput, RecordStepInput
from .payloads import RecruitPayload
from .recruit_payload import recruit_payload, reloaded_payload


async def _record(
    info: strawberry.Info,
    recruit_id: Any,
    code: str,
    on: Any,
    data: dict[str, Any],
    fields: locate.StepFields = locate.as_recorded,
) -> RecruitPayload:
    """Record step ``code`` for the recruit, a refusal placed on the input's fields by
    ``fields`` (``locate``): recordStep's own, or those of a mutation for one fixed step."""
    row_id = decode_id(recruit_id, "Recruit", "recruitId")
    context = info.context
    recorded, errors = await run_mutation(
        info,
        lambda s: records.record_step_returning(
            s,
            context.settings.timezone,
            recruit_id=row_id,
            step_code=code,
            on=on,
            data=data,
            fields=fields,
        ),
    )
    session = await context.session()
    if recorded is None:
        return recruit_payload(info, session, None, errors)
    # The payload shows what the write returned, not a second read: the recruit as updated
    # (scoped as ``records.visible`` scopes a read), its steps and findings primed into the
    # request's loaders (replacing what an earlier field of the document may have cached).
    row = session.reach(recorded.recruit, "recruit", Permission.RECRUIT_READ)
    prime_steps(info, row.id, recorded.steps)
    prime_findings(info, row.id, recorded.findings)
    return recruit_payload(info, session, row, errors)


@strawberry.type
class ProbationMutations:
    @strawberry.mutation(
        description=described(
            "延长预备期：Once, by 6 to 12 months (the same as recordStep PROBATION_EXTENSION).",
            Permission.RECRUIT_RECORD,
            where="at the recruit's branch",
        )
    )
    async def extend_probation(
        self,
        info: strawberry.Info,
        input: Annotated[
            ExtendProbationInput,
            strawberry.argument(
                description="延长预备期的决定：The recruit, the date, the months and the reason."
            ),
        ],
    ) -> RecruitPayload:
        data: dict[str, Any] = {"months": input.months}
        if input.reason:
            data["reason"] = input.reason
        return await _record(
            info, input.recruit_id, "probation_extension", input.on, data, locate.EXTENSION
        )

    @strawberry.mutation(
        description=described(
            "取消预备党员资格：The same as recordStep PROBATION_CANCELLATION.",
            Permission.RECRUIT_RECORD,
            where="at the recruit's branch",
        )
    )
    async def cancel_probation(
        self,
        info: strawberry.Info,
        input: Annotated[
            CancelProbationInput,
            strawberry.argument(
                description="取消预备党员资格的决定：The recruit, the date and the reason."
            ),
        ],
    ) -> RecruitPayload:
        data = {"reason": input.reason} if input.reason else {}
        return await _record(
            info, input.recruit_id, "probation_cancellation", input.on, data, locate.CANCELLATION
        )


@strawberry.type
class CorrectStepMutation:
    @strawberry.mutation(
        description=described(
            "更正步骤：Correct a recorded step with a reason: a new record supersedes the old one (both kept, "
            "audited) and the corrected history is judged again.",
            Permission.RECRUIT_RECORD,
            where="at the recruit's branch (recruit.approve for the committee's steps)",
        )
    )
    async def correct_step(
        self,
        info: strawberry.Info,
        input: Annotated[
            CorrectStepInput,
            strawberry.argument(
                description="更正的步骤记录、新日期与数据、理由：The step record, its corrected date and data, and why."
            ),
        ],
    ) -> RecruitPayload:
        step_id = decode_id(input.step_id, "RecruitStep", "stepId")
        data = input.data if isinstance(input.data, dict) else {}
        context = info.context
        row, errors = await run_mutation(
            info,
            lambda s: corrections.correct_step(
                s,
                context.settings.timezone,
                step_id=step_id,
                on=input.on,
                data=data,
                reason=input.reason,
            ),
        )
        return await reloaded_payload(info, row, errors)


@strawberry.type
class RecordStepMutation:
    @strawberry.mutation(
        description=described(
            "记录步骤：Record a step. Preconditions refuse it (RULE_VIOLATION citing the rule, on `on`, "
            "`step` or the datum at fault, e.g. `data.inFavour`); a late step is accepted with a "
            "compliance finding. The grassroots committee's steps (approvals, filings) need "
            "recruit.approve.",
            Permission.RECRUIT_RECORD,
            where="at the recruit's branch",
        )
    )
    async def record_step(
        self,
        info: strawberry.Info,
        input: Annotated[
            RecordStepInput,
            strawberry.argument(
                description="发展对象、步骤、日期及步骤数据：The recruit, the step, its date and its data."
            ),
        ],
    ) -> RecruitPayload:
        data = input.data if isinstance(input.data, dict) else {}
        return await _record(info, input.recruit_id, input.step.value, input.on, data)


__all__ = ["CorrectStepMutation", "ProbationMutations", "RecordStepMutation"]
