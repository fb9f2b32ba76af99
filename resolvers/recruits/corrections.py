"""Correcting a recorded step: never an edit. A correction is a new step row that supersedes
the old one, with its reason and actor (audited); the whole corrected history is judged again,
so a correction cannot make a later step break its preconditions."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from partyplan.auth.errors import NotFound
from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.text import clean_text
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from . import repository
from .errors import RecruitError, RecruitErrorCode
from .procedure import load_procedure
from .roster import check_named_members
from .rules.engine import evaluate
from .rules.steps import RecordedStep, RecruitFacts
from .service import (
    derive,
    required_permission,
    today,
    violations_error,
    visible,
)


async def correct_step(
    session: Session, timezone: str, *, step_id: int, on: date, data: dict[str, Any], reason: str
) -> sa.Row:
    step = await repository.get_step(session, step_id)
    if step is None or not session.principal.reaches(step.unit_path):
        raise NotFound("step not found")
    recruit = await visible(
        session, step.recruit_id, required_permission(step.step_code), lock=True
    )
    reason = clean_text(
        reason,
        "reason",
        required=True,
        limit=500,
        error=RecruitError,
        code=RecruitErrorCode.INVALID_TEXT,
        missing_code=RecruitErrorCode.REASON_REQUIRED,
    )
    if await repository.is_superseded(session, step.id):
        raise RecruitError(
            RecruitErrorCode.STEP_SUPERSEDED,
            "this step was already corrected: correct the correction",
            "stepId",
        )
    if on > today(timezone):
        raise RecruitError(RecruitErrorCode.FUTURE_DATE, "the date is in the future", "on")
    branch = await visible_unit(session, recruit.branch_id, Permission.UNIT_READ)
    current = await repository.steps_of(session, recruit.id)
    corrected = sorted(
        (
            RecordedStep(r.step_code, on, data)
            if r.id == step.id
            else RecordedStep(r.step_code, r.on_date, r.data)
            for r in current
        ),
        key=lambda s: s.on,
    )
    facts = RecruitFacts(recruit.birth_date)
    procedure = await load_procedure(session, branch)
    for index, recorded in enumerate(corrected):
        result = evaluate(
            recorded.step_code,
            recorded.on,
            recorded.data,
            corrected[:index],
            facts,
            procedure.rules(recorded.on),
            procedure.calendar,
        )
        if not result.accepted:
            raise violations_error(result)
    await check_named_members(
        session, school_id=recruit.school_id, step_code=step.step_code, on=on, data=data
    )
    rules = procedure.rules(on)
    await repository.insert_step(
        session,
        recruit,
        step_code=step.step_code,
        on=on,
        data=data,
        rule_version=rules.version,
        supersedes_id=step.id,
        correction_reason=reason,
    )
    row = await derive(session, recruit, procedure)
    await audit.append(
        session,
        operation="correctStep",
        object_type="Recruit",
        object_id=row.id,
        unit_id=branch.id,
        school_id=branch.school_id,
        before={"step": step.step_code, "on": step.on_date.isoformat(), "data": step.data},
        after={"step": step.step_code, "on": on.isoformat(), "data": data, "reason": reason},
    )
    return row
