"""The mutations that create or move a recruit's record: createRecruit, importRecruits (many
at once, all or nothing) and transferRecruit."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.recruits.service import imports, reads, records, transfers

from ..mutations import decode_id, run_mutation
from ..permissions import described
from .inputs import CreateRecruitInput, ImportRecruitsInput, TransferRecruitInput
from .payloads import ImportRecruitsPayload, ImportRowError, RecruitPayload
from .queries import to_recruit
from .recruit_payload import reloaded_payload


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


@strawberry.type
class ImportRecruitsMutation:
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


@strawberry.type
class TransferRecruitMutation:
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
        return await reloaded_payload(info, row, errors)


@strawberry.type
class CreateRecruitMutation:
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
        return await reloaded_payload(info, row, errors)


__all__ = ["CreateRecruitMutation", "ImportRecruitsMutation", "TransferRecruitMutation"]
