"""Annulling an admission (一律不予承认), and reading annulments.

Who may annul: a holder of ``recruit.annul`` at the place the admission was approved — the
school's Party committee (``school_admin``) for its own admissions, the commission
(``commission_admin``) for any school's. The recruit must be reachable (else NOT_FOUND): a
recruit transferred to another school since is out of the admitting school's sight, and the
commission annuls it.

What it does: one ``admission_annulments`` row, final evidence (a trigger refuses any change),
at the admission's place; the database marks the recruit (``annulled_on``), and the roll-up
tallies stop counting the admission in every open period (``migrations/tallies.py``). The quota
is counted, not spent: a unit's completion is its ``admitted`` tally over the places received
(docs/domain.md), so the place is released by the same write. An admission in a closed period
is refused (PERIOD_CLOSED): a closed period's figures are frozen, and an annulment that left
them counting it would not be one.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.paging import Keyset, Page
from partyplan.resolvers.plans.service.common import period_for
from partyplan.resolvers.recruits.service.records import visible as visible_recruit
from partyplan.resolvers.text import clean_text
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from . import repository, rules
from .errors import AnnulmentError, AnnulmentErrorCode

_LABELS = {"reason": "不予承认的理由", "documentNo": "文号"}


def _text(value: str | None, field: str, limit: int) -> str:
    return clean_text(  # type: ignore[return-value]
        value,
        field,
        required=True,
        limit=limit,
        error=AnnulmentError,
        code=AnnulmentErrorCode.INVALID_TEXT,
        missing_code=AnnulmentErrorCode.REQUIRED,
        label=_LABELS[field],
    )


async def annul(
    session: Session,
    *,
    recruit_id: int,
    reason: str,
    document_no: str,
    annulled_on: date | None,
    today: date,
) -> sa.Row:
    recruit = await visible_recruit(session, recruit_id, Permission.RECRUIT_READ, lock=True)
    # The authority is judged where the admission was approved (where it counts).
    place = recruit.admitted_path or recruit.unit_path
    session.require(Permission.RECRUIT_ANNUL, place)
    rules.check_annullable(recruit.approved_on, recruit.annulled_on)
    reason = _text(reason, "reason", 1000)
    document_no = _text(document_no, "documentNo", 100)
    decided_on = annulled_on or today
    rules.check_decision_date(decided_on, recruit.approved_on, today)
    commission_id = int(recruit.admitted_path.split(".")[0])
    closed = await repository.closed_periods_containing(session, commission_id, recruit.approved_on)
    problem = rules.closed_period_problem(closed)
    if problem is not None:
        raise problem
    authority = session.principal.best_binding(Permission.RECRUIT_ANNUL, place)
    assert authority is not None  # required above
    row = await repository.insert(
        session,
        recruit,
        annulled_on=decided_on,
        reason=reason,
        document_no=document_no,
        decided_by_unit_id=authority.unit_id,
    )
    await audit.append(
        session,
        operation="annulAdmission",
        object_type="AdmissionAnnulment",
        object_id=row.id,
        unit_id=row.branch_id,
        school_id=row.school_id,
        before={"recruit_id": recruit.id, "approved_on": recruit.approved_on.isoformat()},
        after={
            "annulled_on": decided_on.isoformat(),
            "reason": reason,
            "document_no": document_no,
            "decided_by_unit_id": authority.unit_id,
        },
    )
    return row


async def visible(session: Session, annulment_id: int) -> sa.Row:
    """An annulment the caller reaches, with ``recruit.read`` there; else NOT_FOUND /
    FORBIDDEN."""
    row = await repository.get(session, annulment_id)
    return session.reach(row, "该不予承认记录", Permission.RECRUIT_READ)


async def of_recruits(session: Session, recruit_ids: list[int]) -> dict[int, sa.Row]:
    """The annulments of these recruits the caller may see, by recruit (none for the others).
    The recruits were read through the caller's scope already."""
    if not recruit_ids:
        return {}
    rows = await repository.of_recruits(session, recruit_ids)
    return {r.recruit_id: r for r in rows}


async def page(session: Session, *, unit_id: int, period_id: int | None, keyset: Keyset) -> Page:
    """The annulments of admissions approved at or below the unit, in the period's dates when
    one is given: the list a branch announces at its general meeting (公布)."""
    unit = await visible_unit(session, unit_id, Permission.RECRUIT_READ, "unitId")
    starts = ends = None
    if period_id is not None:
        period = await period_for(session, period_id)
        starts, ends = period.starts_on, period.ends_on
    return await repository.page(
        session, unit_path=unit.path, starts_on=starts, ends_on=ends, keyset=keyset
    )


async def for_report(
    session: Session, school_id: int, starts_on: date, ends_on: date
) -> list[sa.Row]:
    """The school's annulments of admissions approved within the dates (the report's list)."""
    return await repository.school_list(session, school_id, starts_on, ends_on)
