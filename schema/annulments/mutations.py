"""``annulAdmission``: an admission found irregular, annulled (一律不予承认)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.annulments import service
from partyplan.resolvers.recruits.service.records import today

from ..mutations import decode_id, run_mutation
from ..permissions import described
from .types import AdmissionAnnulment, AnnulAdmissionPayload, AnnulmentError


@strawberry.input(description="不予承认：The admission to annul, why, and the decision's number.")
class AnnulAdmissionInput:
    recruit_id: relay.GlobalID = strawberry.field(
        description="发展对象：The recruit whose admission (step 17) is annulled."
    )
    reason: str = strawberry.field(description="不予承认的理由：Why (at most 1000 characters).")
    document_no: str = strawberry.field(
        description="文号：The decision's document number (at most 100 characters)."
    )
    annulled_on: date | None = strawberry.field(
        default=None,
        description="决定日期：The decision's date, not before the approval nor after today; "
        "today by default.",
    )


@strawberry.type
class AnnulmentMutations:
    @strawberry.mutation(
        description=described(
            "不予承认：Annul an admission found irregular (违反规定吸收入党的，一律不予承认). The "
            "admission stops counting in every roll-up of its open periods (its place in the "
            "quota is released), the recruit shows it (`Recruit.annulment`), and it is listed "
            "for the branch meeting (`admissionAnnulments`) and in the execution report. Final: "
            "never changed or made twice (ALREADY_ANNULLED); only an admission "
            "(NOT_ADMITTED), not in a closed period (PERIOD_CLOSED).",
            Permission.RECRUIT_ANNUL,
            where="where the admission was approved (the school's committee for its own, the "
            "commission for any school)",
        )
    )
    async def annul_admission(
        self,
        info: strawberry.Info,
        input: Annotated[
            AnnulAdmissionInput,
            strawberry.argument(
                description="不予承认的发展、理由与文号：The admission, why, the number."
            ),
        ],
    ) -> AnnulAdmissionPayload:
        recruit_id = decode_id(input.recruit_id, "Recruit", "recruitId")
        row, errors = await run_mutation(
            info,
            lambda s: service.annul(
                s,
                recruit_id=recruit_id,
                reason=input.reason,
                document_no=input.document_no,
                annulled_on=input.annulled_on,
                today=today(info.context.settings.timezone),
            ),
        )
        return AnnulAdmissionPayload(
            annulment=None if row is None else AdmissionAnnulment.from_row(row),
            errors=[AnnulmentError(code=e.code, field=e.field, message=e.message) for e in errors],
        )
