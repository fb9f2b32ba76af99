"""The high-level-talent filing's mutations: a school files a recruit (fileTalent); the body
the filing went to acknowledges it or returns it (acknowledgeFiling, returnFiling)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from partyplan.auth.permissions import Permission
from partyplan.resolvers.errors import DomainError
from partyplan.resolvers.recruits.service import filings

from ..mutations import decode_id, run_mutation
from ..permissions import described
from .inputs import AcknowledgeFilingInput, FileTalentInput, ReturnFilingInput
from .payloads import RecruitError, TalentFilingPayload
from .talent_filing import TalentFiling


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


__all__ = ["FilingMutations"]
