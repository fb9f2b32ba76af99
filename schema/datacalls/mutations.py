from __future__ import annotations

from typing import Annotated, Any

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.datacalls.service import answers, calls
from partyplan.resolvers.errors import DomainError

from ..mutations import decode_id, run_mutation
from ..permissions import described
from ..wording import INPUT
from .inputs import AnswerDataCallInput, CloseDataCallInput, IssueDataCallInput
from .types import (
    DataCall,
    DataCallAnswerPayload,
    DataCallError,
    DataCallPayload,
    DataCallResponse,
)


def _errors(errors: list[DomainError]) -> list[DataCallError]:
    return [DataCallError(code=e.code, field=e.field, message=e.message) for e in errors]  # type: ignore[arg-type]


@strawberry.type
class DataCallMutations:
    @strawberry.mutation(
        description=described(
            "发起数据征集：a commission or a school sends a form (fields of kinds NUMBER, TEXT, "
            "CHOICE, DATE, each validated) to units below it in its tree, with a due date. "
            "Units that have not answered get a reminder warning a few working days before "
            "the due date and an overdue warning after it.",
            Permission.DATACALL_ISSUE,
            where="at the issuer",
        )
    )
    async def issue_data_call(
        self, info: strawberry.Info, input: Annotated[IssueDataCallInput, INPUT]
    ) -> DataCallPayload:
        issuer_id = decode_id(input.issuer_id, "Unit", "issuerId")
        unit_ids = [decode_id(u, "Unit", f"unitIds.{i}") for i, u in enumerate(input.unit_ids)]
        timezone = info.context.settings.timezone
        row, errors = await run_mutation(
            info,
            lambda s: calls.issue(
                s,
                issuer_id=issuer_id,
                title=input.title,
                due_on=input.due_on,
                fields=[f.as_spec() for f in input.fields],
                unit_ids=unit_ids,
                remind_working_days=input.remind_working_days,
                today=calls.today_in(timezone),
            ),
        )
        return DataCallPayload(
            data_call=row and DataCall.from_row(row, calls.today_in(timezone)),
            errors=_errors(errors),
        )

    @strawberry.mutation(
        description=described(
            "填报数据征集：a unit answers a call sent to it, or revises its answer while the "
            "call is open. Past the due date a unit that never answered may answer late; "
            "nothing is revised; a closed call takes nothing. Each bad answer is an error "
            "naming `answers.<key>`.",
            Permission.DATACALL_ANSWER,
            where="at the unit answering",
        )
    )
    async def answer_data_call(
        self, info: strawberry.Info, input: Annotated[AnswerDataCallInput, INPUT]
    ) -> DataCallAnswerPayload:
        call_id = decode_id(input.data_call_id, "DataCall", "dataCallId")
        unit_id = decode_id(input.unit_id, "Unit", "unitId")
        given: Any = input.answers
        row, errors = await run_mutation(
            info,
            lambda s: answers.answer(
                s,
                call_id=call_id,
                unit_id=unit_id,
                answers=given,
                timezone=info.context.settings.timezone,
            ),
        )
        return DataCallAnswerPayload(
            response=row and DataCallResponse.from_row(row), errors=_errors(errors)
        )

    @strawberry.mutation(
        description=described(
            "关闭数据征集：the issuer stops taking answers (its warnings are resolved at the "
            "next scan).",
            Permission.DATACALL_ISSUE,
            where="at the issuer",
        )
    )
    async def close_data_call(
        self, info: strawberry.Info, input: Annotated[CloseDataCallInput, INPUT]
    ) -> DataCallPayload:
        call_id = decode_id(input.data_call_id, "DataCall", "dataCallId")
        timezone = info.context.settings.timezone
        row, errors = await run_mutation(info, lambda s: calls.close(s, call_id=call_id))
        return DataCallPayload(
            data_call=row and DataCall.from_row(row, calls.today_in(timezone)),
            errors=_errors(errors),
        )
