"""Reading reports: a report is found through the caller's scope (row-level security on its
school's path) and read with ``recruit.read`` at the school; another school's is NOT_FOUND."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from partyplan.auth.errors import NotFound
from partyplan.auth.permissions import Permission
from partyplan.resolvers.paging import Keyset, Page
from partyplan.tenants.session import Session

from .. import repository

NO_REPORT = "没有此编号的核对报告"


async def visible(
    session: Session, report_id: int, permission: Permission = Permission.RECRUIT_READ
) -> sa.Row:
    row = await repository.report(session, report_id)
    if row is None:
        raise NotFound(NO_REPORT)
    session.require(permission, row.unit_path)
    return row


async def entries(
    session: Session, report_id: int, *, kinds: Sequence[str] | None, keyset: Keyset
) -> Page:
    """A page of a report the caller has read (``visible``)."""
    return await repository.entries(session, report_id, kinds=kinds, keyset=keyset)
