"""Correcting a recorded step: never an edit. A correction is a new step row that supersedes
the old one, with its reason and actor (audited); the whole corrected history is judged again,
so a correction cannot make a later step break its preconditions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.text import clean_text
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from .. import repository
from ..errors import RecruitError, RecruitErrorCode, future_date
from ..rules import data_keys, locate
from ..rules.calendar import WorkingCalendar
from ..rules.engine import evaluate
from ..rules.locate import StepFields
from ..rules.overlays import RuleSet
from ..rules.steps import RecordedStep, RecruitFacts
from .procedure import load_procedure
from .records import (
    derive,
    refuse_if_annulled,
    required_permission,
    today,
    violations_error,
    visible,
)
from .roster import check_named_members


async def correct_step(
    session: Session, timezone: str, *, step_id: int, on: date, data: dict[str, Any], reason: str
) -> sa.Row:
    step = await repository.get_step(session, step_id)
    # The permission is judged on the recruit (the step's own kind decides which).
    step = session.reach(step, "step", None)
    recruit = await visible(
        session, step.recruit_id, required_permission(step.step_code), lock=True
    )
    refuse_if_annulled(recruit, "stepId")
    reason = clean_text(
        reason,
        "reason",
        required=True,
        limit=500,
        error=RecruitError,
        code=RecruitErrorCode.INVALID_TEXT,
        missing_code=RecruitErrorCode.REASON_REQUIRED,
        label="更正理由",
    )
    spelled = data_keys.normalise(step.step_code, data).check()
    data = spelled.data
    if await repository.is_superseded(session, step.id):
        raise RecruitError(
            RecruitErrorCode.STEP_SUPERSEDED,
            "该步骤记录已被更正：请更正最新的记录",
            "stepId",
        )
    if on > today(timezone):
        raise future_date("on")
    branch = await visible_unit(session, recruit.branch_id, Permission.UNIT_READ)
    current = await repository.steps_of(session, recruit.id)
    replacement = RecordedStep(step.step_code, on, data)
    corrected = sorted(
        (
            replacement if r.id == step.id else RecordedStep(r.step_code, r.on_date, r.data)
            for r in current
        ),
        key=lambda s: s.on,
    )
    procedure = await load_procedure(session, branch)
    check_corrected(
        corrected,
        replacement,
        step.on_date,
        RecruitFacts.of(recruit),
        procedure.rules,
        procedure.calendar,
        spelled.place,
    )
    await check_named_members(
        session,
        school_id=recruit.school_id,
        step_code=step.step_code,
        on=on,
        data=data,
        fields=spelled.within(locate.correction(own=True, moved=on != step.on_date)),
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


def check_corrected(
    corrected: Sequence[RecordedStep],
    replacement: RecordedStep,
    was_on: date,
    facts: RecruitFacts,
    rules_on: Callable[[date], RuleSet],
    calendar: WorkingCalendar,
    spelled: StepFields = locate.as_recorded,
) -> None:
    """Judge the corrected history (date order, ``replacement`` in it) again, each step by the
    rules of its date; the first refusal raises, its fields placed in correctStep's input
    (``locate.correction``): the corrected step's own problems as recordStep places them, a
    problem it causes in another step on what changed — its date when it moved from
    ``was_on``, else its data. ``spelled`` respells the corrected step's own data keys as the
    caller sent them (``data_keys.StepData.place``)."""
    for index, recorded in enumerate(corrected):
        result = evaluate(
            recorded.step_code,
            recorded.on,
            recorded.data,
            corrected[:index],
            facts,
            rules_on(recorded.on),
            calendar,
        )
        if not result.accepted:
            own = recorded is replacement
            moved = replacement.on != was_on
            fields = locate.correction(own=own, moved=moved)
            if own:  # its own data: named as the caller spelled them
                fields = _after(spelled, fields)
            raise violations_error(result, fields)


def _after(first: StepFields, then: StepFields) -> StepFields:
    return lambda place: then(first(place))
