from __future__ import annotations

from typing import Annotated

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.spotchecks import service

from ..mutations import decode_id, run_mutation
from ..permissions import described
from ..wording import INPUT
from .inputs import (
    CommitSpotCheckInput,
    DrawSpotCheckInput,
    RecordSpotCheckFindingInput,
    SpotCheckFollowUpInput,
)
from .types import (
    SpotCheck,
    SpotCheckError,
    SpotCheckPayload,
    SpotCheckRecord,
    SpotCheckRecordPayload,
)


def _errors(errors: list[DomainError]) -> list[SpotCheckError]:
    return [SpotCheckError(code=e.code, field=e.field, message=e.message) for e in errors]  # type: ignore[arg-type]


def _record(row, errors) -> SpotCheckRecordPayload:  # type: ignore[no-untyped-def]
    return SpotCheckRecordPayload(
        record=row and SpotCheckRecord.from_row(row), errors=_errors(errors)
    )


@strawberry.type
class SpotCheckMutations:
    @strawberry.mutation(
        description=described(
            "承诺抽查：commit to a secret seed's SHA-256 and freeze the candidate list (the "
            "development targets of the schools now, in canonical order, with its SHA-256). "
            "The seed is given only to `drawSpotCheck`.",
            Permission.REPORT_REVIEW,
            where="at the commission",
        )
    )
    async def commit_spot_check(
        self, info: strawberry.Info, input: Annotated[CommitSpotCheckInput, INPUT]
    ) -> SpotCheckPayload:
        commission_id = decode_id(input.commission_id, "Unit", "commissionId")
        schools = (
            None
            if input.school_ids is None
            else [decode_id(s, "Unit", f"schoolIds.{i}") for i, s in enumerate(input.school_ids)]
        )
        row, errors = await run_mutation(
            info,
            lambda s: service.commit(
                s,
                commission_id=commission_id,
                name=input.name,
                seed_sha256=input.seed_sha256,
                per_school=input.per_school,
                share=input.share,
                school_ids=schools,
            ),
        )
        return SpotCheckPayload(spot_check=row and SpotCheck.from_row(row), errors=_errors(errors))

    @strawberry.mutation(
        description=described(
            "抽取：check the seed against the commitment (SEED_MISMATCH otherwise), draw from "
            "(seed, published list) by the documented algorithm, reveal the seed and open a "
            "record for each drawn target. Once per check.",
            Permission.REPORT_REVIEW,
            where="at the commission",
        )
    )
    async def draw_spot_check(
        self, info: strawberry.Info, input: Annotated[DrawSpotCheckInput, INPUT]
    ) -> SpotCheckPayload:
        check_id = decode_id(input.spot_check_id, "SpotCheck", "spotCheckId")
        row, errors = await run_mutation(
            info, lambda s: service.draw(s, check_id=check_id, seed=input.seed)
        )
        return SpotCheckPayload(spot_check=row and SpotCheck.from_row(row), errors=_errors(errors))

    @strawberry.mutation(
        description=described(
            "记录抽查结论：no issue, or an issue citing the step and the rule (which opens its "
            "follow-up). Revisable until the school reports its follow-up.",
            Permission.REPORT_REVIEW,
            where="at the recruit's unit",
        )
    )
    async def record_spot_check_finding(
        self, info: strawberry.Info, input: Annotated[RecordSpotCheckFindingInput, INPUT]
    ) -> SpotCheckRecordPayload:
        record_id = decode_id(input.record_id, "SpotCheckRecord", "recordId")
        row, errors = await run_mutation(
            info,
            lambda s: service.record_finding(
                s,
                record_id=record_id,
                finding=input.finding.value,
                step=input.step,
                rule_id=input.rule_id,
                note=input.note,
            ),
        )
        return _record(row, errors)

    @strawberry.mutation(
        description=described(
            "报告整改情况：the school reports what it did about an issue (open → followed up).",
            Permission.RECRUIT_RECORD,
            where="at the recruit's unit",
        )
    )
    async def follow_up_spot_check(
        self, info: strawberry.Info, input: Annotated[SpotCheckFollowUpInput, INPUT]
    ) -> SpotCheckRecordPayload:
        record_id = decode_id(input.record_id, "SpotCheckRecord", "recordId")
        row, errors = await run_mutation(
            info, lambda s: service.follow_up(s, record_id=record_id, note=input.note)
        )
        return _record(row, errors)

    @strawberry.mutation(
        description=described(
            "销号：the commission accepts the follow-up (followed up → closed).",
            Permission.REPORT_REVIEW,
            where="at the recruit's unit",
        )
    )
    async def close_spot_check(
        self, info: strawberry.Info, input: Annotated[SpotCheckFollowUpInput, INPUT]
    ) -> SpotCheckRecordPayload:
        record_id = decode_id(input.record_id, "SpotCheckRecord", "recordId")
        row, errors = await run_mutation(
            info, lambda s: service.close(s, record_id=record_id, note=input.note)
        )
        return _record(row, errors)
