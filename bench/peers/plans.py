"""Q2's peer: a unit's plan with its children's lines, read by PostGraphile 5 through a SQL
function built from the statements our ``plan`` resolver runs.

``resolvers/plans/service/reads.plan`` reads the unit's balance (``balances.get``), its active
children's balances (``balances.children_lines``) and, in one statement, each line's admissions
from the tallies and its subtree's forecasts (``measures._LINE_MEASURES``); Python then takes
``available`` = received − handed − reserve and sums the children's subtree forecasts and
received places. The function ``bench_peer.plan(period_id, unit_id)`` runs those same three
statements — the SQLAlchemy ones rendered by SQLAlchemy itself from the repository functions
(captured, never executed), the measures' text as it is — with ``:period``/``:unit`` bound to
its arguments, and does the arithmetic in SQL. Generated when ``prepare`` runs (the bench
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
from typing import Any

from sqlalchemy.dialects import postgresql

from partyplan.resolvers.plans.repository import balances, measures
from partyplan.resolvers.plans.rules import DIMENSIONS

# Values no real id takes, rendered as literals by SQLAlchemy and then swapped for $1 / $2.
_PERIOD, _UNIT = 987_654_321_001, 987_654_321_002
_BOUND = re.compile(r"(?<!:):(period|unit)\b")
_ARG = {"period": "$1", "unit": "$2"}


class _Capture:
    """A stand-in session that keeps the statement a repository function would execute."""

    def __init__(self) -> None:
        self.statements: list[Any] = []

    async def execute(self, statement: Any, params: Any = None) -> _Nothing:
        self.statements.append(statement)
        return _Nothing()


class _Nothing:
    def first(self) -> None:
        return None

    def all(self) -> list[Any]:
        return []


def _rendered(call: Any) -> str:
    """The SQL text of the one statement ``call(session, period, unit)`` executes."""
    session = _Capture()
    # Driven by hand, not by an event loop: nothing in it waits (prepare runs inside a loop).
    coroutine = call(session, _PERIOD, _UNIT)
    try:
        coroutine.send(None)
    except StopIteration:
        pass
    else:
        coroutine.close()
        raise RuntimeError(f"{call.__qualname__} waits on something besides its statement")
    (statement,) = session.statements
    text = str(
        statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )
    for value, arg in ((_PERIOD, "$1"), (_UNIT, "$2")):
        if str(value) not in text:
            raise RuntimeError(f"the plan statement no longer binds {arg}: {text[:200]}")
        text = text.replace(str(value), arg)
    return text


def statements() -> dict[str, str]:
    """Our plan's three reads with the function's ``$1`` (period) and ``$2`` (unit):
    ``own`` (the unit's balance row), ``children`` (each active child with its balance) and
    ``measures`` (each line's admissions and subtree forecasts)."""
    return {
        "own": _rendered(balances.get),
        "children": _rendered(balances.children_lines),
        "measures": _BOUND.sub(lambda m: _ARG[m.group(1)], measures._LINE_MEASURES),
    }


def _amounts(prefix: str, source: str) -> str:
    cols = ", ".join(f"coalesce({source}.{prefix}_{d}, 0)::int" for d in DIMENSIONS)
    return f"ROW({cols})::bench_peer.amounts"


def _available(source: str) -> str:
    cols = ", ".join(
        f"(coalesce({source}.received_{d}, 0) - coalesce({source}.handed_{d}, 0)"
        f" - coalesce({source}.reserve_{d}, 0))::int"
        for d in DIMENSIONS
    )
    return f"ROW({cols})::bench_peer.amounts"


def _line(position: str, source: str, unit_id: str, unit_name: str) -> str:
    """A ``plan_line`` of ``source`` (a balance row, NULL columns when it has none) and ``m``
    (its measures row)."""
    subtree = ", ".join(f"coalesce(m.subtree_forecast_{d}, 0)::int" for d in DIMENSIONS)
    return f"""ROW({position}, {unit_id}::int, {unit_name},
            {_amounts("received", source)}, {_amounts("handed", source)},
            {_amounts("reserve", source)}, {_available(source)},
            ROW({_amounts("forecast", source)}, {source}.forecast_remark)::bench_peer.forecast,
            ROW({subtree})::bench_peer.amounts,
            coalesce(m.admitted, 0)::int)::bench_peer.plan_line"""


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
    WITH measured AS MATERIALIZED ({reads["measures"]}
    ), own AS MATERIALIZED ({reads["own"]}
    ), kids AS MATERIALIZED ({reads["children"]}
    ), lines AS (
        SELECT {_line("0", "o", "u.id", "u.name")} AS line
          FROM public.units u
          LEFT JOIN own o ON true
          LEFT JOIN measured m ON m.unit_id = u.id
         WHERE u.id = $2
    ), children AS (
        SELECT {
        _line("(row_number() OVER (ORDER BY c.unit_id))::int", "c", "c.unit_id", "c.unit_name")
    } AS line
          FROM kids c
          LEFT JOIN measured m ON m.unit_id = c.unit_id
    )
    SELECT (SELECT line FROM lines),
           coalesce((SELECT array_agg(line ORDER BY (line).position) FROM children), '{{}}'),
           (SELECT ROW({children_sums})::bench_peer.amounts
              FROM (SELECT (line).* FROM children) l),
           (SELECT ROW({received_sums})::bench_peer.amounts
              FROM (SELECT (line).* FROM children) l)
$$;

COMMENT ON FUNCTION bench_peer.plan(integer, integer) IS
    E'@name plan\\nA unit''s plan in a period with its children''s lines, read with the statements of partyplan''s plan resolver.';
"""
