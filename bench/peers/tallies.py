"""Q1's fair peer: the commission's roll-up read from the same write-time tallies with the
same statement our roll-up runs, as a SQL function PostGraphile exposes.

The function's body is ``partyplan.resolvers.rollups.repository._LINES`` itself (the statement
``repository.lines`` executes), its ``:period`` and ``:unit`` bound to the function's
arguments, wrapped only to name the columns PostGraphile shows: the unit, its plan (as
``service.plan_figure``), the completion rate (as ``service.ratio``: rounded to 4 places, in
double precision, whose ``round`` breaks ties to even as Python's does: 1/32 is 0.0312 on both
sides, where ``numeric`` would give 0.0313) and
every tally figure. It answers what our Q1 asks: the unit's own line (the commission's, summed
over its schools' rows) first, then each child's. Generated when ``prepare`` runs (in the bench database only, in the
``bench_peer`` schema, never a migration), so it cannot drift from ours. It runs with the
caller's rights (SECURITY INVOKER), so row-level security applies as it does to our service.
"""

from __future__ import annotations

import re

from partyplan.models.rollups import PERIOD_FIGURES
from partyplan.resolvers.rollups import repository

_BOUND = re.compile(r"(?<!:):(period|unit)\b")
_ARG = {"period": "$1", "unit": "$2"}


def lines_statement() -> str:
    """Our roll-up's statement with its parameters as the function's ``$1`` (period) and
    ``$2`` (unit)."""
    return _BOUND.sub(lambda m: _ARG[m.group(1)], repository._LINES)


def function_sql() -> str:
    """``CREATE TYPE`` and ``CREATE FUNCTION bench_peer.province_rollup_tallies``."""
    columns = ",\n    ".join(f"{f} integer" for f in PERIOD_FIGURES)
    figures = ", ".join(f"l.{f}::int" for f in PERIOD_FIGURES)
    plan = (
        "(CASE WHEN l.unit_kind = 'commission' THEN l.handed_total ELSE l.received_total END)::int"
    )
    body = lines_statement().replace("$$", "")
    return f"""
CREATE TYPE bench_peer.rollup_line AS (
    unit_id integer,
    unit_name text,
    unit_kind text,
    plan integer,
    completion_rate double precision,
    {columns}
);

CREATE FUNCTION bench_peer.province_rollup_tallies(period_id integer, unit_id integer)
RETURNS SETOF bench_peer.rollup_line
LANGUAGE sql STABLE AS $$
    SELECT l.unit_id::int, l.unit_name, l.unit_kind::text, {plan},
           CASE WHEN {plan} > 0 THEN round(l.admitted::float8 / {plan} * 10000) / 10000 END,
           {figures}
      FROM ({body}) l
     ORDER BY l.unit_id <> $2, l.unit_id
$$;

COMMENT ON FUNCTION bench_peer.province_rollup_tallies(integer, integer) IS
    E'@name province_rollup_tallies\\nThe roll-up of a unit and its children for a plan period, read from the write-time tallies with the statement of partyplan''s roll-up.';
"""
