"""SQL of the high-level talents' filings (``service/filings.py``): filing a recruit, the
filing's review, the recruit's exemption that an acknowledged filing grants, and the page of
filings a caller reads.

A recruit has at most one active filing (``filed`` or ``acknowledged``). A filing carries its
recruit's school and unit path, so row-level security scopes it as it scopes the recruit; the
page is confined further to the caller's read paths and, when asked, to one subtree."""

from __future__ import annotations

import sqlalchemy as sa

from partyplan.models import recruits, talent_filings
from partyplan.resolvers import paging
from partyplan.resolvers.paging import Keyset, Page
from partyplan.tenants.scope import Subtree, descendant_of_any, in_subtree
from partyplan.tenants.session import Session


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
