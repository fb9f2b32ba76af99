"""Transferring a recruit to another branch (or school): the record keeps its whole history.

Admissions already counted stay where they were counted (the admitting branch, in its period):
counting reports what happened, and a transfer does not rewrite it. The recruit keeps the place
of its approval (``admitted_branch_id``/``admitted_path``/``admitted_school_id``, written with
the approval date, never here), and the tallies count its admission there; its pipeline stage,
later conversion and open findings follow it to the new branch.

The record is re-derived where it lands: a member transferred in after its admission may have
its conversion discussed up to six months late (细则第三十六条, ``RecruitFacts.of``), and the
new school's rules apply to what is still to come."""

from __future__ import annotations

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.text import clean_text
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from .. import repository
from ..errors import RecruitError, RecruitErrorCode, inactive_branch, not_a_branch
from .procedure import load_procedure
from .records import RECRUIT_UNIT_KINDS, derive, visible


async def transfer_recruit(
    session: Session, *, recruit_id: int, to_branch_id: int, reason: str
) -> sa.Row:
    """Within a school: the school administration (recruit.transfer); between schools: a caller
    holding recruit.transfer at both ends (the commission)."""
    recruit = await visible(session, recruit_id, Permission.RECRUIT_TRANSFER, lock=True)
    target = await visible_unit(session, to_branch_id, Permission.RECRUIT_TRANSFER, "toBranchId")
    reason = clean_text(
        reason,
        "reason",
        required=True,
        limit=500,
        error=RecruitError,
        code=RecruitErrorCode.INVALID_TEXT,
        missing_code=RecruitErrorCode.REASON_REQUIRED,
        label="转接理由",
    )
    if target.kind not in RECRUIT_UNIT_KINDS:
        raise not_a_branch("toBranchId")
    if not target.active:
        raise inactive_branch("toBranchId")
    if target.id == recruit.branch_id:
        raise RecruitError(RecruitErrorCode.SAME_BRANCH, "该人员已在所选党支部", "toBranchId")
    await repository.move_recruit(session, recruit, target)
    moved = await visible(session, recruit.id, Permission.RECRUIT_READ)
    row = await derive(session, moved, await load_procedure(session, target))
    await audit.append(
        session,
        operation="transferRecruit",
        object_type="Recruit",
        object_id=recruit.id,
        unit_id=target.id,
        school_id=target.school_id,
        before={"branch_id": recruit.branch_id, "school_id": recruit.school_id},
        after={"branch_id": target.id, "school_id": target.school_id, "reason": reason},
    )
    return row
