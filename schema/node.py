"""``node(id:)`` and the resolution of any global ID to an object the caller may see.

Each node type registers how to load one object through its domain's scoped service; the
loader returns the object and its unit path (for checks such as ``audit.read`` there)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from strawberry import relay

from partyplan.auth.errors import NotFound
from partyplan.auth.permissions import Permission

from .access.queries import resolve_binding_node, resolve_user_node
from .annulments.queries import resolve_annulment_node
from .attachments.queries import resolve_attachment_node
from .clients.queries import resolve_client_node
from .datacalls.types import resolve_data_call_node
from .members.queries import resolve_member_node
from .mutations import row_id_of
from .permissions import described
from .plans.queries import resolve_movement_node, resolve_period_node, resolve_round_node
from .reconciliation.imports import resolve_reconciliation_node
from .recruits.queries import resolve_filing_node, resolve_recruit_node
from .reports.queries import resolve_report_node
from .spotchecks.queries import resolve_spot_check_node, resolve_spot_check_record_node
from .units.queries import resolve_unit_node
from .warnings.queries import resolve_warning_node

NodeResolver = Callable[[strawberry.Info, int], Awaitable[tuple[Any, str]]]

NODE_RESOLVERS: dict[str, NodeResolver] = {
    "Unit": resolve_unit_node,
    "User": resolve_user_node,
    "RoleBinding": resolve_binding_node,
    "PlanPeriod": resolve_period_node,
    "QuotaMovement": resolve_movement_node,
    "DispatchRound": resolve_round_node,
    "Recruit": resolve_recruit_node,
    "TalentFiling": resolve_filing_node,
    "Member": resolve_member_node,
    "Warning": resolve_warning_node,
    "ExecutionReport": resolve_report_node,
    "OAuthClient": resolve_client_node,
    "ReconciliationReport": resolve_reconciliation_node,
    "SpotCheck": resolve_spot_check_node,
    "SpotCheckRecord": resolve_spot_check_record_node,
    "AdmissionAnnulment": resolve_annulment_node,
    "DataCall": resolve_data_call_node,
    "Attachment": resolve_attachment_node,
}


async def resolve_global_id(info: strawberry.Info, global_id: relay.GlobalID) -> tuple[Any, str]:
    resolver = NODE_RESOLVERS.get(global_id.type_name)
    row_id = row_id_of(global_id)
    if resolver is None or row_id is None:
        # Still authenticate first: an anonymous caller learns nothing about ids.
        await info.context.session()
        raise NotFound("未找到该对象")
    return await resolver(info, row_id)


@strawberry.type
class NodeQueries:
    @strawberry.field(
        description=described(
            "对象：any object by its global ID (a `Unit`, `Recruit`, `Warning`, …); select its "
            "fields with `... on Type`.",
            Permission.UNIT_READ,
            where="(or the object's own read permission)",
        )
    )
    async def node(
        self,
        info: strawberry.Info,
        id: Annotated[
            relay.GlobalID,
            strawberry.argument(
                description="全局 ID：the `id` of any object of this API; NOT_FOUND when no "
                "object the caller may see has it."
            ),
        ],
    ) -> relay.Node:
        obj, _ = await resolve_global_id(info, id)
        return obj
