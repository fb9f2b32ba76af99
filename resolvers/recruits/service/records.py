"""Recruit operations: create a record (with its application, step 1) and record steps.

Each operation checks the caller, judges the step with the rule engine (rules/engine.py), writes
the step, then re-derives in the same transaction what lists read (rules/derivation.py), from
which the database counts the recruit into the roll-up tallies. Creating a record is this
module's: the person's identity checked field by field, the ID number refused if any recruit on
the platform holds it, the PII stored encrypted. Recording a step is ``recording.py``'s and
what both share (the caller's checks, today's date, refusals as errors) ``common.py``'s; their
names are re-exported here, where the rest of the tree reaches them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

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
from ..rules import identity, locate
from ..rules.engine import evaluate
from ..rules.steps import RecruitFacts
from .common import (
    APPROVING_ACTORS,
    RECRUIT_UNIT_KINDS,
    refuse_if_annulled,
    required_permission,
    today,
    violations_error,
    visible,
)
from .derived import derive
from .procedure import load_procedure
from .recording import StepRecorded, record_step, record_step_returning

#: The contexts the recruit's PII is encrypted and hashed under: every reader of the stored
#: values (lists, exports, the key rotation) decrypts under the same.
ID_CONTEXT, PHONE_CONTEXT = "recruit.id_number", "recruit.phone"
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


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


def _snapshot(row: sa.Row) -> dict[str, Any]:
    return {
        "name": row.name,
        "branch_id": row.branch_id,
        "stage": row.stage,
        "id_number": row.id_number_masked,
        "category": row.category,
    }


__all__ = [
    "APPROVING_ACTORS",
    "EARLIEST_BIRTH_DATE",
    "ID_CONTEXT",
    "PHONE_CONTEXT",
    "RECRUIT_UNIT_KINDS",
    "Person",
    "StepRecorded",
    "create_recruit",
    "derive",
    "record_step",
    "record_step_returning",
    "refuse_if_annulled",
    "required_permission",
    "today",
    "violations_error",
    "visible",
]
