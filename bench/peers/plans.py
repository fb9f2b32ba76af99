"""Q2's peer: a unit's plan with its children's lines, read by PostGraphile 5 through a SQL
function built from the statement our ``plan`` resolver runs.

``resolvers/plans/service/reads.plan`` reads every line in one statement
(``repository/lines._LINES``: the unit's own line, then each active child's, with balances,
admissions from the tallies and the subtree's forecasts); Python then takes ``available`` =
received − handed − reserve and sums the children's subtree forecasts and received places. The
function ``bench_peer.plan(period_id, unit_id)`` runs that same statement's text, with
``:period``/``:unit`` bound to its arguments (and no paths where units may be read: Q2 asks for
no line's ``unit``), and does the arithmetic in SQL. Generated when ``prepare`` runs (the bench
database only, schema ``bench_peer``, never a migration), so it cannot drift from ours.

It returns one composite value shaped as our ``Plan`` (``line``, ``children``,
``childrenForecast``, ``childrenReceived``; each amount a ``total/students/staff/highKnowledge``
object), so PostGraphile 5 answers our Q2 selection field for field. It runs with the caller's
rights (SECURITY INVOKER): row-level security applies as it does to our service. What it leaves
out is what our resolver does besides reading figures: the period's lookup, the permission
check on the unit, and the structural targets nobody in Q2 asks for.
"""

from __future__ import annotations

import re

from partyplan.resolvers.plans.repository import lines
from partyplan.resolvers.plans.rules import DIMENSIONS

_BOUND = re.compile(r"(?<!:):(period|unit_read|unit)\b")
_ARG = {"period": "$1", "unit": "$2", "unit_read": "ARRAY[]::text[]"}


def statements() -> dict[str, str]:
    """Our plan's read of its lines with the function's ``$1`` (period) and ``$2`` (unit)."""
    return {"lines": _BOUND.sub(lambda m: _ARG[m.group(1)], lines._LINES)}


def _amounts(prefix: str, source: str) -> str:
    cols = ", ".join(f"{source}.{prefix}_{d}" for d in DIMENSIONS)
    return f"ROW({cols})::bench_peer.amounts"


def _available(source: str) -> str:
    cols = ", ".join(
        f"({source}.received_{d} - {source}.handed_{d} - {source}.reserve_{d})::int"
        for d in DIMENSIONS
    )
    return f"ROW({cols})::bench_peer.amounts"


def _line(source: str) -> str:
    """A ``plan_line`` of a row of the lines."""
    return f"""ROW({source}.position, {source}.unit_id::int, {source}.unit_name,
            {_amounts("received", source)}, {_amounts("handed", source)},
            {_amounts("reserve", source)}, {_available(source)},
            ROW({_amounts("forecast", source)}, {source}.forecast_remark)::bench_peer.forecast,
            {_amounts("subtree_forecast", source)},
            {source}.admitted::int)::bench_peer.plan_line"""


def function_sql() -> str:
    """``CREATE TYPE``s and ``CREATE FUNCTION bench_peer.plan``."""
    reads = {k: v.replace("$$", "") for k, v in statements().items()}
    amount_cols = ", ".join(f"{d} integer" for d in DIMENSIONS)
    children_sums = ", ".join(
        f"coalesce(sum((l.subtree_forecast).{d}), 0)::int" for d in DIMENSIONS
    )
    received_sums = ", ".join(f"coalesce(sum((l.received).{d}), 0)::int" for d in DIMENSIONS)
    return f"""
CREATE TYPE bench_peer.amounts AS ({amount_cols});
CREATE TYPE bench_peer.forecast AS (amounts bench_peer.amounts, remark text);
CREATE TYPE bench_peer.plan_line AS (
    position integer,
    unit_id integer,
    unit_name text,
    received bench_peer.amounts,
    handed_down bench_peer.amounts,
    reserve bench_peer.amounts,
    available bench_peer.amounts,
    forecast bench_peer.forecast,
    subtree_forecast bench_peer.amounts,
    admitted integer
);
CREATE TYPE bench_peer.plan AS (
    line bench_peer.plan_line,
    children bench_peer.plan_line[],
    children_forecast bench_peer.amounts,
    children_received bench_peer.amounts
);

CREATE FUNCTION bench_peer.plan(period_id integer, unit_id integer)
RETURNS bench_peer.plan
LANGUAGE sql STABLE AS $$
    WITH rows AS MATERIALIZED ({reads["lines"]}
    ), lines AS (
        SELECT r.position, {_line("r")} AS line FROM rows r
    ), children AS (
        SELECT line FROM lines WHERE position > 0
    )
    SELECT (SELECT line FROM lines WHERE position = 0),
           coalesce((SELECT array_agg(line ORDER BY (line).position) FROM children), '{{}}'),
           (SELECT ROW({children_sums})::bench_peer.amounts
              FROM (SELECT (line).* FROM children) l),
           (SELECT ROW({received_sums})::bench_peer.amounts
              FROM (SELECT (line).* FROM children) l)
$$;

COMMENT ON FUNCTION bench_peer.plan(integer, integer) IS
    E'@name plan\\nA unit''s plan in a period with its children''s lines, read with the statement of partyplan''s plan resolver.';
"""
