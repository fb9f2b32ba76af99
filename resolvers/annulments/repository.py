"""All SQL of annulments. The caller's scope is row-level security's (an annulment is seen at the
branch that approved the admission, and above it)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from partyplan.models import admission_annulments, plan_periods, units
from partyplan.resolvers import paging
from partyplan.resolvers.paging import Keyset, Page
from partyplan.tenants.scope import descendant_of
from partyplan.tenants.session import Session

#: An annulment with the branch's name beside it (the recruit's name is the annulment's own
#: copy: a recruit transferred to another school since is out of the admitting school's sight).
_LISTED = (*admission_annulments.c, units.c.name.label("branch_name"))


def _listed() -> sa.Select:  # type: ignore[type-arg]
    return sa.select(*_LISTED).outerjoin(units, units.c.id == admission_annulments.c.branch_id)


async def closed_periods_containing(session: Session, commission_id: int, on: date) -> list[str]:
    """The names of the commission's closed periods whose dates contain ``on``."""
    stmt = (
        sa.select(plan_periods.c.name)
        .where(
            plan_periods.c.commission_id == commission_id,
            plan_periods.c.state == "closed",
            plan_periods.c.starts_on <= on,
            plan_periods.c.ends_on >= on,
        )
        .order_by(plan_periods.c.starts_on, plan_periods.c.id)
    )
    return list((await session.execute(stmt)).scalars())


async def insert(
    session: Session,
    recruit: sa.Row,
    *,
    annulled_on: date,
    reason: str,
    document_no: str,
    decided_by_unit_id: int,
) -> sa.Row:
    """The annulment, at the admission's place; the database then marks the recruit
    (``recruits.annulled_on``, trigger ``admission_annulments_apply``)."""
    stmt = (
        sa.insert(admission_annulments)
        .values(
            recruit_id=recruit.id,
            recruit_name=recruit.name,
            school_id=recruit.admitted_school_id,
            branch_id=recruit.admitted_branch_id,
            unit_path=recruit.admitted_path,
            approved_on=recruit.approved_on,
            annulled_on=annulled_on,
            reason=reason,
            document_no=document_no,
            decided_by_unit_id=decided_by_unit_id,
            annulled_by=session.principal.user_id,
        )
        .returning(admission_annulments.c.id)
    )
    annulment_id = (await session.execute(stmt)).scalar_one()
    row = await get(session, annulment_id)
    assert row is not None  # just written, in the caller's scope
    return row


async def get(session: Session, annulment_id: int) -> sa.Row | None:
    stmt = _listed().where(admission_annulments.c.id == annulment_id)
    return (await session.execute(stmt)).first()


async def of_recruits(session: Session, recruit_ids: list[int]) -> list[sa.Row]:
    """The annulments of these recruits that the caller may see."""
    stmt = _listed().where(admission_annulments.c.recruit_id.in_(recruit_ids))
    return list((await session.execute(stmt)).all())


async def page(
    session: Session,
    *,
    unit_path: str,
    starts_on: date | None,
    ends_on: date | None,
    keyset: Keyset,
) -> Page:
    """The annulments of admissions approved at or below the unit (within the dates, when
    given), by id."""
    stmt = _listed().where(descendant_of(admission_annulments.c.unit_path, unit_path))
    if starts_on is not None and ends_on is not None:
        stmt = stmt.where(admission_annulments.c.approved_on.between(starts_on, ends_on))
    return await paging.fetch(session, stmt, admission_annulments.c.id, keyset)


async def school_list(session: Session, school_id: int, starts_on: date, ends_on: date) -> list:
    """Every annulment of the school's admissions approved within the dates, in branch then
    approval order (the execution report's list)."""
    stmt = (
        _listed()
        .where(
            admission_annulments.c.school_id == school_id,
            admission_annulments.c.approved_on.between(starts_on, ends_on),
        )
        .order_by(
            admission_annulments.c.unit_path,
            admission_annulments.c.approved_on,
            admission_annulments.c.id,
        )
    )
    return list((await session.execute(stmt)).all())
