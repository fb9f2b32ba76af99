"""The commission sets which documents a step is expected to carry, for its whole province or
one school, from a date: overlays on the national default (``recruits/rules/documents.py``).
Read by every later derivation of a record's findings (each record's next write: a step, a
correction, an attachment); findings already stored stay as derived until then, as steps keep
the rule version they were judged under."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.text import clean_text
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from .. import repository
from ..errors import AttachmentError, AttachmentErrorCode


async def _commission(session: Session, commission_id: int, permission: Permission) -> sa.Row:
    unit = await visible_unit(session, commission_id, permission, "commissionId")
    if unit.kind != "commission":
        raise AttachmentError(
            AttachmentErrorCode.NOT_A_COMMISSION,
            "纪实材料要求由省委教育工委设置：请选择教育工委",
            "commissionId",
        )
    return unit


async def of_commission(session: Session, commission_id: int) -> list[sa.Row]:
    commission = await visible_unit(session, commission_id, Permission.UNIT_READ, "commissionId")
    if commission.kind != "commission":
        return []
    return await repository.expectations_of(session, commission.id)


async def set_expectation(
    session: Session,
    *,
    commission_id: int,
    school_id: int | None,
    step_code: str,
    documents: list[str],
    effective_from: date,
    source: str,
) -> sa.Row:
    commission = await _commission(session, commission_id, Permission.RULE_MANAGE)
    if school_id is not None:
        school = await visible_unit(session, school_id, Permission.UNIT_READ, "schoolId")
        if school.kind != "school" or not str(school.path).startswith(f"{commission.path}."):
            raise AttachmentError(
                AttachmentErrorCode.NOT_A_SCHOOL, "所选单位不是本工委所属的学校", "schoolId"
            )
    cleaned = clean_text(
        source,
        "source",
        required=True,
        limit=200,
        error=AttachmentError,
        code=AttachmentErrorCode.INVALID_TEXT,
        missing_code=AttachmentErrorCode.SOURCE_REQUIRED,
        label="依据文件",
    )
    row = await repository.replace_expectation(
        session,
        {
            "commission_id": commission.id,
            "commission_path": commission.path,
            "school_id": school_id,
            "step_code": step_code,
            "documents": list(dict.fromkeys(documents)),  # once each, in the order given
            "effective_from": effective_from,
            "source": cleaned,
            "updated_by": session.principal.user_id,
        },
    )
    await audit.append(
        session,
        operation="setDocumentExpectation",
        object_type="Unit",
        object_id=commission.id,
        unit_id=commission.id,
        school_id=None,
        before=None,
        after={
            "school_id": school_id,
            "step": step_code,
            "documents": row.documents,
            "effective_from": effective_from.isoformat(),
            "source": cleaned,
        },
    )
    return row
