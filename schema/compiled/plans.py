"""``plan`` compiled: a unit's plan line and its children's (the branch table), answered by one
statement over the lines (``resolvers/plans/repository/lines.py``, the ordinary resolver's own
statement as the CTE ``lines``) after the same checks (``plan_scope``: the period, the
unit, ``plan.read``).

What is compiled: ``line`` and ``children`` with every figure a line holds (``available`` taken
in SQL as the resolver takes it), the forecast with its remark and time, a line's ``unit`` (null
where the caller may not read units, as the unit loader answers), and the children's sums
``childrenForecast`` and ``childrenReceived``. Not compiled, so the document runs as before: the
plan's ``period``, ``unit`` and ``targets``, and a line's ``feasibleAdmissions``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from partyplan.resolvers.jsonsql import json_name, json_object, timestamp
from partyplan.resolvers.plans.service import reads
from partyplan.tenants.session import Session

from ..mutations import decode_id
from .arguments import global_argument
from .objects import ObjectSql, Precompiled, column, prefixed, same_row
from .recruits import UNIT
from .rollups import amounts
from .selection import NotCompiled, Selected

FORECAST = ObjectSql(
    "Forecast",
    {
        "remark": column("forecast_remark"),
        "submittedAt": lambda columns: timestamp(columns("forecast_at")),
    },
    objects={"amounts": (amounts("forecast_"), same_row)},
)

LINE = ObjectSql(
    "PlanLine",
    {
        "position": column("position"),
        "unitName": column("unit_name"),
        "admitted": column("admitted"),
    },
    objects={
        "received": (amounts("received_"), same_row),
        "handedDown": (amounts("handed_"), same_row),
        "reserve": (amounts("reserve_"), same_row),
        "available": (amounts("received_", "handed_", "reserve_"), same_row),
        "forecast": (FORECAST, same_row),
        "subtreeForecast": (amounts("subtree_forecast_"), same_row),
        "unit": (UNIT, prefixed("unit_")),
    },
    present={"unit": lambda columns: columns("unit_readable")},
)

#: The children's sums: a line's columns summed over the children (``LinesInSql.children_sum``).
SUMS = {
    "childrenForecast": amounts("subtree_forecast_"),
    "childrenReceived": amounts("received_"),
}


class PlanField:
    """The root field ``plan`` of one known document, checked when it is compiled."""

    def __init__(self, selected: Selected) -> None:
        for child in selected.children:
            if child.name in ("line", "children"):
                LINE.check(child.children)
            elif child.name in SUMS:
                SUMS[child.name].check(child.children)
            elif child.name != "__typename":
                raise NotCompiled(f"Plan.{child.name} is not compiled")
        self.selected = selected
        # Each line selection's JSON over a row of the lines (the CTE ``lines``).
        self._lines = {
            child.key: Precompiled(_line(child.children), "lines")
            for child in selected.children
            if child.name in ("line", "children")
        }
        self._statement = reads.lines_statement(self._build)

    async def run(self, context: Any, session: Session, arguments: dict[str, Any]) -> str:
        return await reads.plan_json(
            session,
            unit_id=decode_id(global_argument(arguments["unitId"]), "Unit", "unitId"),
            period_id=decode_id(global_argument(arguments["periodId"]), "PlanPeriod", "periodId"),
            statement=self._statement,
        )

    def _build(self, lines: reads.LinesInSql) -> sa.ColumnElement[Any]:
        pairs: list[tuple[str, sa.ColumnElement[Any]]] = []
        for child in self.selected.children:
            if child.name == "__typename":
                pairs.append((child.key, json_name(child.parent.name)))
            elif child.name in SUMS:
                pairs.append((child.key, lines.children_sum(_sums(child))))
            else:
                line = self._lines[child.key]
                element = lambda _columns, line=line: line.expression()  # noqa: E731
                built = lines.own(element) if child.name == "line" else lines.children(element)
                pairs.append((child.key, built))
        return json_object(pairs)


def _line(selected: list[Selected]) -> Any:
    return lambda columns: LINE.build(selected, columns)


def _sums(child: Selected) -> Any:
    return lambda columns: SUMS[child.name].build(child.children, columns)
