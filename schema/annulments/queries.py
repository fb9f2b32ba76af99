"""The annulments list (公布 at the branch meeting) and the node resolution."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.annulments import service

from ..connections import Connection, connection
from ..mutations import decode_id
from ..pagination import PAGING, keyset
from ..permissions import described
from ..wording import After, Before, First, Last
from .types import AdmissionAnnulment


@strawberry.type
class AnnulmentQueries:
    @strawberry.field(
        description=described(
            "不予承认名单：The annulled admissions approved at or below a unit — a branch's list "
            "to announce at its general meeting (在支部党员大会上公布) — within a period's dates "
            "when one is given, oldest first." + PAGING,
            Permission.RECRUIT_READ,
            where="at the unit",
        )
    )
    async def admission_annulments(
        self,
        info: strawberry.Info,
        unit_id: Annotated[
            relay.GlobalID,
            strawberry.argument(description="党组织：The branch (or any unit above it)."),
        ],
        period_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(
                description="计划期：Only admissions approved within its dates; all when left out."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AdmissionAnnulment]:
        session = await info.context.session()
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        rows = await service.page(
            session,
            unit_id=decode_id(unit_id, "Unit", "unitId"),
            period_id=None if period_id is None else decode_id(period_id, "PlanPeriod", "periodId"),
            keyset=page,
        )
        return await connection(info, rows, AdmissionAnnulment.from_row)


async def resolve_annulment_node(
    info: strawberry.Info, annulment_id: int
) -> tuple[AdmissionAnnulment, str]:
    session = await info.context.session()
    row = await service.visible(session, annulment_id)
    return AdmissionAnnulment.from_row(row), row.unit_path
