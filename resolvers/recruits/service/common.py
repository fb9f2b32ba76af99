"""What the operations on a recruit's record share: the caller's checks (which permission a
step needs, the recruit the caller reaches, the annulled admission no step follows), the date
deadlines count from, and a step's refusals as typed errors.

A recruit is reached by id through :func:`visible`: one outside every subtree where the caller
holds a role is NOT_FOUND, never FORBIDDEN (an id tells nothing of another school; row-level
security filters the same scope below); one inside, without the permission at its unit, is
FORBIDDEN (``Session.reach``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.errors import ValidationErrors
from partyplan.tenants.session import Session

from .. import repository
from ..errors import RecruitError, RecruitErrorCode
from ..rules import locate
from ..rules.locate import StepFields
from ..rules.steps import STEP_BY_CODE, Actor

APPROVING_ACTORS = frozenset({Actor.COMMITTEE, Actor.HIGHER_ORGANIZATION_DEPARTMENT})
RECRUIT_UNIT_KINDS = ("branch", "committee")


def today(timezone: str) -> date:
    """'Today' for deadlines: the calendar date in the platform's time zone (Asia/Shanghai)."""
    return datetime.now(ZoneInfo(timezone)).date()


def required_permission(step_code: str) -> Permission:
    """The grassroots committee's steps (approvals, filings) need ``recruit.approve``."""
    step = STEP_BY_CODE[step_code]
    return (
        Permission.RECRUIT_APPROVE if step.actor in APPROVING_ACTORS else Permission.RECRUIT_RECORD
    )


def violations_error(evaluation: Any, fields: StepFields = locate.as_recorded) -> ValidationErrors:
    """The refusals of a step as typed errors: each its rule's specific code (UNDERAGE) or
    RULE_VIOLATION citing the rule, on the input field ``fields`` maps its place to."""
    return ValidationErrors(
        [
            RecruitError(
                v.code,
                f"{v.message}（依据{v.article}；规则 {v.rule_id} v{v.version}）",
                fields(v.field),
            )
            for v in evaluation.violations
        ]
    )


async def visible(
    session: Session,
    recruit_id: int,
    permission: Permission = Permission.RECRUIT_READ,
    *,
    lock: bool = False,
    with_pii: bool = False,
) -> sa.Row:
    row = await repository.get(session, recruit_id, lock=lock, with_pii=with_pii)
    return session.reach(row, "recruit", permission)


def refuse_if_annulled(recruit: sa.Row, field: str) -> None:
    """An annulled admission (一律不予承认, ``annulled_on``) ends the recruit's procedure here: its
    steps stay as the evidence they are, and no step is recorded or corrected after it."""
    if recruit.annulled_on is not None:
        raise RecruitError(
            RecruitErrorCode.RULE_VIOLATION,
            f"该人员的入党已于 {recruit.annulled_on.isoformat()} 宣布不予承认，不能再记录或更正步骤",
            field,
        )
