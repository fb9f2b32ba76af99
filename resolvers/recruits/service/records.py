"""Recruit operations: create a record (with its application, step 1) and record steps.

Each operation checks the caller, judges the step with the rule engine (rules/engine.py), writes
the step, then re-derives in the same transaction what lists read: the stage, the next due
step and date, the findings, the date it entered each stage (rules/derivation.py). The database
counts the recruit into the roll-up tallies from those columns (migrations/tallies.py): an
approval (step 17) is an admission in every open plan period of the commission containing its
date, counted where it is approved. Writing the approval date records that place on the recruit
(its branch then); transfers and later corrections leave it there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.errors import ValidationErrors
from partyplan.resolvers.text import clean_text
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from .. import repository
from ..errors import (
    RecruitError,
    RecruitErrorCode,
    future_date,
    inactive_branch,
    not_a_branch,
)
from ..pii import PiiCipher
from ..repository import documents as documents_repository
from ..repository import recording
from ..rules import data_keys, identity, locate
from ..rules.engine import evaluate
from ..rules.locate import StepFields
from ..rules.steps import ON, STEP, STEP_BY_CODE, Actor, RecruitFacts
from . import documents
from .derived import derive, derived_of, history
from .procedure import calendar_of, load_procedure, overlays_of, procedure_of
from .roster import check_named_members

ID_CONTEXT, PHONE_CONTEXT = "recruit.id_number", "recruit.phone"
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
APPROVING_ACTORS = frozenset({Actor.COMMITTEE, Actor.HIGHER_ORGANIZATION_DEPARTMENT})
RECRUIT_UNIT_KINDS = ("branch", "committee")


@dataclass(frozen=True)
class Person:
    name: str
    gender: str
    ethnicity: str
    birth_date: date
    id_number: str
    phone: str | None
    category: str
    education: str
    professional_title: str | None
    high_knowledge: bool
    talent_programme: str | None


def today(timezone: str) -> date:
    """'Today' for deadlines: the calendar date in the platform's time zone (Asia/Shanghai)."""
    return datetime.now(ZoneInfo(timezone)).date()


def required_permission(step_code: str) -> Permission:
    """The grassroots committee's steps (approvals, filings) need ``recruit.approve``."""
    step = STEP_BY_CODE[step_code]
    return (
        Permission.RECRUIT_APPROVE if step.actor in APPROVING_ACTORS else Permission.RECRUIT_RECORD
    )


#: The optional texts of a record as a person calls them, by input field.
_TEXT_LABELS = {"professionalTitle": "专业技术职务", "talentProgramme": "人才计划"}


def _text(value: str | None, field: str) -> str | None:
    return clean_text(
        value,
        field,
        required=False,
        limit=100,
        error=RecruitError,
        code=RecruitErrorCode.INVALID_TEXT,
        label=_TEXT_LABELS[field],
    )


def _check_person(person: Person, on: date, now: date) -> Person:
    """Every field checked; all problems reported at once."""
    errors: list[RecruitError] = []
    checked: dict[str, Any] = {}
    checks = {
        "name": lambda: identity.check_name(person.name),
        "ethnicity": lambda: identity.check_ethnicity(person.ethnicity),
        "id_number": lambda: identity.check_id_number(person.id_number, today=now),
        "phone": lambda: None if person.phone is None else identity.check_phone(person.phone),
        "professional_title": lambda: _text(person.professional_title, "professionalTitle"),
        "talent_programme": lambda: _text(person.talent_programme, "talentProgramme"),
    }
    for key, check in checks.items():
        try:
            checked[key] = check()
        except RecruitError as error:
            errors.append(error)
    born_plausibly = EARLIEST_BIRTH_DATE <= person.birth_date <= now
    if not born_plausibly:
        errors.append(
            RecruitError(
                RecruitErrorCode.INVALID_BIRTH_DATE,
                f"出生日期须在 {EARLIEST_BIRTH_DATE} 至今天之间",
                "birthDate",
            )
        )
    if "id_number" in checked:
        checks = (identity.check_birth_date_matches, identity.check_gender_matches)
        for check in checks if born_plausibly else checks[1:]:
            try:
                check(
                    checked["id_number"],
                    person.birth_date
                    if check is identity.check_birth_date_matches
                    else person.gender,
                )
            except RecruitError as error:
                errors.append(error)
    if on > now:
        errors.append(future_date("applicationDate"))
    if errors:
        raise ValidationErrors(errors)  # type: ignore[arg-type]
    return Person(**{**person.__dict__, **checked})


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


async def create_recruit(
    session: Session,
    cipher: PiiCipher,
    timezone: str,
    *,
    branch_id: int,
    person: Person,
    application_date: date,
) -> sa.Row:
    branch = await visible_unit(session, branch_id, Permission.RECRUIT_RECORD, "branchId")
    if branch.kind not in RECRUIT_UNIT_KINDS:
        raise not_a_branch("branchId")
    if not branch.active:
        raise inactive_branch("branchId")
    person = _check_person(person, application_date, today(timezone))
    procedure = await load_procedure(session, branch)
    rules = procedure.rules(application_date)
    evaluation = evaluate(
        "application",
        application_date,
        {},
        (),
        RecruitFacts(person.birth_date),
        rules,
        procedure.calendar,
    )
    if not evaluation.accepted:
        raise violations_error(evaluation, locate.application)
    # The hash under each key version held (several during a PII key rotation), current first.
    lookups = cipher.lookup_hashes(person.id_number, context=ID_CONTEXT)
    duplicate = RecruitError(
        RecruitErrorCode.DUPLICATE_ID_NUMBER,
        "已有使用该公民身份号码的入党申请人记录",
        "idNumber",
    )
    if len(lookups) > 1:
        # Writers may hash under different versions meanwhile, which the unique index cannot
        # compare: creators of one ID number take turns, under the hash all versions share.
        oldest = cipher.lookup_hash(
            person.id_number, context=ID_CONTEXT, version=cipher.oldest_version
        )
        await repository.lock_id_number(session, oldest)
    if await repository.id_number_taken(session, lookups):
        raise duplicate
    values = {
        "school_id": branch.school_id,
        "branch_id": branch.id,
        "unit_path": branch.path,
        "name": person.name,
        "gender": person.gender,
        "ethnicity": person.ethnicity,
        "birth_date": person.birth_date,
        "id_number_enc": cipher.encrypt(person.id_number, context=ID_CONTEXT),
        "id_number_hash": lookups[0],
        "id_number_masked": identity.mask_id_number(person.id_number),
        "phone_enc": None
        if person.phone is None
        else cipher.encrypt(person.phone, context=PHONE_CONTEXT),
        "phone_masked": None if person.phone is None else identity.mask_phone(person.phone),
        "category": person.category,
        "education": person.education,
        "professional_title": person.professional_title,
        "high_knowledge": person.high_knowledge,
        "talent_programme": person.talent_programme,
        "stage": "applicant",
        "stage_since": application_date,
        "applied_on": application_date,
    }
    try:
        row = await repository.insert(session, values)
    except IntegrityError as error:  # held by a recruit outside the caller's scope
        raise duplicate from error
    await repository.insert_step(
        session,
        row,
        step_code="application",
        on=application_date,
        data={},
        rule_version=rules.version,
    )
    row = await derive(session, row, procedure)
    await audit.append(
        session,
        operation="createRecruit",
        object_type="Recruit",
        object_id=row.id,
        unit_id=branch.id,
        school_id=branch.school_id,
        before=None,
        after=_snapshot(row),
    )
    return row


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
    in between as :func:`visible` and ``units.service.visible`` check it, in the same order."""
    if step_code not in STEP_BY_CODE:
        raise RecruitError(
            RecruitErrorCode.RULE_VIOLATION, f"未知的步骤：{step_code}", fields(STEP)
        )
    locked = await recording.lock_for_step(session, recruit_id)
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
    current = await recording.current_steps(session, recruit.id)
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
    written = await recording.write(
        session,
        recruit,
        findings=derived.findings,
        columns=derived.columns(),
        step=recording.NewStep(step_code, on, data, rules.version),
        audit=recording.AuditEntry(
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


def _snapshot(row: sa.Row) -> dict[str, Any]:
    return {
        "name": row.name,
        "branch_id": row.branch_id,
        "stage": row.stage,
        "id_number": row.id_number_masked,
        "category": row.category,
    }


__all__ = [
    "Person",
    "StepRecorded",
    "create_recruit",
    "derive",
    "record_step",
    "record_step_returning",
    "visible",
]
