from __future__ import annotations

from typing import Annotated, Any

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.recruits.service import reads
from partyplan.resolvers.recruits.service.records import Person
from partyplan.resolvers.sync import rules, service

from ..all_or_nothing import refuse
from ..mutations import decode_id, row_id_of, run_mutation
from ..permissions import described
from ..recruits.queries import to_recruit
from .codes import SyncErrorCodeEnum
from .inputs import SyncRecruitsInput
from .types import SyncError, SyncOutcome, SyncRecordResult, SyncRecruitsPayload


def _errors(errors: list[DomainError]) -> list[SyncError]:
    return [
        SyncError(code=SyncErrorCodeEnum(str(e.code)), field=e.field, message=e.message)
        for e in errors
    ]


def _unit_id(global_id: strawberry.relay.GlobalID) -> int | None:
    """A record's branch: an ID of another type, or none of ours, is no unit (UNKNOWN_BRANCH)."""
    row_id = row_id_of(global_id)
    return row_id if global_id.type_name == "Unit" else None


def _record(record: Any) -> rules.SyncRecord:
    return rules.SyncRecord(
        branch_id=_unit_id(record.branch_id),
        person=Person(
            name=record.name,
            gender=record.gender.value,
            ethnicity=record.ethnicity,
            birth_date=record.birth_date,
            id_number=record.id_number,
            phone=record.phone,
            category=record.category.value,
            education=record.education.value,
            professional_title=record.professional_title,
            high_knowledge=record.high_knowledge,
            talent_programme=record.talent_programme,
        ),
        application_date=record.application_date,
        code_12371=record.code_12371,
        steps=tuple(rules.SyncStep(s.step.value, s.on, s.data) for s in record.steps),
    )


@strawberry.type
class SyncMutations:
    @strawberry.mutation(
        description=described(
            "12371 同步：The 12371 sync's batch of recruit records for one school, idempotent under its key: "
            "each record is found by its 12371 identifier within the school, else by its ID "
            "number, then created (with its steps, as importRecruits would), updated (changed "
            "details; steps not yet recorded, in date order) or left unchanged; a recorded step "
            "with another date or other data is refused (a correction). ALL_OR_NONE (default): "
            "any refused record refuses the request, nothing written. PER_RECORD: refused "
            "records alone are rolled back. The same key with the same body returns the first "
            "answer (`replayed`), writing nothing; with another body IDEMPOTENCY_CONFLICT. Send "
            "it first in its request (best: alone). Recording needs `recruit.record` at each "
            "branch (`recruit.approve` for the committee's steps).",
            Permission.SYNC_EXCHANGE,
            where="at the school",
        )
    )
    async def sync_recruits(
        self,
        info: strawberry.Info,
        input: Annotated[
            SyncRecruitsInput,
            strawberry.argument(
                description="学校、幂等键、同步方式及各条记录：The school, the key, the mode and the records."
            ),
        ],
    ) -> SyncRecruitsPayload:
        school_id = decode_id(input.school_id, "Unit", "schoolId")
        request = rules.SyncRequest(
            school_id=school_id,
            key=input.idempotency_key,
            mode=rules.Mode(input.mode.value),
            records=[_record(r) for r in input.records],
        )
        context = info.context
        answer, errors = await run_mutation(
            info,
            lambda s: service.sync_recruits(s, context.pii, context.settings.timezone, request),
        )
        if answer is None:
            return SyncRecruitsPayload(results=[], replayed=None, errors=_errors(errors))
        if not answer.written:
            refuse(info)  # the request rolls back: nothing of it is written
        session = await context.session()
        ids = [r.recruit_id for r in answer.results if r.recruit_id is not None]
        rows = {row.id: row for row in await reads.by_ids(session, ids)}
        results = [
            SyncRecordResult(
                index=r.index,
                outcome=SyncOutcome(r.outcome.value),
                recruit=(
                    to_recruit(info, session, rows[r.recruit_id]) if r.recruit_id in rows else None
                ),
                errors=_errors(list(r.errors)),
            )
            for r in answer.results
        ]
        return SyncRecruitsPayload(
            results=results, replayed=answer.replayed, errors=_errors(answer.errors)
        )
