"""SQL of a recruit's row itself: reading it (one, or a list's worth by id), creating it (the
ID number's uniqueness, and the lock creators of one ID number take during a PII key rotation),
writing what is derived from its steps or what it says of the person, and moving it with its
whole history to another branch (a transfer).

Callers pass a request's Session: row-level security confines every statement to the caller's
schools, so a recruit outside them reads as absent. Lists never carry the encrypted columns
(``listing.RECRUIT_COLUMNS``); only :func:`get` with ``with_pii`` and :func:`by_ids` do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from partyplan.models import (
    attachment_supersessions,
    attachments,
    recruit_findings,
    recruit_steps,
    recruits,
    talent_filings,
)
from partyplan.tenants.scope import descendant_of, descendant_of_any
from partyplan.tenants.session import Session

from .listing import RECRUIT_COLUMNS


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
