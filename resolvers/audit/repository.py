"""SQL of the audit log. Entries are appended only through the ``audit_append`` SQL function,
which chains each entry's hash to the previous one of the same school's chain."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.models import audit_log
from partyplan.resolvers import paging
from partyplan.resolvers.paging import Keyset, Page
from partyplan.tenants.session import Session

_APPEND = sa.text(
    "SELECT audit_append(:school_id, :unit_id, :actor, :client_id, :operation, :object_type, "
    ":object_id, CAST(:before AS jsonb), CAST(:after AS jsonb))"
)


def entry_json(value: dict[str, Any] | None) -> str | None:
    """An entry's before or after as the log keeps it (statements that append an entry in
    their own SQL encode it here too)."""
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


async def append(
    session: Session,
    *,
    operation: str,
    object_type: str,
    object_id: int,
    unit_id: int,
    school_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> int:
    principal = session.principal
    return await session.scalar(
        _APPEND,
        {
            "school_id": school_id,
            "unit_id": unit_id,
            "actor": principal.user_id,
            "client_id": principal.client_id,
            "operation": operation,
            "object_type": object_type,
            "object_id": object_id,
            "before": entry_json(before),
            "after": entry_json(after),
        },
    )


_APPEND_OWN = sa.text("SELECT app_audit_own_account(:operation, :client_id, CAST(:after AS jsonb))")


async def append_on_own_account(
    session: Session, *, operation: str, after: dict[str, Any] | None
) -> int:
    """An entry about the caller's own account, on its home unit in its school's chain, as the
    entries an administrator writes about it are. The caller need not reach its own home unit
    (its roles may lie elsewhere, or it holds none), so the entry is written by a SECURITY
    DEFINER function that writes only about the account the transaction is bound to
    (``app_audit_own_account``, migration 0012)."""
    return await session.scalar(
        _APPEND_OWN,
        {
            "operation": operation,
            "client_id": session.principal.client_id,
            "after": entry_json(after),
        },
    )


async def entries_for(session: Session, object_type: str, object_id: int, keyset: Keyset) -> Page:
    """Newest first; keyset on the entry id."""
    stmt = sa.select(audit_log).where(
        audit_log.c.object_type == object_type, audit_log.c.object_id == object_id
    )
    return await paging.fetch(session, stmt, audit_log.c.id, keyset, descending=True)


_VERIFY = sa.text(
    """
    SELECT chain, seq,
           hash = sha256(prev_hash || convert_to(audit_entry_text(chain, seq, at, school_id,
               unit_id, actor_user_id, client_id, operation, object_type, object_id, before,
               after), 'UTF8')) AS hash_ok,
           prev_hash = coalesce(lag(hash) OVER w, '\\x'::bytea) AS link_ok,
           seq = row_number() OVER w AS seq_ok
      FROM audit_log
    WINDOW w AS (PARTITION BY chain ORDER BY seq)
    """
)


async def verify_chains(conn: AsyncConnection) -> list[tuple[int, int, str]]:
    """Every broken link as (chain, seq, what). Run as the owner: it must see all entries."""
    broken: list[tuple[int, int, str]] = []
    for row in (await conn.execute(_VERIFY)).all():
        for ok, what in ((row.hash_ok, "hash"), (row.link_ok, "link"), (row.seq_ok, "gap")):
            if not ok:
                broken.append((row.chain, row.seq, what))
    heads = await conn.execute(
        sa.text(
            "SELECT h.chain, h.seq FROM audit_chain_heads h LEFT JOIN LATERAL "
            "(SELECT max(seq) AS seq, (array_agg(hash ORDER BY seq DESC))[1] AS hash "
            " FROM audit_log a WHERE a.chain = h.chain) last ON true "
            "WHERE last.seq IS DISTINCT FROM h.seq OR last.hash IS DISTINCT FROM h.hash"
        )
    )
    broken.extend((row.chain, row.seq, "head") for row in heads.all())
    return broken


# One statement for a whole batch: each element of the JSON array is appended to its school's
# chain by ``audit_append``, in the array's order (the caller sorts it, so concurrent batches
# take the chains' head locks in one order).
_APPEND_MANY = sa.text(
    """
    SELECT count(*) FROM (
        SELECT audit_append((e.item ->> 'school_id')::bigint, (e.item ->> 'unit_id')::bigint,
                            :actor, :client_id, :operation, e.item ->> 'object_type',
                            (e.item ->> 'object_id')::bigint, NULL, e.item -> 'after')
          FROM jsonb_array_elements(CAST(:entries AS jsonb)) WITH ORDINALITY AS e(item, n)
         ORDER BY e.n
    ) appended
    """
)


async def append_many(session: Session, *, operation: str, entries: list[dict[str, Any]]) -> int:
    """Append one entry per element of ``entries`` (school_id, unit_id, object_type,
    object_id, after) by the session's principal, in one statement; the number appended."""
    principal = session.principal
    return await session.scalar(
        _APPEND_MANY,
        {
            "actor": principal.user_id,
            "client_id": principal.client_id,
            "operation": operation,
            "entries": json.dumps(entries, ensure_ascii=False, default=str),
        },
    )
