"""All SQL of the recruits domain. Callers pass a Session; row-level security applies.
``pii`` holds the PII key rotation's, run as the owner."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from partyplan.models import (
    attachment_supersessions,
    attachments,
    calendar_days,
    plan_periods,
    recruit_findings,
    recruit_steps,
    recruits,
    rule_overlays,
    talent_filings,
)
from partyplan.resolvers import paging
from partyplan.resolvers.paging import Keyset, Page
from partyplan.tenants.scope import Subtree, descendant_of, descendant_of_any, in_subtree
from partyplan.tenants.session import Session

from .listing import RECRUIT_COLUMNS, ListFilter, filtered, page

__all__ = ["RECRUIT_COLUMNS", "ListFilter", "filtered", "page"]


async def get(
    session: Session, recruit_id: int, *, with_pii: bool = False, lock: bool = False
) -> sa.Row | None:
    columns = tuple(recruits.c) if with_pii else RECRUIT_COLUMNS
    stmt = sa.select(*columns).where(recruits.c.id == recruit_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).first()


async def by_ids(
    session: Session, recruit_ids: Sequence[int], *, read_paths: list[str]
) -> list[sa.Row]:
    stmt = (
        sa.select(*recruits.c)
        .where(
            recruits.c.id == sa.any_(sa.literal(list(recruit_ids), sa.ARRAY(sa.BigInteger))),
            descendant_of_any(recruits.c.unit_path, read_paths),
        )
        .order_by(recruits.c.id)
    )
    return list((await session.execute(stmt)).all())


async def id_number_taken(session: Session, lookups: Sequence[bytes]) -> bool:
    """Duplicates are refused platform-wide; another school's recruit is invisible here, so the
    unique index stays the final guard (see service). ``lookups``: the ID number's hash under
    each key version held (more than one during a PII key rotation)."""
    stmt = sa.select(sa.literal(1)).where(recruits.c.id_number_hash.in_(list(lookups)))
    return (await session.scalar(stmt)) is not None


#: The first key of the transaction-scoped advisory lock creators of one ID number take while
#: several PII key versions are held (the second: 31 bits of the ID number's hash).
ID_NUMBER_LOCK_NAMESPACE = 18


async def lock_id_number(session: Session, lookup: bytes) -> None:
    """Wait for, then hold until the transaction ends, the lock of the ID number whose hash
    (under the oldest key version held) is ``lookup``. During a rotation two creators may hash
    under different versions, which the unique index cannot compare: they take turns here."""
    await session.execute(
        sa.text("SELECT pg_advisory_xact_lock(:namespace, :key)"),
        {
            "namespace": ID_NUMBER_LOCK_NAMESPACE,
            "key": int.from_bytes(lookup[:4], "big") & 0x7FFFFFFF,
        },
    )


async def insert(session: Session, values: dict[str, Any]) -> sa.Row:
    stmt = sa.insert(recruits).values(**values).returning(*RECRUIT_COLUMNS)
    return (await session.execute(stmt)).one()


async def update_derived(session: Session, recruit_id: int, values: dict[str, Any]) -> sa.Row:
    stmt = (
        sa.update(recruits)
        .where(recruits.c.id == recruit_id)
        .values(**values, updated_at=sa.func.now())
        .returning(*RECRUIT_COLUMNS)
    )
    return (await session.execute(stmt)).one()


async def update_details(session: Session, recruit_id: int, values: dict[str, Any]) -> sa.Row:
    """Write a recruit's details (service/details.py says which); the updated row with them.
    The same statement as :func:`update_derived`: one is named for what the caller changes."""
    return await update_derived(session, recruit_id, values)


async def steps_of(session: Session, recruit_id: int) -> list[sa.Row]:
    """The recruit's current steps (corrected ones replaced by their correction), in order."""
    superseded = sa.select(recruit_steps.c.supersedes_id).where(
        recruit_steps.c.recruit_id == recruit_id, recruit_steps.c.supersedes_id.is_not(None)
    )
    stmt = (
        sa.select(*recruit_steps.c)
        .where(recruit_steps.c.recruit_id == recruit_id, recruit_steps.c.id.not_in(superseded))
        .order_by(recruit_steps.c.on_date, recruit_steps.c.id)
    )
    return list((await session.execute(stmt)).all())


async def steps_of_many(session: Session, recruit_ids: Sequence[int]) -> list[sa.Row]:
    ids = sa.literal(list(recruit_ids), sa.ARRAY(sa.BigInteger))
    superseded = sa.select(recruit_steps.c.supersedes_id).where(
        recruit_steps.c.recruit_id == sa.any_(ids), recruit_steps.c.supersedes_id.is_not(None)
    )
    stmt = (
        sa.select(*recruit_steps.c)
        .where(recruit_steps.c.recruit_id == sa.any_(ids), recruit_steps.c.id.not_in(superseded))
        .order_by(recruit_steps.c.recruit_id, recruit_steps.c.on_date, recruit_steps.c.id)
    )
    return list((await session.execute(stmt)).all())


async def insert_step(
    session: Session,
    recruit: sa.Row,
    *,
    step_code: str,
    on: date,
    data: dict[str, Any],
    rule_version: str,
    supersedes_id: int | None = None,
    correction_reason: str | None = None,
) -> sa.Row:
    stmt = (
        sa.insert(recruit_steps)
        .values(
            recruit_id=recruit.id,
            school_id=recruit.school_id,
            unit_path=recruit.unit_path,
            step_code=step_code,
            on_date=on,
            data=data,
            rule_version=rule_version,
            actor_user_id=session.principal.user_id,
            supersedes_id=supersedes_id,
            correction_reason=correction_reason,
        )
        .returning(*recruit_steps.c)
    )
    return (await session.execute(stmt)).one()


async def replace_findings(
    session: Session, recruit: sa.Row, findings: list[dict[str, Any]]
) -> None:
    await session.execute(
        sa.delete(recruit_findings).where(recruit_findings.c.recruit_id == recruit.id)
    )
    if findings:
        await session.execute(
            sa.insert(recruit_findings),
            [
                {
                    "recruit_id": recruit.id,
                    "school_id": recruit.school_id,
                    "unit_path": recruit.unit_path,
                    **f,
                }
                for f in findings
            ],
        )


async def findings_of_many(session: Session, recruit_ids: Sequence[int]) -> list[sa.Row]:
    stmt = (
        sa.select(*recruit_findings.c)
        .where(
            recruit_findings.c.recruit_id
            == sa.any_(sa.literal(list(recruit_ids), sa.ARRAY(sa.BigInteger)))
        )
        .order_by(recruit_findings.c.recruit_id, recruit_findings.c.id)
    )
    return list((await session.execute(stmt)).all())


#: Stages with an admission ahead: a recruit in one always has its steps left stored.
_PENDING_STAGES = ("applicant", "activist", "development_target")


async def batch_under(
    session: Session, path: str, *, after_id: int, size: int, missing_only: bool = False
) -> list[sa.Row]:
    """Up to ``size`` recruits at or below ``path`` with an id above ``after_id``, in id order,
    locked: the caller rewrites what is derived from their steps. ``missing_only``: only those
    whose admission columns were never derived (recorded before they existed): an admission
    is ahead, yet no steps left are stored."""
    stmt = (
        sa.select(*RECRUIT_COLUMNS)
        .where(descendant_of(recruits.c.unit_path, path), recruits.c.id > after_id)
        .order_by(recruits.c.id)
        .limit(size)
        .with_for_update()
    )
    if missing_only:
        stmt = stmt.where(
            recruits.c.admission_steps_left.is_(None),
            recruits.c.stage.in_(_PENDING_STAGES),
        )
    return list((await session.execute(stmt)).all())


async def open_periods_containing(session: Session, commission_id: int, on: date) -> list[sa.Row]:
    stmt = sa.select(*plan_periods.c).where(
        plan_periods.c.commission_id == commission_id,
        plan_periods.c.state != "closed",
        plan_periods.c.starts_on <= on,
        plan_periods.c.ends_on >= on,
    )
    return list((await session.execute(stmt)).all())


async def active_filing(session: Session, recruit_id: int) -> sa.Row | None:
    stmt = sa.select(*talent_filings.c).where(
        talent_filings.c.recruit_id == recruit_id,
        talent_filings.c.status.in_(("filed", "acknowledged")),
    )
    return (await session.execute(stmt)).first()


async def insert_filing(
    session: Session,
    recruit: sa.Row,
    *,
    programme: str,
    evidence_note: str | None,
    level: str,
    destinations: tuple[str, ...],
) -> sa.Row:
    stmt = (
        sa.insert(talent_filings)
        .values(
            recruit_id=recruit.id,
            school_id=recruit.school_id,
            unit_path=recruit.unit_path,
            programme=programme,
            evidence_note=evidence_note,
            filed_by=session.principal.user_id,
            level=level,
            destinations=list(destinations),
        )
        .returning(*talent_filings.c)
    )
    return (await session.execute(stmt)).one()


async def get_filing(session: Session, filing_id: int, *, lock: bool = False) -> sa.Row | None:
    stmt = (
        sa.select(*talent_filings.c, recruits.c.name.label("recruit_name"))
        .join(recruits, recruits.c.id == talent_filings.c.recruit_id)
        .where(talent_filings.c.id == filing_id)
    )
    if lock:
        stmt = stmt.with_for_update(of=talent_filings)
    return (await session.execute(stmt)).first()


async def review_filing(
    session: Session, filing_id: int, *, status: str, reason: str | None
) -> sa.Row:
    stmt = (
        sa.update(talent_filings)
        .where(talent_filings.c.id == filing_id)
        .values(
            status=status,
            return_reason=reason,
            reviewed_by=session.principal.user_id,
            reviewed_at=sa.func.now(),
        )
        .returning(*talent_filings.c)
    )
    return (await session.execute(stmt)).one()


async def set_exempt(session: Session, recruit_id: int, exempt: bool) -> None:
    await session.execute(
        sa.update(recruits).where(recruits.c.id == recruit_id).values(exempt=exempt)
    )


async def filings_page(
    session: Session,
    *,
    read_paths: list[str],
    under: Subtree | None,
    status: str | None,
    keyset: Keyset,
) -> Page:
    stmt = (
        sa.select(*talent_filings.c, recruits.c.name.label("recruit_name"))
        .join(recruits, recruits.c.id == talent_filings.c.recruit_id)
        .where(descendant_of_any(talent_filings.c.unit_path, read_paths))
    )
    if under is not None:
        stmt = stmt.where(in_subtree(talent_filings.c.unit_path, talent_filings.c.school_id, under))
    if status is not None:
        stmt = stmt.where(talent_filings.c.status == status)
    return await paging.fetch(session, stmt, talent_filings.c.id, keyset)


async def get_step(session: Session, step_id: int) -> sa.Row | None:
    stmt = sa.select(*recruit_steps.c).where(recruit_steps.c.id == step_id)
    return (await session.execute(stmt)).first()


async def is_superseded(session: Session, step_id: int) -> bool:
    stmt = sa.select(sa.literal(1)).where(recruit_steps.c.supersedes_id == step_id)
    return (await session.scalar(stmt)) is not None


async def move_recruit(session: Session, recruit: sa.Row, branch: sa.Row) -> None:
    """A transfer: the recruit and its whole history (steps, findings, filings) now belong to
    the new branch and school, so they are read and scoped there. The place of its admission
    (``admitted_*``) is not written: an admission stays where it was approved."""
    values = {"unit_path": branch.path, "school_id": branch.school_id}
    await session.execute(
        sa.update(recruits)
        .where(recruits.c.id == recruit.id)
        .values(**values, branch_id=branch.id, updated_at=sa.func.now())
    )
    for table in (
        recruit_steps,
        recruit_findings,
        talent_filings,
        attachments,
        attachment_supersessions,
    ):
        await session.execute(
            sa.update(table).where(table.c.recruit_id == recruit.id).values(**values)
        )


# --- the procedure in force: the commission's working-day calendar and stored rule overlays ---


async def calendar_days_of(session: Session, commission_id: int) -> list[sa.Row]:
    """The commission's holidays and make-up working days: ``day``, ``kind``."""
    stmt = sa.select(calendar_days.c.day, calendar_days.c.kind).where(
        calendar_days.c.commission_id == commission_id
    )
    return list((await session.execute(stmt)).all())


async def replace_calendar_year(
    session: Session, commission: sa.Row, year: int, days: list[tuple[str, date]]
) -> None:
    """The year's days become ``days`` (``(kind, day)``); other years stay."""
    await session.execute(
        sa.delete(calendar_days).where(
            calendar_days.c.commission_id == commission.id,
            calendar_days.c.day.between(date(year, 1, 1), date(year, 12, 31)),
        )
    )
    rows = [
        {"commission_id": commission.id, "commission_path": commission.path, "day": d, "kind": k}
        for k, d in days
    ]
    if rows:
        await session.execute(sa.insert(calendar_days), rows)


async def overlay_bodies(session: Session, commission_id: int) -> list[Any]:
    """The commission's stored rule overlays, as stored (JSON)."""
    stmt = sa.select(rule_overlays.c.body).where(rule_overlays.c.commission_id == commission_id)
    return [r.body for r in (await session.execute(stmt)).all()]


async def store_overlay(session: Session, commission: sa.Row, overlay_id: str, body: Any) -> None:
    """Insert the overlay, or replace the stored one of the same id."""
    stmt = pg_insert(rule_overlays).values(
        commission_id=commission.id,
        commission_path=commission.path,
        overlay_id=overlay_id,
        body=body,
        updated_by=session.principal.user_id,
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["commission_id", "overlay_id"],
            set_={
                "body": stmt.excluded.body,
                "updated_by": stmt.excluded.updated_by,
                "updated_at": sa.func.now(),
            },
        )
    )
