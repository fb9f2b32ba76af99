"""Reading the audit trail of an object the caller can see."""

from __future__ import annotations

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.tenants.session import Session

from . import repository


async def trail(
    session: Session,
    *,
    object_type: str,
    object_id: int,
    object_path: str,
    before_id: int | None,
    limit: int,
) -> list[sa.Row]:
    """Entries of one object, newest first. The caller resolved the object (NOT_FOUND outside
    scope) and passes its path; reading the trail needs ``audit.read`` there."""
    session.require(Permission.AUDIT_READ, object_path)
    return await repository.entries_for(session, object_type, object_id, before_id, limit)
