"""All the spot checks' SQL. Row-level security scopes every statement (a check down its
commission's tree; candidates and records where their recruits' branches are); the list
statements also narrow to where the caller reads recruits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from partyplan.models import (
    recruit_findings,
    recruits,
    spot_check_candidates,
    spot_check_records,
    spot_checks,
    units,
)
from partyplan.resolvers.paging import Keyset, Page, fetch
from partyplan.tenants.scope import Subtree, descendant_of, descendant_of_any, in_subtree
from partyplan.tenants.session import Session

checks = spot_checks
candidates = spot_check_candidates
records = spot_check_records


async def schools(session: Session, commission_path: str) -> list[sa.Row]:
    """The active schools of the commission, by id."""
    stmt = (
        sa.select(units.c.id, units.c.name, units.c.path)
        .where(
            units.c.kind == "school", units.c.active, descendant_of(units.c.path, commission_path)
        )
        .order_by(units.c.id)
    )
    return list((await session.execute(stmt)).all())


async def targets_now(session: Session, school_ids: Sequence[int]) -> list[sa.Row]:
    """The development targets of the schools as they stand, in canonical order."""
    stmt = (
        sa.select(
            recruits.c.id,
            recruits.c.school_id,
            recruits.c.branch_id,
            recruits.c.unit_path,
            recruits.c.name,
        )
        .where(recruits.c.stage == "development_target", recruits.c.school_id.in_(school_ids))
        .order_by(recruits.c.school_id, recruits.c.id)
    )
    return list((await session.execute(stmt)).all())


async def add_check(session: Session, values: dict[str, Any]) -> int:
    return int(await session.scalar(sa.insert(checks).values(values).returning(checks.c.id)))


async def add_candidates(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(sa.insert(candidates), rows)


async def get(session: Session, check_id: int, *, lock: bool = False) -> sa.Row | None:
    stmt = sa.select(checks).where(checks.c.id == check_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).first()


async def page(session: Session, commission_id: int, keyset: Keyset) -> Page:
    """The commission's checks, newest first."""
    filtered = sa.select(checks).where(checks.c.commission_id == commission_id)
    return await fetch(session, filtered, checks.c.id, keyset, descending=True)


async def all_candidates(session: Session, check_id: int) -> list[sa.Row]:
    stmt = (
        sa.select(candidates)
        .where(candidates.c.check_id == check_id)
        .order_by(candidates.c.ordinal)
    )
    return list((await session.execute(stmt)).all())


async def candidates_page(
    session: Session,
    check_id: int,
    *,
    read_paths: list[str],
    school_id: int | None,
    keyset: Keyset,
) -> Page:
    filtered = sa.select(candidates).where(
        candidates.c.check_id == check_id, descendant_of_any(candidates.c.unit_path, read_paths)
    )
    if school_id is not None:
        filtered = filtered.where(candidates.c.school_id == school_id)
    return await fetch(session, filtered, candidates.c.ordinal, keyset)


async def mark_drawn(session: Session, check_id: int, seed: str, user_id: int) -> None:
    await session.execute(
        sa.update(checks)
        .where(checks.c.id == check_id)
        .values(
            state="drawn",
            seed=seed,
            drawn_by=user_id,
            drawn_at=sa.func.now(),
            drawn_xid=sa.func.pg_current_xact_id(),
        )
    )


async def add_records(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(sa.insert(records), rows)


async def record(session: Session, record_id: int, *, lock: bool = False) -> sa.Row | None:
    stmt = sa.select(records).where(records.c.id == record_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).first()


async def records_page(
    session: Session,
    *,
    read_paths: list[str],
    under: Subtree | None,
    check_id: int | None,
    follow_up: str | None,
    keyset: Keyset,
) -> Page:
    """Records the caller reads, newest first."""
    filtered = sa.select(records).where(descendant_of_any(records.c.unit_path, read_paths))
    if under is not None:
        filtered = filtered.where(in_subtree(records.c.unit_path, records.c.school_id, under))
    if check_id is not None:
        filtered = filtered.where(records.c.check_id == check_id)
    if follow_up is not None:
        filtered = filtered.where(records.c.follow_up == follow_up)
    return await fetch(session, filtered, records.c.id, keyset, descending=True)


async def update_record(session: Session, record_id: int, values: dict[str, Any]) -> None:
    await session.execute(sa.update(records).where(records.c.id == record_id).values(values))


async def finding_rules(session: Session, recruit_id: int) -> set[str]:
    """The rule ids of the findings recorded on the recruit (local rules included)."""
    stmt = sa.select(recruit_findings.c.rule_id).where(recruit_findings.c.recruit_id == recruit_id)
    return set((await session.execute(stmt)).scalars().all())
