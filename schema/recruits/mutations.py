from __future__ import annotations

from typing import Annotated, Any

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.recruits.rules import locate
from partyplan.resolvers.recruits.service import (
    corrections,
    filings,
    imports,
    reads,
    records,
    transfers,
)

from ..mutations import decode_id, run_mutation
from ..permissions import described
from .inputs import (
    AcknowledgeFilingInput,
    CancelProbationInput,
    CorrectStepInput,
    CreateRecruitInput,
    ExtendProbationInput,
    FileTalentInput,
    ImportRecruitsInput,
    RecordStepInput,
    ReturnFilingInput,
    TransferRecruitInput,
)
from .payloads import (
    ImportRecruitsPayload,
    ImportRowError,
    RecruitError,
    RecruitPayload,
    TalentFilingPayload,
)
from .queries import to_recruit
from .types import TalentFiling, prime_findings, prime_steps


def _payload(
    info: strawberry.Info, session: Any, row: Any, errors: list[DomainError]
) -> RecruitPayload:
    recruit = None if row is None else to_recruit(info, session, row)
    return RecruitPayload(
        recruit=recruit,
        errors=[RecruitError(code=e.code, field=e.field, message=e.message) for e in errors],
    )


def _person(input: Any) -> records.Person:
    return records.Person(
        name=input.name,
        gender=input.gender.value,
        ethnicity=input.ethnicity,
        birth_date=input.birth_date,
        id_number=input.id_number,
        phone=input.phone,
        category=input.category.value,
        education=input.education.value,
        professional_title=input.professional_title,
        high_knowledge=input.high_knowledge,
        talent_programme=input.talent_programme,
    )


async def _reloaded(info: strawberry.Info, row: Any, errors: list[DomainError]) -> RecruitPayload:
    """The payload with the recruit read back as the caller may see it (PII by permission)."""
    session = await info.context.session()
    if row is not None:
        row = await records.visible(session, row.id, with_pii=True)
    return _payload(info, session, row, errors)


async def _record(
    info: strawberry.Info,
    recruit_id: Any,
    code: str,
    on: Any,
    data: dict[str, Any],
    fields: locate.StepFields = locate.as_recorded,
) -> RecruitPayload:
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
        return _payload(info, session, None, errors)
    # The payload shows what the write returned, not a second read: the recruit as updated
    # (scoped as ``records.visible`` scopes a read), its steps and findings primed into the
    # request's loaders (replacing what an earlier field of the document may have cached).
    row = session.reach(recorded.recruit, "recruit", Permission.RECRUIT_READ)
    prime_steps(info, row.id, recorded.steps)
    prime_findings(info, row.id, recorded.findings)
    return _payload(info, session, row, errors)


@strawberry.type
class RecruitMutations:
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

    @strawberry.mutation(
        description=described(
            "批量录入：Bulk entry of recruits with their past steps: all rows go in or none; every bad row is "
            "reported with its index, field and reason.",
            Permission.RECRUIT_RECORD,
            where="at each row's branch",
        )
    )
    async def import_recruits(
        self,
        info: strawberry.Info,
        input: Annotated[
            ImportRecruitsInput,
            strawberry.argument(description="批量录入的各行：The rows to create."),
        ],
    ) -> ImportRecruitsPayload:
        # A row naming a unit outside the caller's units makes the request NOT_FOUND, as
        # everywhere else: it reveals nothing about which rows were otherwise good.
        rows = [
            imports.ImportRow(
                branch_id=decode_id(row.branch_id, "Unit", f"rows.{index}.branchId"),
                person=_person(row),
                application_date=row.application_date,
                steps=[
                    imports.ImportStep(
                        s.step.value, s.on, s.data if isinstance(s.data, dict) else {}
                    )
                    for s in row.steps
                ],
            )
            for index, row in enumerate(input.rows)
        ]
        context = info.context
        created, errors = await run_mutation(
            info, lambda s: imports.import_recruits(s, context.pii, context.settings.timezone, rows)
        )
        session = await context.session()
        rows = await reads.by_ids(session, [r.id for r in created or []])
        recruits = [to_recruit(info, session, r) for r in rows]
        return ImportRecruitsPayload(
            recruits=recruits,
            errors=[
                ImportRowError(
                    index=getattr(e, "index", 0), code=e.code, field=e.field, message=e.message
                )
                for e in errors
            ],
        )

    @strawberry.mutation(
        description=described(
            "组织关系转接：Transfer a recruit to another branch; the record keeps its whole history. Within a "
            "school: the school administration; between schools: the commission.",
            Permission.RECRUIT_TRANSFER,
            where="at both ends",
        )
    )
    async def transfer_recruit(
        self,
        info: strawberry.Info,
        input: Annotated[
            TransferRecruitInput,
            strawberry.argument(
                description="转接的发展对象及去向：The recruit, the branch it moves to, and why."
            ),
        ],
    ) -> RecruitPayload:
        recruit_id = decode_id(input.recruit_id, "Recruit", "recruitId")
        branch_id = decode_id(input.to_branch_id, "Unit", "toBranchId")
        row, errors = await run_mutation(
            info,
            lambda s: transfers.transfer_recruit(
                s, recruit_id=recruit_id, to_branch_id=branch_id, reason=input.reason
            ),
        )
        return await _reloaded(info, row, errors)

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
        return await _reloaded(info, row, errors)

    @strawberry.mutation(
        description=described(
            "新建入党申请人：Record a new applicant (step 1): identity checked (GB 11643, birth date and gender "
            "agreement, age ≥ 18 on the application date: UNDERAGE on applicationDate), ID "
            "number and phone encrypted, duplicates refused.",
            Permission.RECRUIT_RECORD,
            where="at the branch",
        )
    )
    async def create_recruit(
        self,
        info: strawberry.Info,
        input: Annotated[
            CreateRecruitInput,
            strawberry.argument(
                description="入党申请人的信息及申请日期：The applicant's details and application date."
            ),
        ],
    ) -> RecruitPayload:
        branch_id = decode_id(input.branch_id, "Unit", "branchId")
        person = _person(input)
        context = info.context
        row, errors = await run_mutation(
            info,
            lambda s: records.create_recruit(
                s,
                context.pii,
                context.settings.timezone,
                branch_id=branch_id,
                person=person,
                application_date=input.application_date,
            ),
        )
        return await _reloaded(info, row, errors)

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


def _filing(row: Any, errors: list[DomainError]) -> TalentFilingPayload:
    return TalentFilingPayload(
        filing=None if row is None else TalentFiling.from_row(row),
        errors=[RecruitError(code=e.code, field=e.field, message=e.message) for e in errors],
    )


@strawberry.type
class FilingMutations:
    @strawberry.mutation(
        description=described(
            "高层次人才备案：File a recruit as a high-level talent with the commission.",
            Permission.FILING_SUBMIT,
            where="at the recruit's branch",
        )
    )
    async def file_talent(
        self,
        info: strawberry.Info,
        input: Annotated[
            FileTalentInput,
            strawberry.argument(
                description="备案的发展对象及人才计划：The recruit and the talent programme."
            ),
        ],
    ) -> TalentFilingPayload:
        recruit_id = decode_id(input.recruit_id, "Recruit", "recruitId")
        row, errors = await run_mutation(
            info,
            lambda s: filings.file_talent(
                s,
                recruit_id=recruit_id,
                programme=input.programme,
                evidence_note=input.evidence_note,
            ),
        )
        if row is not None:
            row = await filings.visible_filing(
                await info.context.session(), row.id, Permission.FILING_SUBMIT
            )
        return _filing(row, errors)

    @strawberry.mutation(
        description=described(
            "确认备案：Acknowledge a filing: the recruit's admission no longer counts against the quota.",
            Permission.FILING_REVIEW,
            where="bound at the unit the filing went to (`level`): the school's Party committee "
            "(重庆) or the commission (山西); held higher up it is FORBIDDEN",
        )
    )
    async def acknowledge_filing(
        self,
        info: strawberry.Info,
        input: Annotated[
            AcknowledgeFilingInput,
            strawberry.argument(description="确认的备案：The filing to acknowledge."),
        ],
    ) -> TalentFilingPayload:
        filing_id = decode_id(input.filing_id, "TalentFiling", "filingId")
        row, errors = await run_mutation(
            info, lambda s: filings.review(s, filing_id=filing_id, acknowledge=True, reason=None)
        )
        return _filing(row and await _reload(info, row.id), errors)

    @strawberry.mutation(
        description=described(
            "退回备案：Return a filing to the school, with a reason.",
            Permission.FILING_REVIEW,
            where="bound at the unit the filing went to (`level`): the school's Party committee "
            "(重庆) or the commission (山西); held higher up it is FORBIDDEN",
        )
    )
    async def return_filing(
        self,
        info: strawberry.Info,
        input: Annotated[
            ReturnFilingInput,
            strawberry.argument(description="退回的备案及理由：The filing and the reason."),
        ],
    ) -> TalentFilingPayload:
        filing_id = decode_id(input.filing_id, "TalentFiling", "filingId")
        row, errors = await run_mutation(
            info,
            lambda s: filings.review(
                s, filing_id=filing_id, acknowledge=False, reason=input.reason
            ),
        )
        return _filing(row and await _reload(info, row.id), errors)


async def _reload(info: strawberry.Info, filing_id: int) -> Any:
    return await filings.visible_filing(
        await info.context.session(), filing_id, Permission.FILING_REVIEW
    )
