"""Recording a step on a recruit's record (recordStep, and the imports and syncs that record
steps).

The step is judged with the rule engine (rules/engine.py) under the procedure in force on its
date, written, and what lists read re-derived from the steps in the same transaction: the
stage, the next due step and date, the findings, the date it entered each stage
(rules/derivation.py). The database counts the recruit into the roll-up tallies from those
columns (migrations/tallies.py): an approval (step 17) is an admission in every open plan
period of the commission containing its date, counted where it is approved. Writing the
approval date records that place on the recruit (its branch then); transfers and later
corrections leave it there. An annulled admission ends the procedure: nothing is recorded
after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.tenants.session import Session

from ..errors import RecruitError, RecruitErrorCode, future_date
from ..repository import documents as documents_repository
from ..repository import recording as recording_repository
from ..rules import data_keys, locate
from ..rules.engine import evaluate
from ..rules.locate import StepFields
from ..rules.steps import ON, STEP, STEP_BY_CODE, RecruitFacts
from . import documents
from .common import refuse_if_annulled, required_permission, today, violations_error
from .derived import derived_of, history
from .procedure import calendar_of, overlays_of, procedure_of
from .roster import check_named_members


@dataclass(frozen=True)
class StepRecorded:
    """What recording a step wrote, as the write returned it."""

    recruit: sa.Row  # the recruit as updated: every column, ciphertext included
    steps: list[Any]  # its current steps in date then id order, the new one included
    findings: list[Any]  # its findings as stored, in id order


async def record_step(
    session: Session,
    timezone: str,
    *,
    recruit_id: int,
    step_code: str,
    on: date,
    data: dict[str, Any],
    fields: StepFields = locate.as_recorded,
) -> sa.Row:
    """Record a step (:func:`record_step_returning`); the recruit as updated."""
    recorded = await record_step_returning(
        session,
        timezone,
        recruit_id=recruit_id,
        step_code=step_code,
        on=on,
        data=data,
        fields=fields,
    )
    return recorded.recruit


async def record_step_returning(
    session: Session,
    timezone: str,
    *,
    recruit_id: int,
    step_code: str,
    on: date,
    data: dict[str, Any],
    fields: StepFields = locate.as_recorded,
) -> StepRecorded:
    """Record a step. Its typed errors name the step's places as recordStep takes them
    (``on``, ``step``, ``data.<key>`` with the key as the caller spelled it), mapped by
    ``fields`` onto the caller's input. ``data`` in either spelling; stored snake_case.

    Three statements (``repository/recording.py`` says why not fewer): the recruit locked with
    its branch and its commission's procedure; its current steps and what they carry in
    writing; the write (step, findings, derived columns, audit entry). The caller is checked
    in between as :func:`.common.visible` and ``units.service.visible`` check it, in the same
    order."""
    if step_code not in STEP_BY_CODE:
        raise RecruitError(
            RecruitErrorCode.RULE_VIOLATION, f"未知的步骤：{step_code}", fields(STEP)
        )
    locked = await recording_repository.lock_for_step(session, recruit_id)
    recruit = session.reach(
        None if locked is None else locked.recruit, "recruit", required_permission(step_code)
    )
    assert locked is not None
    refuse_if_annulled(recruit, fields(STEP))
    spelled = data_keys.normalise(step_code, data).check(fields)
    data, fields = spelled.data, spelled.within(fields)
    if on > today(timezone):
        raise future_date(fields(ON))
    branch = session.reach(locked.branch, "党组织（id）", Permission.UNIT_READ, "path")
    current = await recording_repository.current_steps(session, recruit.id)
    steps = current.steps
    procedure = procedure_of(
        branch, overlays_of(locked.overlay_bodies), calendar_of(locked.calendar)
    )
    rules = procedure.rules(on)
    evaluation = evaluate(
        step_code, on, data, history(steps), RecruitFacts.of(recruit), rules, procedure.calendar
    )
    if not evaluation.accepted:
        raise violations_error(evaluation, fields)
    await check_named_members(
        session, school_id=recruit.school_id, step_code=step_code, on=on, data=data, fields=fields
    )
    # The recruit is locked: its steps are the ones read above and this one, whose id (drawn
    # later from the same sequence) is the highest: last among the steps of its date.
    pending = SimpleNamespace(id=None, step_code=step_code, on_date=on, data=data)
    carried = documents.written_of(
        documents_repository.parsed(current.documents, current.corrections, locked.expectations),
        recruit.school_id,
    )
    derived = derived_of(recruit, procedure, [*steps, pending], carried)
    written = await recording_repository.write(
        session,
        recruit,
        findings=derived.findings,
        columns=derived.columns(),
        step=recording_repository.NewStep(step_code, on, data, rules.version),
        audit=recording_repository.AuditEntry(
            operation="recordStep",
            object_type="Recruit",
            object_id=recruit.id,
            unit_id=branch.id,
            school_id=branch.school_id,
            before={"stage": recruit.stage},
            after={"step": step_code, "on": on.isoformat(), "data": data, "stage": derived.stage},
        ),
    )
    return StepRecorded(
        recruit=written.recruit,
        steps=sorted([*steps, written.step], key=lambda s: (s.on_date, s.id)),
        findings=written.findings,
    )
