"""The SQL of the feasible admissions: the schools whose procedures a set of unit subtrees needs,
and one aggregate over the recruits with an admission ahead (docs/feasible-admissions.md).

Each recruit's earliest admission is the later of its stored half
(``recruits.admission_earliest_on``) and the half today gives to its procedure and steps left,
passed in as arrays (``floors``): a join of small unnested rows, no function per recruit. The
``session`` is a request's (row-level security scopes the recruits read) or the warnings scan's
owner connection: anything with ``execute``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa


async def schools_of(session: Any, paths: Sequence[str]) -> list[sa.Row]:
    """One unit of each school at or below the units of ``paths`` — the shallowest the caller
    may see (a unit admin sees its committee, not its school) — as the recruits' procedure reads
    a unit: ``school_id``, ``path``, ``region_code`` (every unit holds its commission's)."""
    stmt = sa.text(
        "SELECT DISTINCT ON (u.school_id) u.school_id, u.path::text AS path, u.region_code"
        " FROM units u WHERE u.school_id IS NOT NULL"
        " AND CAST(:paths AS text[])::ltree[] @> u.path"
        " ORDER BY u.school_id, nlevel(u.path), u.id"
    )
    return list((await session.execute(stmt, {"paths": list(paths)})).all())


#: The recruits counted: an admission ahead, not exempt from the quota, not past the last day
#: from which the rules still lead to one, the earliest day within ``ends``.
_AHEAD = """
WITH lines AS (SELECT l.path, (l.i - 1)::int AS line
                 FROM unnest(CAST(:paths AS text[])::ltree[]) WITH ORDINALITY AS l(path, i)),
     schools AS (SELECT * FROM unnest(CAST(:school_ids AS bigint[]), CAST(:school_groups AS int[]))
                   AS s(school_id, grp)),
     floors AS (SELECT * FROM unnest(CAST(:floor_groups AS int[]), CAST(:floor_masks AS int[]),
                                     CAST(:floor_dates AS date[])) AS f(grp, mask, floor_on)),
     ahead AS (
       SELECT r.unit_path, r.stage, greatest(r.admission_earliest_on, f.floor_on) AS on_date
         FROM recruits r
         JOIN schools s ON s.school_id = r.school_id
         JOIN floors f ON f.grp = s.grp AND f.mask = r.admission_steps_left
        WHERE r.admission_earliest_on IS NOT NULL AND NOT r.exempt
          AND CAST(:scope AS text[])::ltree[] @> r.unit_path
          AND (r.admission_possible_until IS NULL OR r.admission_possible_until >= :today)
          AND greatest(r.admission_earliest_on, f.floor_on) <= :ends)
"""
#: Counted per unit first, then each unit's count added to every line above it (its path's
#: prefixes, an equality join): a scan's thousands of lines cost a hash join, not a product.
_BY_LINE = """,
     per_unit AS (SELECT unit_path, {key} AS key, count(*) AS n FROM ahead GROUP BY 1, 2)
SELECT l.line, p.key AS {key}, sum(p.n)::int AS n
  FROM per_unit p CROSS JOIN LATERAL generate_series(1, nlevel(p.unit_path)) AS i
  JOIN lines l ON l.path = subpath(p.unit_path, 0, i)
 GROUP BY l.line, p.key
"""
_BY_STAGE = _AHEAD + _BY_LINE.format(key="stage")
_BY_DATE = _AHEAD + _BY_LINE.format(key="on_date")


async def ahead(
    session: Any,
    paths: Sequence[str],
    *,
    scope: Sequence[str],
    schools: Sequence[tuple[int, int]],
    floors: Sequence[tuple[int, int, date]],
    today: date,
    ends: date,
    dated: bool,
) -> list[sa.Row]:
    """Per line (index into ``paths``) the recruits of its subtree that can be admitted by
    ``ends``: by stage (``line``, ``stage``, ``n``), or by earliest day (``line``, ``on_date``,
    ``n``) when ``dated``. ``scope``: the paths covering ``paths``; ``schools``: (school id, procedure group); ``floors``: (group, steps
    left, today's half)."""
    params = {
        "paths": list(paths),
        "scope": list(scope),
        "school_ids": [s for s, _ in schools],
        "school_groups": [g for _, g in schools],
        "floor_groups": [g for g, _, _ in floors],
        "floor_masks": [m for _, m, _ in floors],
        "floor_dates": [d for _, _, d in floors],
        "today": today,
        "ends": ends,
    }
    stmt = sa.text(_BY_DATE if dated else _BY_STAGE)
    return list((await session.execute(stmt, params)).all())


async def paths_of(session: Any, unit_ids: Sequence[int]) -> dict[int, str]:
    """The paths of the units the caller may see among ``unit_ids``."""
    stmt = sa.text(
        "SELECT id, path::text AS path FROM units WHERE id = ANY(CAST(:ids AS bigint[]))"
    )
    rows = (await session.execute(stmt, {"ids": list(unit_ids)})).all()
    return {r.id: r.path for r in rows}


async def quota_lines(conn: Any, period_id: int) -> list[sa.Row]:
    """Every unit of a school holding a quota row in the period with places received or a
    forecast below it: ``unit_id``, ``path``, ``school_id``, ``name``, ``received`` (total),
    ``forecast`` (its subtree's submissions, its own included) and ``admitted`` (counted
    against the quota so far). Read by the warnings scan, as the owner."""
    stmt = sa.text(
        "SELECT * FROM (SELECT q.unit_id, u.path::text AS path, q.school_id, u.name,"
        " q.received_total AS received,"
        " (SELECT coalesce(sum(f.forecast_total), 0) FROM unit_quotas f"
        "   WHERE f.period_id = q.period_id AND f.unit_path <@ u.path)::int AS forecast,"
        " coalesce(t.admitted, 0)::int AS admitted"
        " FROM unit_quotas q JOIN units u ON u.id = q.unit_id"
        " LEFT JOIN unit_tallies t ON t.period_id = q.period_id AND t.unit_id = q.unit_id"
        " WHERE q.period_id = :p AND q.school_id IS NOT NULL) x"
        " WHERE x.received > 0 OR x.forecast > 0 ORDER BY x.unit_id"
    )
    return list((await conn.execute(stmt, {"p": period_id})).all())
