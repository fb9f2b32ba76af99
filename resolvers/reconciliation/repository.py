"""SQL of the reconciliation: the school's recruits found by the file's ID-number hashes, the
report and its entries written a batch at a time, the recruits only here found by one
statement, and the report read back page by page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from partyplan.models import reconciliation_entries, reconciliation_reports
from partyplan.resolvers import paging
from partyplan.resolvers.exports12371.repository import COLUMNS
from partyplan.resolvers.paging import Keyset, Page
from partyplan.tenants.session import Session


async def recruits_by_lookup(
    session: Session, school_id: int, lookups: Sequence[bytes]
) -> list[sa.Row]:
    """The school's recruits whose ID-number hash is among ``lookups`` (the export's columns
    with ``stage`` and ``id_number_hash``), cancelled ones included."""
    if not lookups:
        return []
    result = await session.execute(
        sa.text(
            f"SELECT {COLUMNS} FROM recruits r JOIN units u ON u.id = r.branch_id"
            " WHERE r.school_id = :school AND r.id_number_hash = ANY(CAST(:lookups AS bytea[]))"
        ),
        {"school": school_id, "lookups": list(lookups)},
    )
    return list(result.all())


async def create_report(session: Session, values: dict[str, Any]) -> int:
    return await session.scalar(  # type: ignore[return-value]
        sa.insert(reconciliation_reports).values(**values).returning(reconciliation_reports.c.id)
    )


async def add_entries(session: Session, entries: Sequence[dict[str, Any]]) -> None:
    if entries:
        await session.execute(sa.insert(reconciliation_entries), list(entries))


async def add_only_here(
    session: Session, report_id: int, school_id: int, stages: Sequence[str], after: int
) -> int:
    """An entry for every recruit of the school in ``stages`` the report has not matched,
    numbered on from ``after``; how many."""
    result = await session.execute(
        sa.text(
            "INSERT INTO reconciliation_entries (report_id, ordinal, unit_path, kind,"
            " recruit_id, stage, name, id_number_masked)"
            " SELECT :report, :after + row_number() OVER (ORDER BY r.id), s.path,"
            " 'only_here', r.id, r.stage, r.name, r.id_number_masked"
            " FROM recruits r JOIN units s ON s.id = r.school_id"
            " WHERE r.school_id = :school AND r.stage = ANY(CAST(:stages AS text[]))"
            " AND NOT EXISTS (SELECT 1 FROM reconciliation_entries e"
            " WHERE e.report_id = :report AND e.recruit_id = r.id)"
        ),
        {"report": report_id, "after": after, "school": school_id, "stages": list(stages)},
    )
    return result.rowcount


async def set_counts(session: Session, report_id: int, counts: dict[str, int]) -> None:
    await session.execute(
        sa.update(reconciliation_reports)
        .where(reconciliation_reports.c.id == report_id)
        .values(**counts)
    )


async def report(session: Session, report_id: int) -> sa.Row | None:
    """The report, if the caller's scope reaches its school (row-level security says so)."""
    result = await session.execute(
        sa.select(reconciliation_reports).where(reconciliation_reports.c.id == report_id)
    )
    return result.first()


async def entries(
    session: Session,
    report_id: int,
    *,
    kinds: Sequence[str] | None,
    keyset: Keyset,
) -> Page:
    """A page of the report's entries in ordinal order (no encrypted column is read)."""
    e = reconciliation_entries.c
    stmt = sa.select(
        e.report_id,
        e.ordinal,
        e.kind,
        e.recruit_id,
        e.sheet,
        e.row_number,
        e.stage,
        e.name,
        e.id_number_masked,
        e.conflicts,
        e.decision,
        e.decided_fields,
        e.outcome,
    ).where(e.report_id == report_id)
    if kinds:
        stmt = stmt.where(e.kind.in_(list(kinds)))
    return await paging.fetch(session, stmt, e.ordinal, keyset)


# --- applyReconciliation ---------------------------------------------------------------------

_ORDINALS = sa.ARRAY(sa.Integer)
#: Never read for the evidence: ciphertexts change with the keys (``evidence.py``).
_ENCRYPTED = frozenset({"id_number_enc", "phone_enc"})


async def lock_report(session: Session, report_id: int) -> sa.Row | None:
    """The report's row, locked until the transaction ends: two applications of one report
    run one after the other, and the second sees the first's status."""
    result = await session.execute(
        sa.select(reconciliation_reports)
        .where(reconciliation_reports.c.id == report_id)
        .with_for_update()
    )
    return result.first()


async def entries_by_ordinal(
    session: Session, report_id: int, ordinals: Sequence[int]
) -> list[sa.Row]:
    """The report's entries among ``ordinals``, encrypted columns included (applying a
    decision decrypts them)."""
    if not ordinals:
        return []
    e = reconciliation_entries.c
    result = await session.execute(
        sa.select(reconciliation_entries).where(
            e.report_id == report_id, e.ordinal == sa.any_(sa.literal(list(ordinals), _ORDINALS))
        )
    )
    return list(result.all())


async def school_units_named(
    session: Session, school_id: int, kinds: Sequence[str], name: str
) -> list[sa.Row]:
    """The school's units of ``kinds`` whose name is exactly ``name`` (active or not)."""
    result = await session.execute(
        sa.text(
            "SELECT id, active FROM units WHERE school_id = :school AND name = :name"
            " AND kind = ANY(CAST(:kinds AS text[])) ORDER BY id"
        ),
        {"school": school_id, "name": name, "kinds": list(kinds)},
    )
    return list(result.all())


async def write_decisions(
    session: Session, report_id: int, decisions: Sequence[dict[str, Any]]
) -> None:
    """Each ``{"ordinal", "decision", "decided_fields", "outcome"}`` onto its entry."""
    if not decisions:
        return
    e = reconciliation_entries.c
    await session.execute(
        sa.update(reconciliation_entries)
        .where(e.report_id == report_id, e.ordinal == sa.bindparam("b_ordinal"))
        .values(
            decision=sa.bindparam("b_decision"),
            decided_fields=sa.bindparam("b_fields"),
            outcome=sa.bindparam("b_outcome"),
        )
        .execution_options(synchronize_session=False),
        [
            {
                "b_ordinal": d["ordinal"],
                "b_decision": d["decision"],
                "b_fields": d["decided_fields"],
                "b_outcome": d["outcome"],
            }
            for d in decisions
        ],
    )


async def evidence_entries(
    session: Session, report_id: int, *, after: int, limit: int
) -> list[sa.Row]:
    """A batch of the report's entries in ordinal order, every column but the encrypted ones
    (what ``evidence`` hashes)."""
    e = reconciliation_entries.c
    result = await session.execute(
        sa.select(*(c for c in reconciliation_entries.c if c.name not in _ENCRYPTED))
        .where(e.report_id == report_id, e.ordinal > after)
        .order_by(e.ordinal)
        .limit(limit)
    )
    return list(result.all())


async def transaction_time(session: Session) -> Any:
    """``now()``: the transaction's start, the same in every statement of it."""
    return await session.scalar(sa.text("SELECT now()"))


async def mark_applied(
    session: Session, report_id: int, *, applied_by: int | None, applied_at: Any, evidence: bytes
) -> None:
    """The report applied: from here on the frozen trigger refuses any change to it and its
    entries, so this is the last write of an application."""
    await session.execute(
        sa.update(reconciliation_reports)
        .where(reconciliation_reports.c.id == report_id)
        .values(
            status="applied",
            applied_by=applied_by,
            applied_at=applied_at,
            evidence_sha256=evidence,
        )
    )


async def prune_open(conn: Any, before: Any) -> int:
    """Delete the open reports made before ``before`` and their entries (as the owner)."""
    old = sa.select(reconciliation_reports.c.id).where(
        reconciliation_reports.c.status == "open", reconciliation_reports.c.created_at < before
    )
    await conn.execute(
        sa.delete(reconciliation_entries).where(reconciliation_entries.c.report_id.in_(old))
    )
    result = await conn.execute(
        sa.delete(reconciliation_reports).where(reconciliation_reports.c.id.in_(old))
    )
    return result.rowcount
