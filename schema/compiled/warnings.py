"""``warnings`` compiled: a page of warnings, newest first, with the unit's name joined, answered
by one statement (``resolvers/warnings/repository/stored.page_json``) after the same checks as
the ordinary resolver (``manage.page_filter``: the ``under`` unit, ``plan.read`` there).

Every field a warning stores is compiled; the evidence is the stored JSON, as the ordinary
executor passes it through."""

from __future__ import annotations

from typing import Any

from partyplan.resolvers.jsonsql import global_id, timestamp
from partyplan.resolvers.paging import Keyset
from partyplan.resolvers.warnings.service import manage
from partyplan.tenants.session import Session

from ..mutations import decode_id
from ..warnings.types import WarningKind, WarningStatus
from .arguments import enum_argument, global_argument
from .connections import ConnectionField
from .objects import Columns, ObjectSql, column, enum, node_id


def _optional_id(type_name: str, name: str) -> Any:
    return lambda columns: global_id(type_name, columns(name))  # null in, null out


def _at(name: str) -> Any:
    return lambda columns: timestamp(columns(name))


def _evidence(columns: Columns) -> Any:
    return columns("evidence")


WARNING = ObjectSql(
    "Warning",
    {
        "id": node_id("Warning"),
        "kind": enum("kind", WarningKind),
        "status": enum("status", WarningStatus),
        "message": column("message"),
        "evidence": _evidence,
        "unitId": node_id("Unit", "unit_id"),
        "unitName": column("unit_name"),
        "periodId": _optional_id("PlanPeriod", "period_id"),
        "recruitId": _optional_id("Recruit", "recruit_id"),
        "raisedAt": _at("raised_at"),
        "seenOn": column("seen_on"),
        "acknowledgedAt": _at("acknowledged_at"),
        "acknowledgement": column("acknowledgement"),
        "resolvedAt": _at("resolved_at"),
    },
)


class WarningsField(ConnectionField):
    """The root field ``warnings`` of one known document, checked when it is compiled."""

    node = WARNING

    async def page_json(
        self, context: Any, session: Session, arguments: dict[str, Any], page: Keyset
    ) -> str:
        under = arguments.get("under")
        listed = await manage.page_filter(
            session,
            under_id=None if under is None else decode_id(global_argument(under), "Unit", "under"),
            kind=enum_argument(arguments.get("kind")),
            status=enum_argument(arguments.get("status")),
        )
        return await manage.page_json(session, listed, page, self.pages)
