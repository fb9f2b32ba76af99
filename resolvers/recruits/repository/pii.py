"""The SQL of a PII key rotation (``service/pii_rotation.py``): counting the stored values per
key version, and reading and rewriting them a batch at a time.

Unlike the rest of the repository these take the owner's connection (every school: a rotation
rewrites every row, and no principal's scope would cover them). The reconciliation reports'
entries are here too: they hold the recruits' encrypted columns under the recruits' contexts,
and the reconciliation domain imports this one, never the reverse.

A batch locks its rows ``FOR UPDATE SKIP LOCKED``: a row the service is writing is left for the
next pass rather than waited for, so a rotation takes part in no deadlock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.models import reconciliation_entries, reconciliation_reports, recruits

__all__ = [
    "ENCRYPTED_COLUMNS",
    "entries_batch",
    "lock_open_report",
    "open_report_ids",
    "recruits_batch",
    "rewrite_entries",
    "rewrite_recruits",
    "versions_in_use",
]

#: The encrypted columns of both tables.
ENCRYPTED_COLUMNS = ("id_number_enc", "phone_enc")
_ENTRIES = reconciliation_entries
_OPEN = reconciliation_reports.c.status == "open"


async def versions_in_use(conn: AsyncConnection) -> dict[str, dict[int, int]]:
    """How many stored values each key version holds (the first byte of a ciphertext is its
    version), per ``table.column``; applied reports' entries apart, as ``applied.*``."""
    used: dict[str, dict[int, int]] = {}
    applied = sa.select(reconciliation_reports.c.id).where(~_OPEN)
    for name, table, where in (
        ("recruits", recruits, sa.true()),
        ("open_reports", _ENTRIES, _ENTRIES.c.report_id.not_in(applied)),
        ("applied_reports", _ENTRIES, _ENTRIES.c.report_id.in_(applied)),
    ):
        for column in ENCRYPTED_COLUMNS:
            col = table.c[column]
            version = sa.func.get_byte(col, 0)
            stmt = (
                sa.select(version, sa.func.count())
                .where(col.is_not(None), where)
                .group_by(version)
                .order_by(version)
            )
            counts = {int(v): int(n) for v, n in (await conn.execute(stmt)).all()}
            used[f"{name}.{column.removesuffix('_enc')}"] = counts
    return used


async def recruits_batch(conn: AsyncConnection, after: int, size: int) -> list[sa.Row]:
    """Up to ``size`` recruits after id ``after``, in id order, with their encrypted columns
    and lookup hash, locked (rows locked by others skipped)."""
    stmt = (
        sa.select(
            recruits.c.id,
            recruits.c.id_number_enc,
            recruits.c.id_number_hash,
            recruits.c.phone_enc,
        )
        .where(recruits.c.id > after)
        .order_by(recruits.c.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    return list((await conn.execute(stmt)).all())


async def rewrite_recruits(conn: AsyncConnection, changes: Sequence[dict[str, Any]]) -> None:
    """One statement for the batch: each change is ``k_id`` and the values ``v_id_number_enc``,
    ``v_id_number_hash`` (always under the version of the ciphertext beside it), ``v_phone_enc``."""
    await conn.execute(
        sa.update(recruits)
        .where(recruits.c.id == sa.bindparam("k_id"))
        .values(
            id_number_enc=sa.bindparam("v_id_number_enc"),
            id_number_hash=sa.bindparam("v_id_number_hash"),
            phone_enc=sa.bindparam("v_phone_enc"),
        ),
        list(changes),
    )


async def open_report_ids(conn: AsyncConnection) -> list[int]:
    """The open reconciliation reports (an applied one is frozen evidence, never rewritten)."""
    stmt = sa.select(reconciliation_reports.c.id).where(_OPEN)
    return list((await conn.scalars(stmt)).all())


async def lock_open_report(conn: AsyncConnection, report_id: int) -> bool:
    """Take the report's lock, the one ``applyReconciliation`` takes first, so the report
    cannot be applied half-way through a batch; False if it is no longer open or is locked
    (being applied)."""
    stmt = (
        sa.select(reconciliation_reports.c.id)
        .where(reconciliation_reports.c.id == report_id, _OPEN)
        .with_for_update(skip_locked=True)
    )
    return await conn.scalar(stmt) is not None


async def entries_batch(
    conn: AsyncConnection, report_id: int, after: int, size: int
) -> list[sa.Row]:
    """Up to ``size`` entries of the report after ordinal ``after``, in order, locked."""
    stmt = (
        sa.select(_ENTRIES.c.ordinal, _ENTRIES.c.id_number_enc, _ENTRIES.c.phone_enc)
        .where(_ENTRIES.c.report_id == report_id, _ENTRIES.c.ordinal > after)
        .order_by(_ENTRIES.c.ordinal)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    return list((await conn.execute(stmt)).all())


async def rewrite_entries(
    conn: AsyncConnection, report_id: int, changes: Sequence[dict[str, Any]]
) -> None:
    """One statement for the batch: each change is ``k_ordinal`` and the values
    ``v_id_number_enc``, ``v_phone_enc`` (the entries' lookup hash stays as written: it is
    part of a report's evidence)."""
    await conn.execute(
        sa.update(_ENTRIES)
        .where(
            _ENTRIES.c.report_id == report_id,
            _ENTRIES.c.ordinal == sa.bindparam("k_ordinal"),
        )
        .values(
            id_number_enc=sa.bindparam("v_id_number_enc"),
            phone_enc=sa.bindparam("v_phone_enc"),
        ),
        list(changes),
    )
