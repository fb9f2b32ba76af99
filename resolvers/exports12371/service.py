"""The 12371 export's operations: who may export which school (``prepare``), the rows of one
stage's sheet, streamed in keyset batches (``rows``), and the audit of an unmasked export
(``audit_unmasked``).

Access: the school is found through the caller's scope (outside it, or not a school:
NOT_FOUND), ``recruit.read`` there is needed (else FORBIDDEN), and ID numbers and phones are
shown in clear only with ``pii.read`` at the school; otherwise their stored masked forms.

Audit: an unmasked export writes **one** ``readPii`` entry on the school (``after``: the
export, its stage and period filters, the fields shown in clear and how many recruits), in the
request's transaction, after the last row was read. Not one entry per recruit as
``audit.service.Disclosures`` does for the API: that would hold 20,000 entries in memory and
append them in one statement (about a second), for an export whose every row is already
described by its filters: the entry names the school, stage and period, and the recruits of it
are the ones the filters select.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from partyplan.auth.errors import NotFound
from partyplan.auth.permissions import Permission
from partyplan.auth.principal import is_within
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.audit.service import READ_PII
from partyplan.resolvers.plans.service.common import period_for
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.resolvers.recruits.service.records import ID_CONTEXT, PHONE_CONTEXT
from partyplan.resolvers.units.service import visible_school
from partyplan.tenants.session import Session

from . import repository, rules

#: Recruits read per statement: large enough that a 20,000-recruit school takes 40 round trips,
#: small enough that a batch (rows, steps, names) stays a few hundred kilobytes.
BATCH = 500


@dataclass(frozen=True)
class Export12371:
    """What one export covers, decided before any row is read."""

    school_id: int
    school_name: str
    stages: tuple[str, ...]
    stage: str | None
    period_id: int | None
    period_name: str | None
    window: tuple[date, date] | None
    unmasked: bool


async def prepare(
    session: Session, *, school_id: int, period_id: int | None, stage: str | None
) -> Export12371:
    """The export of a school the caller reaches with ``recruit.read``. ``period_id`` keeps the
    recruits who entered their stage within the period's window (for the probationary sheet:
    admitted in the period, as the plan counts admissions); ``stage`` keeps one sheet."""
    school = await visible_school(session, school_id, Permission.RECRUIT_READ)
    period = None
    if period_id is not None:
        period = await period_for(session, period_id)
        if not is_within(school.path, period.commission_path):
            raise NotFound("本校所属教育工委没有此计划期")
    stages = rules.check_stage(stage)
    return Export12371(
        school_id=school.id,
        school_name=school.name,
        stages=stages,
        stage=stage,
        period_id=None if period is None else period.id,
        period_name=None if period is None else period.name,
        window=None if period is None else (period.starts_on, period.ends_on),
        unmasked=session.principal.can(Permission.PII_READ, school.path),
    )


def shown_pii(recruit: Any, unmasked: bool, cipher: PiiCipher | None) -> dict[str, str]:
    """The ID number and phone as a sheet shows them: clear, or their stored masked forms."""
    if not unmasked:
        return {"id_number": recruit.id_number_masked, "phone": recruit.phone_masked or ""}
    if cipher is None:
        raise RuntimeError("the server holds no PII key")
    phone = recruit.phone_enc
    return {
        "id_number": cipher.decrypt(recruit.id_number_enc, context=ID_CONTEXT),
        "phone": "" if phone is None else cipher.decrypt(phone, context=PHONE_CONTEXT),
    }


def _codes(steps: Mapping[str, tuple[date, Mapping[str, Any]]]) -> set[str]:
    found: set[str] = set()
    for key in ("contacts", "introducers"):
        step = steps.get(key)
        members = None if step is None else step[1].get(key)
        if isinstance(members, list):
            found.update(str(code) for code in members)
    return found


async def rendered(
    session: Session,
    school_id: int,
    recruits: list[Any],
    items: tuple[str, ...],
    pii_of: Callable[[Any], Mapping[str, str]],
) -> list[list[str]]:
    """The cells of ``items`` of each of ``recruits`` (rows with the columns of
    ``repository.COLUMNS``), with their current steps and the roster's names read in two
    statements; ``pii_of`` gives a recruit's ID number and phone as they are to be shown."""
    codes = sorted({rules.STEP_ITEMS[i] for i in items if i in rules.STEP_ITEMS})
    steps: dict[int, dict[str, tuple[date, Mapping[str, Any]]]] = {}
    for step in await repository.current_steps(session, [r.id for r in recruits], codes):
        # Oldest first: a repeated step's latest record is the one shown.
        steps.setdefault(step.recruit_id, {})[step.step_code] = (step.on_date, step.data)
    wanted = set().union(*(_codes(s) for s in steps.values())) if steps else set()
    names = await repository.member_names(session, school_id, sorted(wanted))
    return [
        rules.cells(items, recruit, steps.get(recruit.id, {}), names, pii_of(recruit))
        for recruit in recruits
    ]


async def rows(
    session: Session,
    export: Export12371,
    stage: str,
    cipher: PiiCipher | None,
    *,
    batch: int | None = None,
) -> AsyncIterator[list[str]]:
    """The rows of ``stage``'s sheet, one batch of recruits (``BATCH``) in memory at a time."""
    batch = batch or BATCH
    items = rules.columns(stage)
    after = 0
    while True:
        recruits = await repository.recruits(
            session,
            school_id=export.school_id,
            stage=stage,
            milestone=rules.milestone(stage),
            window=export.window,
            after_id=after,
            limit=batch,
        )
        if not recruits:
            return
        for row in await rendered(
            session,
            export.school_id,
            recruits,
            items,
            lambda recruit: shown_pii(recruit, export.unmasked, cipher),
        ):
            yield row
        after = recruits[-1].id


async def audit_unmasked(session: Session, export: Export12371, count: int) -> None:
    """One ``readPii`` entry for an export that showed ID numbers and phones in clear."""
    if not export.unmasked:
        return
    await audit.append(
        session,
        operation=READ_PII,
        object_type="Unit",
        object_id=export.school_id,
        unit_id=export.school_id,
        school_id=export.school_id,
        before=None,
        after={
            "export": "12371",
            "fields": ["idNumber", "phone"],
            "recruits": count,
            "stage": export.stage,
            "periodId": export.period_id,
        },
    )
