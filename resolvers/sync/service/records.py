"""One record of a sync: found by its 12371 identifier within the school when it has one, else by
its ID number's keyed hash; created when not found, exactly as importRecruits creates a row;
compared when found, and brought up to date through the recruits domain's own operations.

Every error names the record's own field (``idNumber``, ``steps.2.on``); the batch places it
under ``records.N``. A record is refused whole: the caller runs it in a savepoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from partyplan.auth.errors import Forbidden, NotFound
from partyplan.auth.permissions import Permission
from partyplan.resolvers.errors import ValidationErrors
from partyplan.resolvers.recruits.errors import RecruitError
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.resolvers.recruits.rules.data_keys import normalise
from partyplan.resolvers.recruits.service import details, records
from partyplan.resolvers.recruits.service.reads import steps_of
from partyplan.resolvers.recruits.service.records import ID_CONTEXT, PHONE_CONTEXT
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from .. import repository, rules
from ..errors import SyncError, SyncErrorCode
from ..rules import Outcome, Recorded, SyncRecord, SyncStep


def _forbidden(field: str, what: str) -> SyncError:
    return SyncError(SyncErrorCode.FORBIDDEN, f"您的角色无权{what}", field)


async def _branch(session: Session, school: sa.Row, branch_id: int | None) -> sa.Row:
    """The record's branch: a unit of the school in the caller's reach (anything else is the
    same UNKNOWN_BRANCH, which tells nothing of other schools)."""
    unknown = SyncError(SyncErrorCode.UNKNOWN_BRANCH, "本校没有此编号的单位", "branchId")
    if branch_id is None:
        raise unknown
    try:
        branch = await visible_unit(session, branch_id, Permission.RECRUIT_RECORD, "branchId")
    except NotFound:
        raise unknown from None
    except Forbidden:
        raise _forbidden("branchId", "在该党支部记录入党申请人") from None
    if branch.school_id != school.id:
        raise unknown
    return branch


async def _recorded(session: Session, recruit_id: int) -> list[Recorded]:
    return [Recorded(s.step_code, s.on_date, s.data) for s in await steps_of(session, [recruit_id])]


async def _record_steps(
    session: Session, timezone: str, recruit_id: int, new: list[tuple[int, SyncStep]]
) -> None:
    """Record the new steps in date order, each judged by the rules as recordStep judges it."""
    for number, step in new:

        def field(place: str, number: int = number) -> str:
            return f"steps.{number}.{place}"

        try:
            await records.record_step(
                session,
                timezone,
                recruit_id=recruit_id,
                step_code=step.step_code,
                on=step.on,
                data=step.data,
                fields=field,
            )
        except Forbidden:
            raise _forbidden(field("step"), "记录该步骤") from None


def _spelled_twice(record: SyncRecord) -> list[RecruitError]:
    """A datum sent in both spellings (``inFavour`` and ``in_favour``), named by its step's
    key: refused before the steps are compared with those recorded."""
    return [
        error
        for number, step in enumerate(record.steps)
        if isinstance(step.data, Mapping)
        for error in normalise(step.step_code, step.data).problems(
            lambda place, number=number: f"steps.{number}.{place}"
        )
    ]


async def _find(
    session: Session, school_id: int, code: str | None, lookups: tuple[bytes, ...]
) -> int | None:
    found = None if code is None else await repository.recruit_by_code(session, school_id, code)
    if found is None:
        found = await repository.recruit_by_lookup(session, school_id, lookups)
    return found


async def upsert(
    session: Session,
    cipher: PiiCipher,
    timezone: str,
    school: sa.Row,
    record: SyncRecord,
) -> tuple[Outcome, int]:
    """The record's outcome and its recruit's id; raises the record's refusal."""
    unstorable = rules.unstorable_text(record) + _spelled_twice(record)
    if unstorable:
        raise ValidationErrors(unstorable)  # type: ignore[arg-type]
    branch = await _branch(session, school, record.branch_id)
    today = records.today(timezone)
    person = details.checked_person(record.person, record.application_date, today)
    code = None if record.code_12371 is None else details.check_code_12371(record.code_12371)
    # Under each PII key version held (several during a rotation), current first.
    lookups = cipher.lookup_hashes(person.id_number, context=ID_CONTEXT)
    recruit_id = await _find(session, school.id, code, lookups)
    if recruit_id is None:
        return Outcome.CREATED, await _create(session, cipher, timezone, branch, record, code)
    try:
        recruit = await records.visible(
            session, recruit_id, Permission.RECRUIT_RECORD, lock=True, with_pii=True
        )
    except Forbidden:
        raise _forbidden("branchId", "记录该人员") from None
    current: dict[str, Any] = dict(recruit._mapping)
    current["phone"] = (
        None
        if recruit.phone_enc is None
        else cipher.decrypt(recruit.phone_enc, context=PHONE_CONTEXT)
    )
    conflicts = rules.identity_conflicts(current, lookups, branch.id, record, person)
    new, step_conflicts = rules.plan_steps(record.steps, await _recorded(session, recruit_id))
    if conflicts or step_conflicts:
        raise ValidationErrors([*conflicts, *step_conflicts])  # type: ignore[arg-type]
    changes = rules.detail_changes(current, person, code)
    if changes:
        await details.update_details(session, cipher, recruit_id=recruit_id, changes=changes)
    await _record_steps(session, timezone, recruit_id, new)
    return (Outcome.UPDATED if changes or new else Outcome.UNCHANGED), recruit_id


async def _create(
    session: Session,
    cipher: PiiCipher,
    timezone: str,
    branch: sa.Row,
    record: SyncRecord,
    code: str | None,
) -> int:
    """As importRecruits creates a row: the recruit with its application, then its steps (in date
    order here); its 12371 identifier set with its details."""
    row = await records.create_recruit(
        session,
        cipher,
        timezone,
        branch_id=branch.id,
        person=record.person,
        application_date=record.application_date,
    )
    if code is not None:
        await details.update_details(
            session, cipher, recruit_id=row.id, changes={"code_12371": code}
        )
    new, conflicts = rules.plan_steps(record.steps, await _recorded(session, row.id))
    if conflicts:  # a step 1 sent with another date than the application's
        raise ValidationErrors(conflicts)  # type: ignore[arg-type]
    await _record_steps(session, timezone, row.id, new)
    return row.id
