"""All SQL of the sync: the school's lock, the stored answers by key, and finding the recruit a
record is about. Callers pass a Session (row-level security applies), except the prune, which
runs as the owner over every school."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.models import recruits, sync_requests
from partyplan.tenants.session import Session

#: The first key of the school's transaction-scoped advisory lock (the second is the school's
#: id folded into 31 bits): nothing else takes advisory locks in this namespace.
LOCK_NAMESPACE = 12371
_LOCK = sa.text("SELECT pg_advisory_xact_lock(:namespace, CAST(:school_id % 2147483647 AS int))")
_HOLDS_LOCKS = sa.text(
    "SELECT pg_current_xact_id_if_assigned() IS NOT NULL OR EXISTS ("
    " SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory')"
)


async def holds_locks(session: Session) -> bool:
    """Whether the transaction has written or locked a row (it has an id only then) or holds an
    advisory lock: anything another transaction might be waiting on."""
    return bool(await session.scalar(_HOLDS_LOCKS))


async def lock_school(session: Session, school_id: int) -> None:
    """Wait for, then hold until the transaction ends, the school's sync lock."""
    await session.execute(_LOCK, {"namespace": LOCK_NAMESPACE, "school_id": school_id})


async def stored_answer(
    session: Session, client_id: str, school_id: int, key: str
) -> sa.Row | None:
    stmt = sa.select(sync_requests.c.body_hash, sync_requests.c.answer).where(
        sync_requests.c.client_id == client_id,
        sync_requests.c.school_id == school_id,
        sync_requests.c.idempotency_key == key,
    )
    return (await session.execute(stmt)).first()


async def store_answer(
    session: Session,
    school: sa.Row,
    *,
    client_id: str,
    key: str,
    body_hash: bytes,
    answer: dict[str, Any],
) -> None:
    await session.execute(
        sa.insert(sync_requests).values(
            school_id=school.id,
            unit_path=school.path,
            client_id=client_id,
            idempotency_key=key,
            body_hash=body_hash,
            answer=answer,
        )
    )


async def recruit_by_code(session: Session, school_id: int, code: str) -> int | None:
    stmt = sa.select(recruits.c.id).where(
        recruits.c.school_id == school_id, recruits.c.code_12371 == code
    )
    return await session.scalar(stmt)


async def recruit_by_lookup(
    session: Session, school_id: int, lookups: Sequence[bytes]
) -> int | None:
    """The school's recruit with this ID number (its hash under each PII key version held)."""
    stmt = sa.select(recruits.c.id).where(
        recruits.c.school_id == school_id, recruits.c.id_number_hash.in_(list(lookups))
    )
    return await session.scalar(stmt)


async def prune(conn: AsyncConnection, before: datetime) -> int:
    """Delete the answers stored before ``before``; how many."""
    result = await conn.execute(sa.delete(sync_requests).where(sync_requests.c.created_at < before))
    return result.rowcount
