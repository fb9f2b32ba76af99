"""What the scan reads of the plans: the commissions and their periods, and the figures the plan
rules judge. All from the roll-up tallies and balances (small pre-aggregated rows), except the
rushed-admissions rule's counts of approval dates."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection


async def _rows(conn: AsyncConnection, sql: str, **params: Any) -> list[sa.Row]:
    return list((await conn.execute(sa.text(sql), params)).all())


async def commissions(conn: AsyncConnection) -> list[sa.Row]:
    """Every commission (a root of the tree): ``id``, ``path``, in id order."""
    return await _rows(
        conn,
        "SELECT id, path::text AS path FROM units WHERE kind = 'commission' AND parent_id IS NULL"
        " ORDER BY id",
    )


async def periods(conn: AsyncConnection, commission_id: int) -> list[sa.Row]:
    """The commission's plan periods, every state, oldest first."""
    return await _rows(
        conn,
        "SELECT * FROM plan_periods WHERE commission_id = :c ORDER BY starts_on, id",
        c=commission_id,
    )


async def admitted_by(conn: AsyncConnection, period_id: int, on: date) -> list[sa.Row]:
    """Each unit of a school holding a received quota in the period: ``unit_id``, ``path``,
    ``school_id``, ``name``, ``plan`` (received total) and ``admitted`` (counted against the
    quota, in the months up to ``on``)."""
    return await _rows(
        conn,
        "SELECT q.unit_id, u.path::text AS path, q.school_id, u.name, q.received_total AS plan,"
        " coalesce((SELECT sum(m.admitted) FROM unit_month_tallies m WHERE m.period_id = :p"
        "  AND m.unit_id = q.unit_id AND m.month <= :qe), 0)::int AS admitted"
        " FROM unit_quotas q JOIN units u ON u.id = q.unit_id"
        " WHERE q.period_id = :p AND q.school_id IS NOT NULL AND q.received_total > 0",
        p=period_id,
        qe=on,
    )


async def over_plan(conn: AsyncConnection, period_id: int, margin: int) -> list[sa.Row]:
    """The units of schools that admitted more than their received quota plus ``margin`` in the
    period: ``unit_id``, ``path``, ``school_id``, ``name``, ``plan``, ``admitted``."""
    return await _rows(
        conn,
        "SELECT q.unit_id, u.path::text AS path, q.school_id, u.name,"
        " q.received_total AS plan, t.admitted"
        " FROM unit_quotas q JOIN units u ON u.id = q.unit_id"
        " JOIN unit_tallies t ON t.period_id = q.period_id AND t.unit_id = q.unit_id"
        " WHERE q.period_id = :p AND q.school_id IS NOT NULL"
        " AND t.admitted > q.received_total + :margin",
        p=period_id,
        margin=margin,
    )


async def approvals_by_school(
    conn: AsyncConnection, commission_path: str, starts: date, ends: date, window_start: date
) -> list[sa.Row]:
    """Each school of the commission with approvals (step 17) from ``starts`` to ``ends``, counted
    where they were approved (a later transfer does not move them):
    ``school_id``, ``path``, ``name``, ``total`` and ``late`` (approved on ``window_start`` or
    after)."""
    return await _rows(
        conn,
        "SELECT r.admitted_school_id AS school_id, s.path::text AS path, s.name,"
        " count(*) AS total, count(*) FILTER (WHERE r.approved_on >= :w) AS late"
        " FROM recruits r JOIN units s ON s.id = r.admitted_school_id"
        " WHERE r.admitted_path <@ CAST(:c AS ltree) AND r.approved_on BETWEEN :s AND :e"
        " AND r.annulled_on IS NULL"  # an annulled admission counts nowhere (一律不予承认)
        " GROUP BY r.admitted_school_id, s.path, s.name",
        c=commission_path,
        s=starts,
        e=ends,
        w=window_start,
    )


async def school_admissions(
    conn: AsyncConnection, commission_path: str, period_id: int, previous_id: int
) -> list[sa.Row]:
    """Every school of the commission: ``school_id``, ``path``, ``name``, and its admissions
    (exempt ones included) in the period (``current``) and in ``previous_id`` (``previous``)."""
    return await _rows(
        conn,
        "SELECT s.id AS school_id, s.path::text AS path, s.name,"
        " coalesce(now_.admitted + now_.admitted_exempt, 0) AS current,"
        " coalesce(then_.admitted + then_.admitted_exempt, 0) AS previous"
        " FROM units s"
        " LEFT JOIN unit_tallies now_ ON now_.period_id = :p AND now_.unit_id = s.id"
        " LEFT JOIN unit_tallies then_ ON then_.period_id = :b AND then_.unit_id = s.id"
        " WHERE s.kind = 'school' AND s.path <@ CAST(:c AS ltree)",
        p=period_id,
        b=previous_id,
        c=commission_path,
    )


async def schools_without_report(
    conn: AsyncConnection, commission_path: str, period_id: int
) -> list[sa.Row]:
    """The commission's active schools with no submitted (or acknowledged) execution report for
    the period: ``id``, ``path``, ``name``."""
    return await _rows(
        conn,
        "SELECT s.id, s.path::text AS path, s.name FROM units s"
        " WHERE s.kind = 'school' AND s.active AND s.path <@ CAST(:c AS ltree)"
        " AND NOT EXISTS (SELECT 1 FROM execution_reports e WHERE e.period_id = :p"
        "  AND e.unit_id = s.id AND e.status IN ('submitted', 'acknowledged'))",
        c=commission_path,
        p=period_id,
    )
