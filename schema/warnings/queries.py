from __future__ import annotations

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.warnings.service import manage as service

from ..connections import Connection, connection
from ..mutations import decode_id
from ..pagination import PAGING, keyset
from ..permissions import described
from .types import Warning, WarningKind, WarningRule, WarningStatus


@strawberry.type
class WarningQueries:
    @strawberry.field(
        description=described(
            "Warnings on the caller's units and everything below them, newest first (one "
            "statement). Raised and resolved by `partyplan warnings scan`." + PAGING,
            Permission.PLAN_READ,
        )
    )
    async def warnings(
        self,
        info: strawberry.Info,
        under: relay.GlobalID | None = None,
        kind: WarningKind | None = None,
        status: WarningStatus | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Warning]:
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
            "The commission's warning rules: each kind's parameters in force and the defaults.",
            Permission.PLAN_READ,
            where="in the commission's tree",
        )
    )
    async def warning_rules(
        self, info: strawberry.Info, commission_id: relay.GlobalID
    ) -> list[WarningRule]:
        session = await info.context.session()
        views = await service.rules(session, decode_id(commission_id, "Unit", "commissionId"))
        return [WarningRule.of(v) for v in views]


async def resolve_warning_node(info: strawberry.Info, warning_id: int) -> tuple[Warning, str]:
    session = await info.context.session()
    row = await service.visible(session, warning_id, Permission.PLAN_READ)
    return Warning.from_row(row), row.unit_path
