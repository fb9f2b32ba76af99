from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.warnings.service import manage as service

from ..connections import Connection, connection
from ..mutations import decode_id
from ..pagination import PAGING, keyset
from ..permissions import described
from ..wording import After, Before, First, Last
from .types import Warning, WarningKind, WarningRule, WarningStatus


@strawberry.type
class WarningQueries:
    @strawberry.field(
        description=described(
            "预警：warnings on the caller's units and everything below them, newest first. "
            "Raised and resolved by the daily scan; acknowledged by people." + PAGING,
            Permission.PLAN_READ,
        )
    )
    async def warnings(
        self,
        info: strawberry.Info,
        under: Annotated[
            relay.GlobalID | None,
            strawberry.argument(
                description="范围：only warnings on this unit and everything below it; all the "
                "caller's units when left out."
            ),
        ] = None,
        kind: Annotated[
            WarningKind | None,
            strawberry.argument(
                description="预警类别：only warnings of this kind; all when left out."
            ),
        ] = None,
        status: Annotated[
            WarningStatus | None,
            strawberry.argument(
                description="预警状态：only warnings in this state; all when left out."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Warning]:
        # One statement per page (keyset on the warning's id).
        session = await info.context.session()
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        rows = await service.page(
            session,
            under_id=None if under is None else decode_id(under, "Unit", "under"),
            kind=None if kind is None else kind.value,
            status=None if status is None else status.value,
            keyset=page,
        )
        return await connection(info, rows, Warning.from_row)

    @strawberry.field(
        description=described(
            "预警规则：the commission's warning rules, one per kind in the order of "
            "`WarningKind`: each kind's parameters in force and the defaults.",
            Permission.PLAN_READ,
            where="in the commission's tree",
        )
    )
    async def warning_rules(
        self,
        info: strawberry.Info,
        commission_id: Annotated[
            relay.GlobalID,
            strawberry.argument(description="工委：the global ID of the commission."),
        ],
    ) -> list[WarningRule]:
        session = await info.context.session()
        views = await service.rules(session, decode_id(commission_id, "Unit", "commissionId"))
        return [WarningRule.of(v) for v in views]


async def resolve_warning_node(info: strawberry.Info, warning_id: int) -> tuple[Warning, str]:
    session = await info.context.session()
    row = await service.visible(session, warning_id, Permission.PLAN_READ)
    return Warning.from_row(row), row.unit_path
