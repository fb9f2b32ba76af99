"""Storage quotas per school, in bytes: set by the commission (``rule.manage`` there), read
by it (``unit.read`` at the commission). A school without a quota row has no limit. Usage
counts every attachment charged to the school, superseded ones too: they are kept."""

from __future__ import annotations

import math
from dataclasses import dataclass

import sqlalchemy as sa

from partyplan.auth.errors import NotFound
from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from .. import repository
from ..errors import AttachmentError, AttachmentErrorCode

#: A quota larger than this is a typing mistake (1 PiB).
MAX_QUOTA = 1 << 50


@dataclass(frozen=True)
class SchoolStorage:
    school_id: int
    school_name: str
    limit_bytes: int | None
    used_bytes: int


async def set_quota(session: Session, *, school_id: int, limit_bytes: float) -> SchoolStorage:
    """``limit_bytes``: a whole number (GraphQL gives a Float: its Int has 32 bits)."""
    school = await visible_unit(session, school_id, Permission.UNIT_READ, "schoolId")
    if school.kind != "school":
        raise NotFound("未找到该学校（schoolId）")
    # The commission's rule managers reach every school below it; a school's own roles lack
    # the permission (FORBIDDEN: the school itself is theirs to see).
    session.require(Permission.RULE_MANAGE, school.path)
    if not (math.isfinite(limit_bytes) and limit_bytes == int(limit_bytes)) or not (
        0 <= limit_bytes <= MAX_QUOTA
    ):
        raise AttachmentError(
            AttachmentErrorCode.INVALID_QUOTA,
            f"存储限额须为 0 至 {MAX_QUOTA} 之间的整数字节",
            "limitBytes",
        )
    limit = int(limit_bytes)
    before = await repository.quota(session, school.id, lock=True)
    # The commission sees every attachment of the school: what it holds now, counted once,
    # starts the counter the uploads' charges keep from here on.
    used = (
        before.used_bytes if before is not None else await repository.used_bytes(session, school.id)
    )
    await repository.set_quota(session, school, limit, used, session.principal.user_id)
    await audit.append(
        session,
        operation="setAttachmentQuota",
        object_type="Unit",
        object_id=school.id,
        unit_id=school.id,
        school_id=school.id,
        before=None if before is None else {"limit_bytes": before.limit_bytes},
        after={"limit_bytes": limit},
    )
    return SchoolStorage(school.id, school.name, limit, used)


async def of_commission(session: Session, commission_id: int) -> list[SchoolStorage]:
    commission = await visible_unit(session, commission_id, Permission.UNIT_READ, "commissionId")
    if commission.kind != "commission":
        raise NotFound("未找到该工委（commissionId）")
    session.require(Permission.PLAN_READ, commission.path)
    rows: list[sa.Row] = await repository.quotas_under(session, commission.path)
    return [SchoolStorage(r.id, r.name, r.limit_bytes, int(r.used_bytes)) for r in rows]
